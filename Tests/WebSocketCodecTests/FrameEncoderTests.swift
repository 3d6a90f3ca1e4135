import Testing
@testable import WebSocketCodec

@Suite struct FrameEncoderTests {
    let hello = Array("Hello".utf8)

    @Test func rfcExamples() {
        #expect(WebSocketFrameEncoder.encode(opcode: .text, payload: hello) == bytes("81 05 48 65 6c 6c 6f"))
        #expect(WebSocketFrameEncoder.encodeMasked(opcode: .text, payload: hello, maskKey: 0x37FA_213D)
            == bytes("81 85 37 fa 21 3d 7f 9f 4d 51 58"))
        #expect(WebSocketFrameEncoder.encodeMasked(opcode: .pong, payload: hello, maskKey: 0x37FA_213D)
            == bytes("8a 85 37 fa 21 3d 7f 9f 4d 51 58"))
        #expect(WebSocketFrameEncoder.encode(opcode: .ping, payload: hello) == bytes("89 05 48 65 6c 6c 6f"))
        #expect(WebSocketFrameEncoder.encode(opcode: .text, payload: Array(hello[..<3]), fin: false) == bytes("01 03 48 65 6c"))
        #expect(WebSocketFrameEncoder.encode(opcode: .continuation, payload: Array(hello[3...])) == bytes("80 02 6c 6f"))
    }

    @Test func lengthEncodings() {
        let small = WebSocketFrameEncoder.encode(opcode: .binary, payload: [UInt8](repeating: 1, count: 125))
        #expect(Array(small[..<2]) == bytes("82 7d") && small.count == 127)
        let medium = WebSocketFrameEncoder.encode(opcode: .binary, payload: [UInt8](repeating: 1, count: 256))
        #expect(Array(medium[..<4]) == bytes("82 7e 01 00") && medium.count == 260)
        let edge = WebSocketFrameEncoder.encode(opcode: .binary, payload: [UInt8](repeating: 1, count: 65535))
        #expect(Array(edge[..<4]) == bytes("82 7e ff ff"))
        let large = WebSocketFrameEncoder.encode(opcode: .binary, payload: [UInt8](repeating: 1, count: 65536))
        #expect(Array(large[..<10]) == bytes("82 7f 00 00 00 00 00 01 00 00") && large.count == 65546)
        for count in [0, 125, 126, 65535, 65536] {
            #expect(WebSocketFrameEncoder.frameSize(payloadCount: count)
                == WebSocketFrameEncoder.encode(opcode: .binary, payload: [UInt8](repeating: 0, count: count)).count)
        }
    }

    @Test func writeFrameIntoBufferWithRSV1() {
        var out = [UInt8](repeating: 0xEE, count: 20)
        let written = out.withUnsafeMutableBytes { buffer in
            hello.withUnsafeBytes { WebSocketFrameEncoder.writeFrame(opcode: .text, payload: $0, fin: true, rsv1: true, into: buffer) }
        }
        #expect(written == 7)
        #expect(Array(out[..<7]) == bytes("c1 05 48 65 6c 6c 6f"))
        #expect(out[7] == 0xEE)
    }

    @Test func maskedFramesRoundTripThroughDecoder() {
        for count in [0, 1, 5, 125, 126, 1000, 65536, 70000] {
            let payload = (0..<count).map { UInt8(truncatingIfNeeded: $0) }
            let frame = WebSocketFrameEncoder.encodeMasked(opcode: .binary, payload: payload, maskKey: 0x0102_0304)
            #expect(decodeResult([frame]) == .success([.binary(payload)]))
        }
    }

    @Test func closePayloads() {
        #expect(WebSocketFrameEncoder.closePayload(code: 1000, reason: "") == [0x03, 0xE8])
        #expect(WebSocketFrameEncoder.closePayload(code: 1001, reason: "bye") == [0x03, 0xE9, 0x62, 0x79, 0x65])
        // 2-byte scalars: 61 of them fill 122 bytes; the 62nd would pass 125 only if cut mid-scalar.
        let long = WebSocketFrameEncoder.closePayload(code: 1009, reason: String(repeating: "é", count: 200))
        #expect(long.count == 124)
        #expect(String(validating: long[2...], as: UTF8.self) != nil)
        let ascii = WebSocketFrameEncoder.closePayload(code: 1000, reason: String(repeating: "x", count: 300))
        #expect(ascii.count == 125)
        #expect(decodeResult([masked(.close, long)]) == .success([.close(code: 1009, reason: String(repeating: "é", count: 61))]))
    }
}
