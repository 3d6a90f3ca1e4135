import Testing
@testable import SocketIOParser

@Suite struct JSONCodecBasicTests {
    func decode(_ text: String) throws -> JSONValue { try JSONCodec.decode(Array(text.utf8)) }
    func encode(_ value: JSONValue) -> String { JSONCodec.encodeToString(value) }

    @Test func scalars() throws {
        #expect(try decode("null") == .null)
        #expect(try decode("true") == .bool(true))
        #expect(try decode("false") == .bool(false))
        #expect(try decode("0") == .int(0))
        #expect(try decode("-12") == .int(-12))
        #expect(try decode("1.5") == .double(1.5))
        #expect(try decode("1e3") == .double(1000))
        #expect(try decode(" \"a\\nb\" ") == .string("a\nb"))
    }

    @Test func nestedRoundTrip() throws {
        let value: JSONValue = ["a": [1, 2.5, "x", nil, true], "b": ["c": [:], "d": []]]
        let text = encode(value)
        #expect(text == "{\"a\":[1,2.5,\"x\",null,true],\"b\":{\"c\":{},\"d\":[]}}")
        #expect(try decode(text) == value)
    }
}
