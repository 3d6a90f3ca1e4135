import Testing
@testable import WebSocketCodec

/// RFC 6455 §5.7 examples, byte for byte.
@Suite struct DecoderFixtureTests {
    let hello = Array("Hello".utf8)

    @Test func singleFrameUnmaskedText() {
        expectDecodes(bytes("81 05 48 65 6c 6c 6f"), [.text(hello)], requireMask: false)
    }

    @Test func singleFrameMaskedText() {
        expectDecodes(bytes("81 85 37 fa 21 3d 7f 9f 4d 51 58"), [.text(hello)])
    }

    @Test func fragmentedUnmaskedText() {
        expectDecodes(bytes("01 03 48 65 6c 80 02 6c 6f"), [.text(hello)], requireMask: false)
    }

    @Test func unmaskedPingAndMaskedPong() {
        expectDecodes(bytes("89 05 48 65 6c 6c 6f"), [.ping(hello)], requireMask: false)
        expectDecodes(bytes("8a 85 37 fa 21 3d 7f 9f 4d 51 58"), [.pong(hello)])
    }

    @Test func binary256WithSixteenBitLength() {
        let payload = (0..<256).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        expectDecodes(bytes("82 7e 01 00") + payload, [.binary(payload)], requireMask: false)
        expectDecodes(masked(.binary, payload), [.binary(payload)])
    }

    @Test func binary64KiBWithSixtyFourBitLength() {
        let payload = (0..<65536).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 3) }
        expectDecodes(bytes("82 7f 00 00 00 00 00 01 00 00") + payload, [.binary(payload)], requireMask: false)
        expectDecodes(masked(.binary, payload), [.binary(payload)])
    }

    @Test func nonMinimalLengthsAreAccepted() {
        expectDecodes(bytes("82 7e 00 02 01 02"), [.binary([1, 2])], requireMask: false)
        expectDecodes(bytes("82 7f 00 00 00 00 00 00 00 01 09"), [.binary([9])], requireMask: false)
    }

    @Test func emptyMessagesAndEmptyFragments() {
        expectDecodes(masked(.text, ""), [.text([])])
        expectDecodes(masked(.binary, []), [.binary([])])
        expectDecodes(masked(.text, "", fin: false) + masked(.continuation, "a", fin: false) + masked(.continuation, ""),
                      [.text([0x61])])
        expectDecodes(masked(.ping, []), [.ping([])])
    }

    @Test func pingInterleavedBetweenFragments() {
        let frames = masked(.text, "Hel", fin: false) + masked(.ping, "p") + masked(.continuation, "l", fin: false)
            + masked(.pong, "q") + masked(.continuation, "o")
        expectDecodes(frames, [.ping([0x70]), .pong([0x71]), .text(hello)])
    }

    @Test func closeInterleavedBetweenFragments() {
        let frames = masked(.binary, [1], fin: false) + masked(.close, WebSocketFrameEncoder.closePayload(code: 1000, reason: "bye"))
        // The message stays open after the close, so concatenating this fixture would be invalid.
        #expect(decodeResult([frames]) == .success([.close(code: 1000, reason: "bye")]))
        #expect(decodeResult(frames.map { [$0] }) == .success([.close(code: 1000, reason: "bye")]))
    }

    @Test func closeFrames() {
        expectDecodes(masked(.close, []), [.close(code: nil, reason: "")])
        expectDecodes(masked(.close, [0x03, 0xE8]), [.close(code: 1000, reason: "")])
        expectDecodes(masked(.close, WebSocketFrameEncoder.closePayload(code: 4999, reason: "héllo")),
                      [.close(code: 4999, reason: "héllo")])
        for code: UInt16 in [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000] {
            #expect(decodeResult([masked(.close, WebSocketFrameEncoder.closePayload(code: code, reason: ""))])
                == .success([.close(code: code, reason: "")]))
        }
    }

    @Test func maskKeyPhaseAcrossOddChunks() {
        // Payload lengths not a multiple of 4 or 8 exercise the word-at-a-time unmasking tail.
        for length in [1, 3, 7, 8, 9, 15, 17, 125, 126, 127, 1000] {
            let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 13) }
            let frame = WebSocketFrameEncoder.encodeMasked(opcode: .binary, payload: payload, maskKey: 0xDEAD_BEEF)
            #expect(decodeResult([frame]) == .success([.binary(payload)]))
            let chunks = stride(from: 0, to: frame.count, by: 3).map { Array(frame[$0..<min($0 + 3, frame.count)]) }
            #expect(decodeResult(chunks) == .success([.binary(payload)]))
        }
    }

    @Test func unmaskedDecoderStillAcceptsMaskedFrames() {
        expectDecodes(bytes("81 85 37 fa 21 3d 7f 9f 4d 51 58"), [.text(hello)], requireMask: false)
    }

    @Test func messageExactlyAtLimitIsAccepted() {
        let payload = [UInt8](repeating: 7, count: 100)
        expectDecodes(masked(.binary, payload), [.binary(payload)], maxMessageBytes: 100)
        expectDecodes(masked(.binary, Array(payload[..<60]), fin: false) + masked(.continuation, Array(payload[60...])),
                      [.binary(payload)], maxMessageBytes: 100)
    }

    @Test func inputBufferCompactsWhileEventsArePending() throws {
        // Events left unread between feeds force the decoder to compact its input buffer.
        let payloads = (0..<40).map { index in [UInt8](repeating: UInt8(index), count: 500 + index) }
        var decoder = WebSocketDecoder(maxMessageBytes: 1 << 20)
        var events: [WebSocketEvent] = []
        decoder.feed(payloads[..<20].flatMap { masked(.binary, $0) })
        for _ in 0..<15 { events.append(try #require(try decoder.next())) }
        decoder.feed(payloads[20...].flatMap { masked(.binary, $0) })
        while let event = try decoder.next() { events.append(event) }
        #expect(events == payloads.map { WebSocketEvent.binary($0) })
    }
}
