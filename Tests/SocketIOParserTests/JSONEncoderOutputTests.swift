import Testing
@testable import SocketIOParser

/// Byte-exact JSON.stringify output: string escaping and JavaScript number formatting.
@Suite struct JSONEncoderOutputTests {
    func encode(_ value: JSONValue) -> String { JSONCodec.encodeToString(value) }

    @Test func escapesOnlyWhatJSONStringifyEscapes() {
        #expect(encode("a\"b\\c/d") == #""a\"b\\c/d""#)
        #expect(encode("\u{8}\u{C}\n\r\t") == #""\b\f\n\r\t""#)
        #expect(encode("\u{0}\u{1}\u{1F}\u{7F}") == #""\u0000\u0001\u001f"# + "\u{7F}\"")
        #expect(encode("é😀\u{2028}中") == "\"é😀\u{2028}中\"")
        #expect(encode("") == "\"\"")
        #expect(encode(["k\"ey": "v"]) == #"{"k\"ey":"v"}"#)
    }

    @Test(arguments: [
        (0.1, "0.1"), (-0.1, "-0.1"), (1.5, "1.5"), (2.0, "2"), (-2.0, "-2"), (-0.0, "0"), (0.0, "0"),
        (1e21, "1e+21"), (1e20, "100000000000000000000"), (123456789012345680000.0, "123456789012345680000"),
        (1e-6, "0.000001"), (1e-7, "1e-7"), (1.5e-7, "1.5e-7"), (1.2345e-10, "1.2345e-10"),
        (9007199254740992.0, "9007199254740992"), (9007199254740993.0, "9007199254740992"),
        (1.7976931348623157e308, "1.7976931348623157e+308"), (.leastNonzeroMagnitude, "5e-324"), (0.3, "0.3"),
        (0.1 + 0.2, "0.30000000000000004"), (3.14159, "3.14159"), (100.25, "100.25"), (1e300, "1e+300"),
        (-1.5e22, "-1.5e+22"), (123.456e5, "12345600"), (0.000123, "0.000123"), (4.35, "4.35"),
        (.nan, "null"), (.infinity, "null"), (-.infinity, "null"),
    ] as [(Double, String)])
    func doublesPrintLikeJavaScript(_ value: Double, _ expected: String) {
        #expect(encode(.double(value)) == expected)
    }

    @Test func integers() {
        #expect(encode(.int(0)) == "0")
        #expect(encode(.int(7)) == "7")
        #expect(encode(.int(-7)) == "-7")
        #expect(encode(.int(1234567890)) == "1234567890")
        #expect(encode(.int(Int.max)) == "9223372036854775807")
        #expect(encode(.int(Int.min)) == "-9223372036854775808")
    }

    @Test func keepsKeyOrderAndIsCompact() {
        var object = JSONObject()
        object["z"] = 1
        object["a"] = [true, false, nil]
        object["m"] = ["x": "y"]
        #expect(encode(.object(object)) == #"{"z":1,"a":[true,false,null],"m":{"x":"y"}}"#)
    }

    @Test func strayBinaryIsWrittenLikeANodeBuffer() {
        #expect(encode(["b": .binary([1, 255])]) == #"{"b":{"type":"Buffer","data":[1,255]}}"#)
    }

    @Test func appendsToExistingOutput() {
        var out = Array("x=".utf8)
        JSONCodec.encode([1, "2"], into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"x=[1,"2"]"#)
    }

    @Test func descriptionIsJSON() {
        let value: JSONValue = ["a": [1, 2.5]]
        #expect(value.description == #"{"a":[1,2.5]}"#)
        #expect(JSONObject(dictionaryLiteral: ("k", "v")).description == #"{"k":"v"}"#)
    }
}
