import Testing
@testable import RESP

@Suite struct RESPMalformedTests {
    static let cases: [(String, RESPError)] = [
        ("?what\r\n", .invalidTypeByte(UInt8(ascii: "?"))),
        ("HTTP/1.1 400 Bad Request\r\n", .invalidTypeByte(UInt8(ascii: "H"))),
        ("*1\r\n@x\r\n", .invalidTypeByte(UInt8(ascii: "@"))),
        (":12a\r\n", .invalidInteger("12a")),
        (":\r\n", .invalidInteger("")),
        (":-\r\n", .invalidInteger("-")),
        (":9223372036854775808\r\n", .invalidInteger("9223372036854775808")),
        (":-9223372036854775809\r\n", .invalidInteger("-9223372036854775809")),
        ("$abc\r\n", .invalidLength("abc")),
        ("$-2\r\n", .invalidLength("-2")),
        ("$\r\n", .invalidLength("")),
        ("$+5\r\nhello\r\n", .invalidLength("+5")),
        ("$1234567890123456789\r\n", .invalidLength("1234567890123456789")),
        ("*-5\r\n", .invalidLength("-5")),
        ("%-1\r\n", .invalidLength("-1")),
        ("~x\r\n", .invalidLength("x")),
        ("!-1\r\n", .invalidLength("-1")),
        ("+OK\n", .invalidLineEnding),
        ("\n", .invalidTypeByte(10)),
        ("H", .invalidTypeByte(UInt8(ascii: "H"))),
        ("\r\n", .invalidTypeByte(13)),
        ("+\n", .invalidLineEnding),
        ("$3\r\nabcd\r\n", .invalidLineEnding),
        ("$3\r\nabc\n\r", .invalidLineEnding),
        ("_x\r\n", .invalidValue("_x")),
        ("#x\r\n", .invalidValue("#x")),
        ("#\r\n", .invalidValue("#")),
        (",abc\r\n", .invalidValue(",abc")),
        (",0x1p3\r\n", .invalidValue(",0x1p3")),
        (",\r\n", .invalidValue(",")),
        ("(12a\r\n", .invalidValue("(12a")),
        ("(-\r\n", .invalidValue("(-")),
        ("=3\r\ntxt\r\n", .invalidValue("=txt")),
        ("=5\r\ntxt-x\r\n", .invalidValue("=txt-x")),
    ]

    @Test(arguments: cases.indices)
    func malformedInputThrows(_ index: Int) {
        let (text, expected) = Self.cases[index]
        var decoder = RESPDecoder()
        decoder.feed(Array(text.utf8))
        #expect(throws: expected, "\(text.debugDescription)") { while try decoder.next() != nil {} }
        // The decoder stays failed: a broken stream is never resynchronised by accident.
        decoder.feed(Array("+OK\r\n".utf8))
        #expect(throws: expected) { try decoder.next() }
    }

    @Test func errorsSayWhatIsWrong() {
        #expect(RESPError.bulkTooLarge(length: 10, limit: 5).description.contains("maxBulkBytes"))
        #expect(RESPError.invalidTypeByte(0x48).description.contains("0x48"))
    }
}

@Suite struct RESPLimitTests {
    func decode(_ text: String, _ limits: RESPLimits) throws(RESPError) -> RESPValue? {
        var decoder = RESPDecoder(limits: limits)
        decoder.feed(Array(text.utf8))
        return try decoder.next()
    }

    @Test func bulkAtTheLimitAndOnePast() throws {
        let limits = RESPLimits(maxBulkBytes: 4)
        #expect(try decode("$4\r\nabcd\r\n", limits) == bulk("abcd"))
        // Refused on the header, before any body byte is there.
        #expect(throws: RESPError.bulkTooLarge(length: 5, limit: 4)) { try decode("$5\r\n", limits) }
        #expect(throws: RESPError.bulkTooLarge(length: 5, limit: 4)) { try decode("!5\r\n", limits) }
    }

    @Test func arrayCountAtTheLimitAndOnePast() throws {
        let limits = RESPLimits(maxArrayCount: 2)
        #expect(try decode("*2\r\n:1\r\n:2\r\n", limits) == .array([.integer(1), .integer(2)]))
        #expect(throws: RESPError.arrayTooLarge(count: 3, limit: 2)) { try decode("*3\r\n", limits) }
        #expect(throws: RESPError.arrayTooLarge(count: 3, limit: 2)) { try decode("%3\r\n", limits) }
        #expect(throws: RESPError.arrayTooLarge(count: 3, limit: 2)) { try decode(">3\r\n", limits) }
    }

    @Test func depthAtTheLimitAndOnePast() throws {
        let limits = RESPLimits(maxDepth: 3)
        #expect(try decode("*1\r\n*1\r\n*1\r\n:1\r\n", limits) == .array([.array([.array([.integer(1)])])]))
        #expect(try decode("*1\r\n*1\r\n*0\r\n", limits) == .array([.array([.array([])])]))
        #expect(throws: RESPError.nestingTooDeep(limit: 3)) { try decode("*1\r\n*1\r\n*1\r\n*0\r\n", limits) }
        #expect(throws: RESPError.nestingTooDeep(limit: 3)) { try decode("*1\r\n%1\r\n~1\r\n>1\r\n", limits) }
    }

    @Test func lineAtTheLimitAndOnePast() throws {
        let limits = RESPLimits(maxLineBytes: 5)
        #expect(try decode("+abcde\r\n", limits) == .simpleString("abcde"))
        #expect(throws: RESPError.lineTooLong(limit: 5)) { try decode("+abcdef\r\n", limits) }
        // Without its end: refused once the line can no longer fit, not buffered forever.
        #expect(try decode("+abcde\r", limits) == nil)
        #expect(throws: RESPError.lineTooLong(limit: 5)) { try decode("+abcdef\r", limits) }
        #expect(throws: RESPError.lineTooLong(limit: 5)) { try decode("+abcdefgh", limits) }
    }

    @Test func defaultsAreSensible() {
        let limits = RESPLimits()
        #expect(limits.maxBulkBytes == 64 << 20)
        #expect(limits.maxDepth >= 8)
    }
}
