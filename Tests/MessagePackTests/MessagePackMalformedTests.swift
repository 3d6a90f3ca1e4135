import Testing
@testable import MessagePack

/// Input a peer of another version, a bug or an attacker could send: every case throws the error that
/// names it, nothing crashes, and declared sizes are checked before anything is allocated.
@Suite struct MessagePackMalformedTests {
    static let fixtures: [[UInt8]] = WireSamples.complete.map(\.bytes) + [
        MessagePack.encode(.timestamp(seconds: -1, nanoseconds: 5)),
        MessagePack.encode([.binary([1, 2, 3]), .ext(type: 9, data: [1, 2, 3]), "é", 1.5, .int(Int64.min), .uint(UInt64.max)]),
        hex("ca3fc00000"), hex("d40000"),
    ] + PythonMsgpackCorpus.samples.map(hex)

    @Test(arguments: fixtures)
    func truncatedAtEveryOffsetThrows(_ bytes: [UInt8]) {
        for length in 0..<bytes.count {
            do {
                _ = try MessagePack.decode(Array(bytes.prefix(length)))
                Issue.record("a prefix of \(length) of \(bytes.count) bytes decoded")
            } catch {
                switch error {
                case .truncated(let at), .tooLarge(_, _, let at):
                    #expect(at <= length)
                default:
                    Issue.record("prefix \(length): \(error)")
                }
            }
        }
        #expect(throws: Never.self) { try MessagePack.decode(bytes) }
    }

    @Test func emptyInputIsTruncated() {
        #expect(throws: MessagePackError.truncated(at: 0)) { try MessagePack.decode([UInt8]()) }
    }

    @Test func truncatedFixedWidthFieldsNameTheirOffset() {
        #expect(throws: MessagePackError.truncated(at: 1)) { try MessagePack.decode(hex("cd01")) }
        #expect(throws: MessagePackError.truncated(at: 2)) { try MessagePack.decode(hex("91cb00")) }
        #expect(throws: MessagePackError.truncated(at: 1)) { try MessagePack.decode(hex("d6")) }  // no type byte
        // An array whose count exceeds the bytes left is refused at its header.
        #expect(throws: MessagePackError.tooLarge(declared: 2, available: 1, at: 0)) { try MessagePack.decode(hex("9201")) }
    }

    static let invalid: [(String, MessagePackError)] = [
        // 0xc1 is never used.
        ("c1", .invalidByte(0xc1, at: 0)), ("9201c1", .invalidByte(0xc1, at: 2)), ("81c101", .invalidByte(0xc1, at: 1)),
        // str that is not UTF-8: a stray continuation byte, a cut sequence, an overlong form, a
        // surrogate, a code point above U+10FFFF.
        ("a180", .invalidUTF8(at: 0)), ("a2c328", .invalidUTF8(at: 0)), ("a2c080", .invalidUTF8(at: 0)),
        ("a3eda080", .invalidUTF8(at: 0)), ("a4f4908080", .invalidUTF8(at: 0)), ("91d901ff", .invalidUTF8(at: 1)),
        // Timestamps of other sizes or with nanoseconds of a second or more.
        ("d4ff00", .invalidTimestamp(at: 0)), ("d5ff0000", .invalidTimestamp(at: 0)), ("c700ff", .invalidTimestamp(at: 0)),
        ("d8ff00000000000000000000000000000000", .invalidTimestamp(at: 0)),
        ("d7ffee6b280000000000", .invalidTimestamp(at: 0)),  // 1,000,000,000 ns in the 64-bit form
        ("c70cff3b9aca000000000000000000", .invalidTimestamp(at: 0)),
        // Declared lengths beyond the input, refused before any allocation.
        ("dbffffffff", .tooLarge(declared: 0xffff_ffff, available: 0, at: 0)),
        ("c6ffffffff", .tooLarge(declared: 0xffff_ffff, available: 0, at: 0)),
        ("c9ffffffff01", .tooLarge(declared: 0xffff_ffff, available: 0, at: 0)),
        ("ddffffffff", .tooLarge(declared: 0xffff_ffff, available: 0, at: 0)),
        ("dfffffffff", .tooLarge(declared: 0xffff_ffff, available: 0, at: 0)),
        ("deffff", .tooLarge(declared: 65535, available: 0, at: 0)),
        ("a5616263", .tooLarge(declared: 5, available: 3, at: 0)),
        ("9201d9056162", .tooLarge(declared: 5, available: 2, at: 2)),
        ("93010203" + "04", .trailingBytes(at: 4)),
        // A map needs two bytes per entry at least.
        ("820102", .tooLarge(declared: 2, available: 2, at: 0)),
        // Bytes after a complete value.
        ("c0c0", .trailingBytes(at: 1)), ("9100ff", .trailingBytes(at: 2)),
    ]

    @Test(arguments: invalid)
    func rejects(_ bytes: String, _ error: MessagePackError) {
        #expect(throws: error) { try MessagePack.decode(hex(bytes)) }
    }

