import Testing
@testable import SocketIOParser

/// RFC 8259 edge cases: what must parse, what must not, and how numbers and strings come out.
@Suite struct JSONCodecStrictnessTests {
    func decode(_ text: String, maxDepth: Int = 64) throws(SocketParseError) -> JSONValue {
        try JSONCodec.decode(Array(text.utf8), maxDepth: maxDepth)
    }

    static let invalid: [String] = [
        "", " ", "[1,]", "{\"a\":1,}", "[,1]", "{,}", "01", "-01", "00", "1.", ".5", "-", "+1", "1e", "1e+",
        "0x10", "NaN", "Infinity", "-Infinity", "nul", "tru", "True", "[1 2]", "{\"a\" 1}", "{a:1}", "{'a':1}",
        "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"a\tb\"", "\"a\nb\"", "\"\u{0}\"", "[1]]", "{} {}",
        "[", "]", "{\"a\":}", "{\"a\"}", "[1,,2]", "\"\\\"", "1 2", "// c\n1", "[1]x", "\u{FEFF}1",
    ]

    @Test(arguments: invalid)
    func rejects(_ text: String) {
        #expect(throws: SocketParseError.badJSON) { try decode(text) }
    }

    /// Strings are scanned eight bytes at a time: whatever ends or breaks a plain run must be seen at
    /// every length around a word and at every position, exactly as byte by byte.
    @Test func stringScanAtEveryLengthAndPosition() throws {
        let quote = UInt8(ascii: "\""), a = UInt8(ascii: "a")
        for length in 0...20 {
            let plain = [UInt8](repeating: a, count: length)
            #expect(try JSONCodec.decode([quote] + plain + [quote]) == .string(String(repeating: "a", count: length)))
            for position in 0..<length {
                func with(_ bytes: [UInt8]) -> [UInt8] {
                    var copy = plain
                    copy.replaceSubrange(position...position, with: bytes)
                    return [quote] + copy + [quote]
                }
                let before = String(repeating: "a", count: position)
                let after = String(repeating: "a", count: length - position - 1)
                #expect(try JSONCodec.decode(with([0x5C, UInt8(ascii: "n")])) == .string(before + "\n" + after))
                #expect(try JSONCodec.decode(with([0x5C, quote])) == .string(before + "\"" + after))
                #expect(try JSONCodec.decode(with([0xC3, 0xA9])) == .string(before + "é" + after))
                #expect(try JSONCodec.decode(with([0x7F])) == .string(before + "\u{7F}" + after))
                for bad: [UInt8] in [[0x00], [0x0A], [0x1F], [0xFF], [0xC3], [quote]] {
                    #expect(throws: SocketParseError.badJSON) { try JSONCodec.decode(with(bad)) }
                }
            }
        }
    }

    @Test func rejectsInvalidUTF8InsideStrings() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
                               [0x22, 0x5C, 0x6E, 0xC0, 0xAF, 0x22]] {
            #expect(throws: SocketParseError.badJSON) { try JSONCodec.decode(bytes) }
        }
    }

    @Test func acceptsWhitespaceAndEveryEscape() throws {
        #expect(try decode(" \t\r\n[ 1 , { \"a\" : null } ]\n") == [1, ["a": nil]])
        #expect(try decode("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20AC\"") == "\"\\/\u{8}\u{C}\n\r\tAé€")
    }

    @Test func surrogatePairsAndLoneSurrogates() throws {
        #expect(try decode("\"\\ud83d\\ude00\"") == "😀")
        #expect(try decode("\"\\uD83D\\uDE00x\"") == "😀x")
        // A Swift String cannot hold a lone surrogate; it becomes U+FFFD (documented on JSONCodec.decode).
        #expect(try decode("\"\\ud83d\"") == "\u{FFFD}")
        #expect(try decode("\"\\ude00\"") == "\u{FFFD}")
        #expect(try decode("\"\\ud83dA\"") == "\u{FFFD}A")
        #expect(try decode("\"\\ud83d\\u0041\"") == "\u{FFFD}A")
        #expect(try decode("\"\\ud83d\\ud83d\\ude00\"") == "\u{FFFD}😀")
        #expect(throws: SocketParseError.badJSON) { try decode("\"\\ud83d\\u00\"") }
    }

    @Test func rawUnicodePassesThrough() throws {
        #expect(try decode("\"héllo wörld 😀 中文\"") == "héllo wörld 😀 中文")
        #expect(try decode("\"a😀\\n中\"") == "a😀\n中")
    }

    @Test func integersStayIntegers() throws {
        #expect(try decode("9223372036854775807") == .int(Int.max))
        #expect(try decode("-9223372036854775808") == .int(Int.min))
        #expect(try decode("9223372036854775808") == .double(9223372036854775808))
        #expect(try decode("-9223372036854775809") == .double(-0x1p63))
        #expect(try decode("123456789012345678901234567890") == .double(1.2345678901234568e29))
        #expect(try decode("1.0") == .double(1))
        #expect(try decode("1E2") == .double(100))
        #expect(try decode("1e-2") == .double(0.01))
        #expect(try decode("-0.5e+1") == .double(-5))
        #expect(try decode("1e400") == .double(.infinity))
    }

    @Test func negativeZeroKeepsItsSignLikeJavaScript() throws {
        let value = try decode("-0")
        guard case .double(let d) = value else { Issue.record("expected a double, got \(value)"); return }
        #expect(d == 0 && d.sign == .minus)
        #expect(try decode("0") == .int(0))
        #expect(JSONCodec.encodeToString(value) == "0")
    }

    @Test func depthLimit() throws {
        let deep = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try decode(deep) }
        let tooDeep = "[" + deep + "]"
        #expect(throws: SocketParseError.badJSON) { try decode(tooDeep) }
        #expect(throws: SocketParseError.badJSON) { try decode("{\"a\":{\"b\":1}}", maxDepth: 1) }
        #expect(try decode("{\"a\":[]}", maxDepth: 2) == ["a": []])
        // Far past any stack: must fail cleanly, not crash.
        let hostile = String(repeating: "[", count: 100_000)
        #expect(throws: SocketParseError.badJSON) { try decode(hostile) }
    }

    @Test func repeatedKeyReplacesValueAndKeepsFirstPosition() throws {
        let value = try decode("{\"a\":1,\"b\":2,\"a\":3}")
        #expect(value.objectValue?.keys == ["a", "b"])
        #expect(value["a"] == 3)
    }

    @Test func decodesFromStringAndNonContiguousCollections() throws {
        #expect(try JSONCodec.decode(string: "[\"é\",1]") == ["é", 1])
        let lazyBytes = "{\"k\":true}".utf8.lazy.map { $0 }
        #expect(try JSONCodec.decode(lazyBytes) == ["k": true])
        #expect(try JSONCodec.decode("[1]".utf8) == [1])
    }
}
