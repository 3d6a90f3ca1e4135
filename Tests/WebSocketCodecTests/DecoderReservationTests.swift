import Testing
@testable import WebSocketCodec

/// A frame header is a promise, not bytes: the decoder's buffer grows with what arrives, so a peer
/// that declares 1 MB and sends 10 bytes holds 10 bytes of our memory, not a megabyte.
struct DecoderReservationTests {
    static let declared = 1_000_000

    /// A masked binary frame header declaring `length` (64-bit length form), then `payload`.
    static func header(declaring length: Int) -> [UInt8] {
        var bytes: [UInt8] = [0x82, 0x80 | 127]
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((length >> shift) & 0xFF)) }
        return bytes + [1, 2, 3, 4]
    }

    @Test(arguments: [false, true])
    func aDeclaredMegabyteWithTenBytesReservesOnlyWhatArrived(byteByByte: Bool) throws {
        var decoder = WebSocketDecoder(maxMessageBytes: Self.declared)
        let bytes = Self.header(declaring: Self.declared) + [UInt8](repeating: 0x61, count: 10)
        if byteByByte {
            for byte in bytes { decoder.feed([byte]); #expect(try decoder.next() == nil) }
        } else {
            decoder.feed(bytes)
            #expect(try decoder.next() == nil)
        }
        #expect(decoder.messageCapacity < 1024, "reserved \(decoder.messageCapacity) bytes for 10 received")
    }

    @Test func theBufferGrowsWithTheBytesAndTheMessageStillCompletes() throws {
        var decoder = WebSocketDecoder(maxMessageBytes: Self.declared)
        let payload = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let frame = WebSocketFrameEncoder.encodeMasked(opcode: .binary, payload: payload, maskKey: 0x1234_5678, fin: true)
        decoder.feed(Array(frame[..<1000]))
        #expect(try decoder.next() == nil)
        #expect(decoder.messageCapacity < 4096)
        var at = 1000
        while at < frame.count {
            let end = min(at + 65536, frame.count)
            decoder.feed(Array(frame[at..<end]))
            at = end
            if at < frame.count {
                #expect(try decoder.next() == nil)
                #expect(decoder.messageCapacity <= 2 * (at + 65536), "capacity runs ahead of the bytes")
            }
        }
        #expect(try decoder.next() == .binary(payload))
    }

    @Test(arguments: [125, 1000, 70_000])
    func wholeFramesDecodeSplitAtEveryOffset(size: Int) {
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let text = [UInt8](repeating: 0x7A, count: size)
        let binary = WebSocketFrameEncoder.encodeMasked(opcode: .binary, payload: payload, maskKey: 0xCAFE_F00D, fin: true)
        let textFrame = WebSocketFrameEncoder.encodeMasked(opcode: .text, payload: text, maskKey: 0x0BAD_CAFE, fin: true)
        expectDecodes(binary + textFrame, [.binary(payload), .text(text)])
        if size <= 1000 {
            // Every offset, not a sample.
            let both = binary + textFrame
            for offset in 0...both.count {
                let got = decodeResult([Array(both[..<offset]), Array(both[offset...])])
                #expect(got == .success([.binary(payload), .text(text)]), "split at \(offset)")
            }
        }
    }
}
