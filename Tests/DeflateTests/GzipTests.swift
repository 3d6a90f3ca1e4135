import Testing
@testable import Deflate

@Suite struct GzipTests {
    let text = Array(String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 200).utf8)

    @Test func roundTrip() {
        let compressed = Gzip.compress(text)
        #expect(Array(compressed[..<3]) == [0x1F, 0x8B, 0x08]) // gzip magic + deflate method
        #expect(compressed.count < text.count / 10)
        #expect(Gzip.decompress(compressed, maxOutput: text.count) == text)
    }

    @Test func emptyAndIncompressibleInput() {
        #expect(Gzip.decompress(Gzip.compress([]), maxOutput: 0) == [])
        var seed: UInt32 = 7
        let noise = (0..<100_000).map { _ -> UInt8 in
            seed = seed &* 1_103_515_245 &+ 12345
            return UInt8(truncatingIfNeeded: seed >> 16)
        }
        #expect(Gzip.decompress(Gzip.compress(noise, level: 1), maxOutput: noise.count) == noise)
        #expect(Gzip.decompress(Gzip.compress(noise, level: 9), maxOutput: noise.count) == noise)
    }

    @Test func corruptInputIsNil() {
        let compressed = Gzip.compress(text)
        #expect(Gzip.decompress([], maxOutput: 1000) == nil)
        #expect(Gzip.decompress(Array("not gzip at all".utf8), maxOutput: 1000) == nil)
        #expect(Gzip.decompress(Array(compressed.dropLast(10)), maxOutput: 100_000) == nil) // truncated
        var flipped = compressed
        flipped[flipped.count - 6] ^= 0xFF // CRC32 trailer
        #expect(Gzip.decompress(flipped, maxOutput: 100_000) == nil)
        var body = compressed
        body[12] ^= 0x55
        #expect(Gzip.decompress(body, maxOutput: 100_000) == nil)
    }

    @Test func outputCapIsHonoured() {
        let compressed = Gzip.compress(text)
        #expect(Gzip.decompress(compressed, maxOutput: text.count - 1) == nil)
        #expect(Gzip.decompress(compressed, maxOutput: text.count) == text)
        let bomb = Gzip.compress([UInt8](repeating: 0, count: 10_000_000))
        #expect(bomb.count < 20_000)
        #expect(Gzip.decompress(bomb, maxOutput: 1 << 20) == nil)
    }
}
