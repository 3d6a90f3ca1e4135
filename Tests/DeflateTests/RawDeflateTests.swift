import Testing
@testable import Deflate

@Suite struct RawDeflateTests {
    let hello = Array("Hello".utf8)

    @Test func syncFlushTail() {
        let deflater = RawDeflater()
        let out = deflater.compress(hello)
        #expect(Array(out.suffix(4)) == [0x00, 0x00, 0xFF, 0xFF])
        #expect(RawInflater().decompress(out, maxOutput: 100) == hello)
    }

    @Test func streamSharesContextUntilReset() {
        let deflater = RawDeflater()
        let inflater = RawInflater()
        let first = deflater.compress(hello)
        let second = deflater.compress(hello)
        #expect(second.count < first.count)
        #expect(inflater.decompress(first, maxOutput: 100) == hello)
        #expect(inflater.decompress(second, maxOutput: 100) == hello)
        deflater.reset()
        inflater.reset()
        #expect(deflater.compress(hello) == first)
        #expect(inflater.decompress(first, maxOutput: 100) == hello)
    }

    @Test func repeatedEmptyInputStaysValid() {
        let deflater = RawDeflater()
        let inflater = RawInflater()
        for _ in 0..<3 {
            let out = deflater.compress([])
            #expect(Array(out.suffix(4)) == [0x00, 0x00, 0xFF, 0xFF])
            #expect(inflater.decompress(out, maxOutput: 10) == [])
        }
        #expect(inflater.decompress(deflater.compress(hello), maxOutput: 10) == hello)
    }

    @Test func smallWindows() {
        let message = Array(String(repeating: "abcdefghij", count: 300).utf8)
        for bits in [8, 9, 12] {
            let deflater = RawDeflater(windowBits: bits)
            let inflater = RawInflater(windowBits: bits)
            for _ in 0..<3 {
                #expect(inflater.decompress(deflater.compress(message), maxOutput: message.count) == message)
            }
        }
    }

    @Test func largeOutputSpansManyScratchBuffers() {
        let message = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 / 7) }
        let compressed = RawDeflater(level: 1).compress(message)
        #expect(RawInflater().decompress(compressed, maxOutput: message.count) == message)
    }

    @Test func capAndCorruption() {
        let big = RawDeflater().compress([UInt8](repeating: 0x41, count: 50_000))
        #expect(RawInflater().inflate(big, maxOutput: 49_999) == .tooLarge)
        #expect(RawInflater().decompress(big, maxOutput: 49_999) == nil)
        #expect(RawInflater().decompress(big, maxOutput: 50_000)?.count == 50_000)
        #expect(RawInflater().inflate([0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xFF, 0xFF], maxOutput: 100) == .corrupt)
    }
}
