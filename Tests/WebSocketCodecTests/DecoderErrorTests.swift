import Testing
@testable import WebSocketCodec

@Suite struct DecoderErrorTests {
    @Test func unmaskedClientFrame() {
        expectFailure(bytes("81 05 48 65 6c 6c 6f"), code: 1002)
    }

    @Test func unknownOpcodes() {
        for opcode: UInt8 in [0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF] {
            expectFailure(rawMaskedFrame(firstByte: 0x80 | opcode, payload: []), code: 1002)
        }
    }

    @Test func reservedBitsWithoutExtension() {
        for bits: UInt8 in [0x40, 0x20, 0x10, 0x70] {
            expectFailure(rawMaskedFrame(firstByte: 0x81 | bits, payload: [0x61]), code: 1002)
        }
    }

    @Test func reservedBitsWithDeflate() {
        let inflater = { PerMessageInflater(parameters: PerMessageDeflateParameters()) as PerMessageInflater? }
        // RSV2/RSV3 stay reserved; RSV1 is only for the first frame of a data message.
        expectFailure(rawMaskedFrame(firstByte: 0xA1, payload: [0x00]), code: 1002, inflater: inflater)
        expectFailure(rawMaskedFrame(firstByte: 0xC9, payload: []), code: 1002, inflater: inflater)
        expectFailure(rawMaskedFrame(firstByte: 0x01, payload: [0x61]) + rawMaskedFrame(firstByte: 0xC0, payload: [0x00]),
                      code: 1002, inflater: inflater)
    }

    @Test func sixtyFourBitLengthWithTopBit() {
        expectFailure(bytes("82 ff 80 00 00 00 00 00 00 01 00 00 00 00"), code: 1002)
    }

    @Test func fragmentedControlFrame() {
        expectFailure(rawMaskedFrame(firstByte: 0x09, payload: [1]), code: 1002)
        expectFailure(rawMaskedFrame(firstByte: 0x08, payload: [0x03, 0xE8]), code: 1002)
    }

    @Test func controlFrameOver125Bytes() {
        expectFailure(masked(.ping, [UInt8](repeating: 0, count: 126)), code: 1002)
        expectFailure(masked(.close, [0x03, 0xE8] + [UInt8](repeating: 0x61, count: 124)), code: 1002)
        #expect(decodeResult([masked(.ping, [UInt8](repeating: 1, count: 125))])
            == .success([.ping([UInt8](repeating: 1, count: 125))]))
    }

    @Test func continuationWithoutMessage() {
        expectFailure(masked(.continuation, "x"), code: 1002)
        expectFailure(masked(.text, "a") + masked(.continuation, "x"), code: 1002)
    }

    @Test func newDataFrameWhileFragmentedMessageOpen() {
        expectFailure(masked(.text, "a", fin: false) + masked(.text, "b"), code: 1002)
        expectFailure(masked(.binary, [1], fin: false) + masked(.ping, []) + masked(.binary, [2]), code: 1002)
    }

    @Test func closePayloadOfOneByte() {
        expectFailure(masked(.close, [0x03]), code: 1002)
    }

    @Test func invalidCloseCodes() {
        for code: UInt16 in [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535] {
            expectFailure(masked(.close, [UInt8(code >> 8), UInt8(code & 0xFF)]), code: 1002)
        }
    }

    @Test func invalidCloseReason() {
        expectFailure(masked(.close, [0x03, 0xE8, 0xCE, 0xBA, 0xE1, 0xBD]), code: 1007)
        expectFailure(masked(.close, [0x03, 0xE8, 0xFF]), code: 1007)
    }

    @Test func declaredLengthOverLimitFailsBeforePayload() {
        // Only the header is fed: the cap must trip on the declared length alone.
        var decoder = WebSocketDecoder(maxMessageBytes: 1000)
        decoder.feed(bytes("82 fe 03 e9 00 00 00 00"))
        #expect(nextError(&decoder)?.closeCode == 1009)
        expectFailure(bytes("82 ff 00 00 00 01 00 00 00 00 01 02 03 04"), code: 1009, maxMessageBytes: 1 << 20)
        expectFailure(masked(.binary, [UInt8](repeating: 0, count: 101)), code: 1009, maxMessageBytes: 100)
    }

    @Test func fragmentsOverLimit() {
        let frames = masked(.binary, [UInt8](repeating: 1, count: 60), fin: false)
            + masked(.continuation, [UInt8](repeating: 2, count: 41))
        expectFailure(frames, code: 1009, maxMessageBytes: 100)
        var decoder = WebSocketDecoder(maxMessageBytes: 100)
        decoder.feed(masked(.text, "a", fin: false) + bytes("80 fe 00 64 01 02 03 04"))
        #expect(nextError(&decoder)?.closeCode == 1009)
    }

    @Test func errorIsSticky() {
        var decoder = WebSocketDecoder(maxMessageBytes: 100)
        decoder.feed(masked(.continuation, "x"))
        let first = nextError(&decoder)
        #expect(first?.closeCode == 1002)
        decoder.feed(masked(.text, "fine"))
        for _ in 0..<3 {
            #expect(nextError(&decoder) == first)
        }
    }

    @Test func errorsPrecededByValidFramesStillYieldThoseFirst() throws {
        var decoder = WebSocketDecoder(maxMessageBytes: 100)
        decoder.feed(masked(.text, "ok") + masked(.continuation, "x"))
        #expect(try decoder.next() == .text(Array("ok".utf8)))
        #expect(nextError(&decoder) != nil)
    }
}
