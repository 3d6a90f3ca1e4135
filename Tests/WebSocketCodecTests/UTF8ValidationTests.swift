import Testing
@testable import WebSocketCodec

@Suite struct UTF8ValidationTests {
    @Test func multiByteCharactersSplitAcrossFragments() {
        let euro: [UInt8] = [0xE2, 0x82, 0xAC]
        expectDecodes(masked(.text, [euro[0]], fin: false) + masked(.continuation, Array(euro[1...])), [.text(euro)])
        let grin: [UInt8] = [0xF0, 0x9F, 0x98, 0x80]
        let frames = masked(.text, [grin[0]], fin: false) + masked(.ping, []) + masked(.continuation, [grin[1], grin[2]], fin: false)
            + masked(.continuation, [grin[3]])
        expectDecodes(frames, [.ping([]), .text(grin)])
        let kosme = Array("κόσμε".utf8)
        expectDecodes(masked(.text, kosme), [.text(kosme)])
    }

    @Test func invalidSequencesFail() {
        let cases: [[UInt8]] = [
            [0xC0, 0xAF], [0xC1, 0xBF], [0xE0, 0x80, 0xAF], [0xE0, 0x9F, 0xBF], [0xF0, 0x80, 0x80, 0xAF], // overlong
            [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], // surrogates
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], // past U+10FFFF / never valid
            [0x80], [0x61, 0xBF], [0xE2, 0x28, 0xA1], // stray continuation, bad continuation
        ]
        for bad in cases {
            expectFailure(masked(.text, bad), code: 1007)
            expectFailure(masked(.text, [0x61], fin: false) + masked(.continuation, bad), code: 1007)
        }
    }

    @Test func messageEndingMidSequenceFails() {
        expectFailure(masked(.text, [0xE2, 0x82]), code: 1007)
        expectFailure(masked(.text, [0x61, 0xF0], fin: false) + masked(.continuation, [0x9F, 0x98]), code: 1007)
    }

    @Test func binaryIsNotValidated() {
        expectDecodes(masked(.binary, [0xFF, 0xC0]), [.binary([0xFF, 0xC0])])
    }

    @Test func invalidTextFailsBeforeFrameCompletes() {
        var decoder = WebSocketDecoder(maxMessageBytes: 1 << 20)
        let payload = [0x61, 0x62, 0xC0, 0xAF] + [UInt8](repeating: 0x61, count: 1000)
        let frame = masked(.text, payload)
        decoder.feed(Array(frame[..<12])) // 8-byte header + first 4 payload bytes
        #expect(nextError(&decoder)?.closeCode == 1007)
    }

    @Test func boundaryCodePoints() {
        let valid: [[UInt8]] = [
            [0x7F], [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80],
            [0xEF, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],
        ]
        for bytes in valid {
            var validator = UTF8Validator()
            #expect(validator.validate(bytes) && validator.isAtBoundary, "\(bytes)")
        }
    }

    @Test func agreesWithStandardLibraryOnRandomInput() {
        // Deterministic pseudo-random bytes biased toward the interesting high range.
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func nextByte() -> UInt8 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let raw = UInt8(truncatingIfNeeded: seed >> 33)
            return raw < 0x40 ? raw : raw | 0x80
        }
        for _ in 0..<20000 {
            let length = Int(nextByte() % 12)
            let sample = (0..<length).map { _ in nextByte() }
            let expected = String(validating: sample, as: UTF8.self) != nil
            var whole = UTF8Validator()
            #expect((whole.validate(sample) && whole.isAtBoundary) == expected, "\(sample)")
            // Fed one byte at a time, the answer must not change.
            var piecewise = UTF8Validator()
            let ok = sample.allSatisfy { piecewise.validate([$0]) } && piecewise.isAtBoundary
            #expect(ok == expected, "\(sample) byte by byte")
        }
    }

    @Test func longAsciiRunsUseTheFastPathCorrectly() {
        for prefix in 0..<17 {
            let text = [UInt8](repeating: 0x41, count: prefix) + [0xC3, 0xA9] + [UInt8](repeating: 0x42, count: 9)
            var validator = UTF8Validator()
            #expect(validator.validate(text) && validator.isAtBoundary)
            var bad = UTF8Validator()
            let accepted = bad.validate([UInt8](repeating: 0x41, count: prefix) + [0xC3, 0x41])
            #expect(!accepted)
        }
    }
}