    /// The hand-written UTF-8 check agrees with the standard library's on random and edge-case bytes.
    @Test func utf8CheckAgreesWithTheStandardLibrary() {
        var rng = SeededRandom(seed: 0x0738)
        let interesting: [UInt8] = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
                                    0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff]
        for round in 0..<200_000 {
            let bytes = (0..<Int.random(in: 0...6, using: &rng)).map { _ in
                Bool.random(using: &rng) ? interesting.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            let actual = bytes.withUnsafeBytes { UTF8Validation.isValid($0) }
            if actual != expected {
                Issue.record("round \(round): \(hexString(bytes)) valid=\(expected)")
                return
            }
        }
    }

    @Test func errorsSayWhatIsWrong() {
        #expect("\(MessagePackError.invalidByte(0xc1, at: 3))".contains("0xc1 at byte 3"))
        #expect("\(MessagePackError.depthExceeded(64))".contains("MessagePackLimits.maxDepth"))
        #expect("\(MessagePackError.tooLarge(declared: 9, available: 2, at: 0))".contains("9"))
    }

    /// 100,000 nested arrays stop at the depth limit, without recursion.
    @Test func depthBombStopsAtTheLimit() {
        #expect(throws: MessagePackError.depthExceeded(64)) { try MessagePack.decode(nestedArrays(depth: 100_000)) }
        let maps: [UInt8] = Array(repeating: [UInt8]([0x81, 0xc0]), count: 100_000).flatMap { $0 } + [0xc0]
        #expect(throws: MessagePackError.depthExceeded(64)) { try MessagePack.decode(maps) }
    }

    /// With the limit raised, deep nesting decodes: the decoder keeps its own stack.
    @Test func deepNestingDecodesIteratively() throws {
        var value = try MessagePack.decode(nestedArrays(depth: 20_000), limits: .init(maxDepth: 20_000))
        var depth = 1
        while case .array(let elements) = value, let inner = elements.first {
            value = inner
            depth += 1
        }
        #expect(depth == 20_000)
    }

    @Test func depthLimitAtAndPastIt() throws {
        _ = try MessagePack.decode(nestedArrays(depth: 64))
        #expect(throws: MessagePackError.depthExceeded(64)) { try MessagePack.decode(nestedArrays(depth: 65)) }
        let three = MessagePackLimits(maxDepth: 3)
        #expect(try MessagePack.decode(hex("9191" + "81a161c0"), limits: three) == [[["a": nil]]])
        #expect(throws: MessagePackError.depthExceeded(3)) { try MessagePack.decode(hex("919191" + "90"), limits: three) }
        let none = MessagePackLimits(maxDepth: 0)
        #expect(try MessagePack.decode(hex("a161"), limits: none) == "a")
        #expect(throws: MessagePackError.depthExceeded(0)) { try MessagePack.decode(hex("90"), limits: none) }
    }

    @Test func itemLimitAtAndPastIt() throws {
        // [1, {"a": 2}] is 5 values: the array, 1, the map, "a", 2.
        let bytes = hex("9201" + "81a16102")
        #expect(try MessagePack.decode(bytes, limits: .init(maxItems: 5)) == [1, ["a": 2]])
        #expect(throws: MessagePackError.tooManyItems(4)) { try MessagePack.decode(bytes, limits: .init(maxItems: 4)) }
        #expect(throws: MessagePackError.tooManyItems(0)) { try MessagePack.decode(hex("c0"), limits: .init(maxItems: 0)) }
        // A map 16 of 65,535 entries with every byte present is refused by its count, before reserving.
        let big = hex("deffff") + Array(repeating: 0xc0, count: 2 * 65535)
        #expect(throws: MessagePackError.tooManyItems(1000)) { try MessagePack.decode(big, limits: .init(maxItems: 1000)) }
        #expect(try MessagePack.decode(big, limits: .init(maxItems: 2 * 65535 + 1)).mapValue?.count == 65535)
    }

    @Test func byteLimitAtAndPastIt() throws {
        let bytes = WireSamples.broadcast.bytes
        _ = try MessagePack.decode(bytes, limits: .init(maxBytes: bytes.count))
        #expect(throws: MessagePackError.inputTooLarge(size: bytes.count, limit: bytes.count - 1)) {
            try MessagePack.decode(bytes, limits: .init(maxBytes: bytes.count - 1))
        }
    }

    /// Random bytes and single-byte mutations of the captures: a value or a `MessagePackError`, never a
    /// crash; whatever decodes re-encodes to bytes that decode to the same encoding.
    @Test func randomAndMutatedInputNeverCrashes() {
        var rng = SeededRandom(seed: 0xC0DEC)
        var inputs: [[UInt8]] = []
        for _ in 0..<20_000 {
            inputs.append((0..<Int.random(in: 0...48, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
        for fixture in Self.fixtures {
            for position in fixture.indices {
                var mutated = fixture
                mutated[position] = UInt8.random(in: 0...255, using: &rng)
                inputs.append(mutated)
            }
        }
        var decoded = 0
        for input in inputs {
            guard let value = try? MessagePack.decode(input, limits: .init(maxDepth: 8, maxItems: 10_000)) else { continue }
            decoded += 1
            let encoded = MessagePack.encode(value)
            #expect((try? MessagePack.decode(encoded)).map(MessagePack.encode) == encoded)
        }
        #expect(decoded > 300)  // the success paths ran too
    }
}
