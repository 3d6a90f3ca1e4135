@testable import RESP

/// Bytes as Redis sends them, with the value each must decode to.
struct Fixture: Sendable {
    let name: String
    let bytes: [UInt8]
    let value: RESPValue
    /// False where our encoder writes another (equally valid) form, e.g. a double's digits.
    var canonical = true

    init(_ name: String, _ text: String, _ value: RESPValue, canonical: Bool = true) {
        self.init(name, Array(text.utf8), value, canonical: canonical)
    }

    init(_ name: String, _ bytes: [UInt8], _ value: RESPValue, canonical: Bool = true) {
        self.name = name
        self.bytes = bytes
        self.value = value
        self.canonical = canonical
    }
}

func bulk(_ text: String) -> RESPValue { .bulkString(Array(text.utf8)) }

/// Every byte value, CR and LF included: a bulk string must not care.
let allBytes: [UInt8] = (0...255).map { UInt8($0) }

let fixtures: [Fixture] = [
    Fixture("simple string", "+OK\r\n", .simpleString("OK")),
    Fixture("empty simple string", "+\r\n", .simpleString("")),
    Fixture("error", "-ERR unknown command 'FOO'\r\n", .error("ERR unknown command 'FOO'")),
    Fixture("wrongpass error", "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
            .error("WRONGPASS invalid username-password pair or user is disabled.")),
    Fixture("integer", ":1\r\n", .integer(1)),
    Fixture("zero", ":0\r\n", .integer(0)),
    Fixture("negative integer", ":-42\r\n", .integer(-42)),
    Fixture("Int64.max", ":9223372036854775807\r\n", .integer(.max)),
    Fixture("Int64.min", ":-9223372036854775808\r\n", .integer(.min)),
    Fixture("bulk string", "$5\r\nhello\r\n", bulk("hello")),
    Fixture("empty bulk string", "$0\r\n\r\n", .bulkString([])),
    Fixture("nil bulk string", "$-1\r\n", .bulkString(nil)),
    Fixture("bulk string of every byte", Array("$256\r\n".utf8) + allBytes + [13, 10], .bulkString(allBytes)),
    Fixture("bulk string holding CRLF", "$4\r\n\r\n\r\n\r\n", .bulkString([13, 10, 13, 10])),
    Fixture("array", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", .array([bulk("GET"), bulk("k")])),
    Fixture("empty array", "*0\r\n", .array([])),
    Fixture("nil array", "*-1\r\n", .array(nil)),
    Fixture("mixed array", "*5\r\n:1\r\n+OK\r\n$-1\r\n-ERR x\r\n*-1\r\n",
            .array([.integer(1), .simpleString("OK"), .bulkString(nil), .error("ERR x"), .array(nil)])),
    Fixture("nested arrays", "*2\r\n*2\r\n:1\r\n*0\r\n*1\r\n*1\r\n$1\r\nx\r\n",
            .array([.array([.integer(1), .array([])]), .array([.array([bulk("x")])])])),
    Fixture("subscribe confirmation", "*3\r\n$9\r\nsubscribe\r\n$11\r\nsocket.io#/\r\n:1\r\n",
            .array([bulk("subscribe"), bulk("socket.io#/"), .integer(1)])),
    Fixture("pub/sub message", "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n",
            .array([bulk("message"), bulk("news"), bulk("hello")])),
    Fixture("pub/sub pattern message with binary payload",
            Array("*4\r\n$8\r\npmessage\r\n$12\r\nsocket.io#/*\r\n$17\r\nsocket.io#/#room#\r\n$5\r\n".utf8)
                + [0x93, 0xa1, 0x0d, 0x0a, 0x00] + [13, 10],
            .array([bulk("pmessage"), bulk("socket.io#/*"), bulk("socket.io#/#room#"), .bulkString([0x93, 0xa1, 0x0d, 0x0a, 0x00])])),
    Fixture("NUMSUB reply", "*2\r\n$11\r\nsocket.io#/\r\n:2\r\n", .array([bulk("socket.io#/"), .integer(2)])),
    // RESP3
    Fixture("null", "_\r\n", .null),
    Fixture("true", "#t\r\n", .boolean(true)),
    Fixture("false", "#f\r\n", .boolean(false)),
    Fixture("double", ",1.5\r\n", .double(1.5)),
    Fixture("double with exponent", ",1e3\r\n", .double(1000), canonical: false),
    Fixture("infinity", ",inf\r\n", .double(.infinity)),
    Fixture("negative infinity", ",-inf\r\n", .double(-.infinity)),
    Fixture("big number", "(3492890328409238509324850943850943825024385\r\n", .bigNumber("3492890328409238509324850943850943825024385")),
    Fixture("blob error", "!21\r\nSYNTAX invalid syntax\r\n", .error("SYNTAX invalid syntax"), canonical: false),
    Fixture("verbatim string", "=15\r\ntxt:Some string\r\n", .verbatimString(format: "txt", text: Array("Some string".utf8))),
    Fixture("map", "%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n*1\r\n:2\r\n",
            .map([RESPPair(.simpleString("first"), .integer(1)), RESPPair(bulk("second"), .array([.integer(2)]))])),
    Fixture("empty map", "%0\r\n", .map([])),
    Fixture("set", "~2\r\n+a\r\n+b\r\n", .set([.simpleString("a"), .simpleString("b")])),
    Fixture("push message", ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nx\r\n", .push([bulk("message"), bulk("ch"), bulk("x")])),
]
