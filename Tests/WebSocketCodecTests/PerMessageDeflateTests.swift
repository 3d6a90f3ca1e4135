import Testing
@testable import WebSocketCodec

@Suite struct PerMessageDeflateTests {
    let hello = Array("Hello".utf8)
    let takeover = { PerMessageInflater(parameters: PerMessageDeflateParameters()) as PerMessageInflater? }

    // RFC 7692 §7.2.3 examples, as unmasked frames.

    @Test func compressedHello() {
        expectDecodes(bytes("c1 07 f2 48 cd c9 c9 07 00"), [.text(hello)], requireMask: false, inflater: takeover)
    }

    @Test func compressedHelloFragmented() {
        expectDecodes(bytes("41 03 f2 48 cd 80 04 c9 c9 07 00"), [.text(hello)], requireMask: false, inflater: takeover)
    }

    @Test func compressedFragmentsWithInterleavedPing() {
        let frames = bytes("41 03 f2 48 cd") + bytes("89 01 70") + bytes("80 04 c9 c9 07 00")
        expectDecodes(frames, [.ping([0x70]), .text(hello)], requireMask: false, inflater: takeover)
    }

    @Test func sharedSlidingWindow() {
        let frames = bytes("c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00")
        expectDecodes(frames, [.text(hello), .text(hello)], requireMask: false, inflater: takeover)
    }

    @Test func storedBlock() {
        expectDecodes(bytes("c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00"), [.text(hello)], requireMask: false, inflater: takeover)
    }

    @Test func finalBlockThenNextMessage() {
        let frames = bytes("c1 08 f3 48 cd c9 c9 07 00 00") + bytes("c1 07 f2 48 cd c9 c9 07 00")
        expectDecodes(frames, [.text(hello), .text(hello)], requireMask: false, inflater: takeover)
    }

    @Test func twoDeflateBlocksInOneMessage() {
        expectDecodes(bytes("c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00"), [.text(hello)],
                      requireMask: false, inflater: takeover)
    }

    @Test func uncompressedMessagesStillWorkWhenNegotiated() {
        expectDecodes(masked(.text, "plain") + bytes("c1 07 f2 48 cd c9 c9 07 00"), [.text(Array("plain".utf8)), .text(hello)],
                      requireMask: false, inflater: takeover)
    }

    @Test func deflaterMatchesRFCBytes() {
        let deflater = PerMessageDeflater(parameters: PerMessageDeflateParameters())
        #expect(deflater.compress(hello) == bytes("f2 48 cd c9 c9 07 00"))
        #expect(deflater.compress(hello) == bytes("f2 00 11 00 00"))
        let fresh = PerMessageDeflater(parameters: PerMessageDeflateParameters(serverNoContextTakeover: true))
        #expect(fresh.compress(hello) == bytes("f2 48 cd c9 c9 07 00"))
        #expect(fresh.compress(hello) == bytes("f2 48 cd c9 c9 07 00"))
    }

    @Test func roundTripWithContextTakeover() throws {
        try roundTrip(PerMessageDeflateParameters())
        try roundTrip(PerMessageDeflateParameters(serverMaxWindowBits: 8))
        try roundTrip(PerMessageDeflateParameters(serverMaxWindowBits: 10))
    }

    @Test func roundTripWithoutContextTakeover() throws {
        try roundTrip(PerMessageDeflateParameters(serverNoContextTakeover: true, clientNoContextTakeover: true))
    }

    /// Our deflater plays the client: its output, masked with RSV1, must decode to the originals.
    func roundTrip(_ parameters: PerMessageDeflateParameters) throws {
        let deflater = PerMessageDeflater(parameters: parameters)
        var inflaterParameters = parameters
        inflaterParameters.clientNoContextTakeover = parameters.serverNoContextTakeover
        var decoder = WebSocketDecoder(maxMessageBytes: 1 << 20, inflater: PerMessageInflater(parameters: inflaterParameters))
        let messages = ["", "Hello", "Hello", String(repeating: "chat message ", count: 500), "", "é😀", "Hello"]
        var sizes: [Int] = []
        for text in messages {
            let compressed = deflater.compress(Array(text.utf8))
            sizes.append(compressed.count)
            decoder.feed(WebSocketFrameEncoder.encodeMasked(opcode: .text, payload: compressed, maskKey: 0x1234_5678,
                                                            fin: true, rsv1: true))
            #expect(try decoder.next() == .text(Array(text.utf8)))
        }
        // With context takeover the repeated "Hello" is a back-reference and shrinks.
        #expect((sizes[2] < sizes[1]) == !parameters.serverNoContextTakeover)
    }

    @Test func inflatedSizeIsCapped() {
        let deflater = PerMessageDeflater(parameters: PerMessageDeflateParameters())
        let bomb = deflater.compress([UInt8](repeating: 0, count: 100_000))
        #expect(bomb.count < 1000)
        let frame = WebSocketFrameEncoder.encodeMasked(opcode: .binary, payload: bomb, maskKey: 1, fin: true, rsv1: true)
        expectFailure(frame, code: 1009, maxMessageBytes: 99_999, inflater: takeover)
        expectDecodes(frame, [.binary([UInt8](repeating: 0, count: 100_000))], maxMessageBytes: 100_000, inflater: takeover)
    }

    @Test func corruptOrInvalidCompressedData() {
        let corrupt = WebSocketFrameEncoder.encodeMasked(opcode: .binary, payload: [0xFF, 0xFF, 0xFF], maskKey: 1,
                                                         fin: true, rsv1: true)
        expectFailure(corrupt, code: 1007, inflater: takeover)
        let deflater = PerMessageDeflater(parameters: PerMessageDeflateParameters())
        let badText = WebSocketFrameEncoder.encodeMasked(opcode: .text, payload: deflater.compress([0x61, 0xC0, 0xAF]),
                                                         maskKey: 1, fin: true, rsv1: true)
        expectFailure(badText, code: 1007, inflater: takeover)
        let truncatedText = WebSocketFrameEncoder.encodeMasked(opcode: .text, payload: deflater.compress([0xE2, 0x82]),
                                                               maskKey: 1, fin: true, rsv1: true)
        expectFailure(truncatedText, code: 1007, inflater: takeover)
    }
}
