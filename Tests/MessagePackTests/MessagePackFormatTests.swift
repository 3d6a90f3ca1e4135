import Testing
@testable import MessagePack

/// Every format at the edges of its range: the encoder picks what notepack.io 3.x picks, and the
/// decoder reads it back to the same value.
@Suite struct MessagePackFormatTests {
    static let integers: [(MessagePackValue, String)] = [
        (0, "00"), (1, "01"), (127, "7f"), (128, "cc80"), (255, "ccff"), (256, "cd0100"),
        (65535, "cdffff"), (65536, "ce00010000"), (4_294_967_295, "ceffffffff"),
        (4_294_967_296, "cf0000000100000000"), (.int(Int64.max), "cf7fffffffffffffff"),
        (.uint(1 << 63), "cf8000000000000000"), (.uint(UInt64.max), "cfffffffffffffffff"),
        (-1, "ff"), (-32, "e0"), (-33, "d0df"), (-128, "d080"), (-129, "d1ff7f"), (-32768, "d18000"),
        (-32769, "d2ffff7fff"), (-2_147_483_648, "d280000000"), (-2_147_483_649, "d3ffffffff7fffffff"),
        (.int(Int64.min), "d38000000000000000"),
    ]

    static let scalars: [(MessagePackValue, String)] = [
        (nil, "c0"), (false, "c2"), (true, "c3"),
        (1.5, "cb3ff8000000000000"), (-0.0, "cb8000000000000000"), (.double(2), "cb4000000000000000"),
        (.double(.infinity), "cb7ff0000000000000"), (.double(-.infinity), "cbfff0000000000000"),
        (.double(.leastNonzeroMagnitude), "cb0000000000000001"),
    ]

    /// The timestamp extension in the smallest of its three forms.
    static let timestamps: [(MessagePackValue, String)] = [
        (.timestamp(seconds: 0, nanoseconds: 0), "d6ff00000000"),
        (.timestamp(seconds: 960_854_400, nanoseconds: 0), "d6ff39457980"),  // notepack README: 2000-06-13
        (.timestamp(seconds: 4_294_967_295, nanoseconds: 0), "d6ffffffffff"),
        (.timestamp(seconds: 4_294_967_296, nanoseconds: 0), "d7ff0000000100000000"),
        (.timestamp(seconds: 0, nanoseconds: 1), "d7ff0000000400000000"),
        (.timestamp(seconds: 1_704_164_645, nanoseconds: 678_000_000), "d7ffa1a5d60065937d25"),
        (.timestamp(seconds: (1 << 34) - 1, nanoseconds: 999_999_999), "d7ffee6b27ffffffffff"),
        (.timestamp(seconds: 1 << 34, nanoseconds: 0), "c70cff000000000000000400000000"),
        (.timestamp(seconds: -1, nanoseconds: 0), "c70cff00000000ffffffffffffffff"),
        (.timestamp(seconds: -1, nanoseconds: 500_000_000), "c70cff1dcd6500ffffffffffffffff"),
        (.timestamp(seconds: Int64.min, nanoseconds: 999_999_999), "c70cff3b9ac9ff8000000000000000"),
    ]

    static let extensions: [(MessagePackValue, String)] = [
        (.ext(type: 5, data: [0xaa]), "d405aa"), (.ext(type: -2, data: [1, 2]), "d5fe0102"),
        (.ext(type: 5, data: [1, 2, 3, 4]), "d60501020304"),
        (.ext(type: 127, data: Array(1...8)), "d77f0102030405060708"),
        (.ext(type: -128, data: Array(1...16)), "d880" + "0102030405060708090a0b0c0d0e0f10"),
        (.ext(type: 5, data: []), "c70005"), (.ext(type: 5, data: [1, 2, 3]), "c7030501" + "0203"),
        (.ext(type: 5, data: Array(repeating: 7, count: 17)), "c71105" + String(repeating: "07", count: 17)),
        // Type 0 in ext 8 is not notepack 2.x `undefined` (that is fixext 1 only): kept raw.
        // …and the encoder writes a one-byte type 0 as ext 8 so that it reads back as itself.
        (.ext(type: 0, data: [0]), "c7010000"), (.ext(type: 0, data: [1, 2]), "d5000102"),
    ]

    @Test(arguments: integers + scalars + timestamps + extensions)
    func encodesAndDecodes(_ value: MessagePackValue, _ expected: String) throws {
        let bytes = MessagePack.encode(value)
        #expect(hexString(bytes) == expected)
        #expect(try MessagePack.decode(hex(expected)) == value)
    }

    @Test func nanIsWrittenAsFloat64AndReadBack() throws {
        #expect(hexString(MessagePack.encode(.double(.nan))) == "cb7ff8000000000000")
        guard case .double(let d) = try MessagePack.decode(hex("cb7ff8000000000000")) else {
            Issue.record("not a double"); return
        }
        #expect(d.isNaN)
    }

    /// Length-prefixed formats at each boundary: (length, expected header).
    static let stringHeaders: [(Int, String)] = [
        (0, "a0"), (31, "bf"), (32, "d920"), (255, "d9ff"), (256, "da0100"), (65535, "daffff"), (65536, "db00010000"),
    ]
    static let binaryHeaders: [(Int, String)] = [
        (0, "c400"), (1, "c401"), (255, "c4ff"), (256, "c50100"), (65535, "c5ffff"), (65536, "c600010000"),
    ]
    static let arrayHeaders: [(Int, String)] = [
        (0, "90"), (15, "9f"), (16, "dc0010"), (65535, "dcffff"), (65536, "dd00010000"),
    ]
    static let mapHeaders: [(Int, String)] = [
        (0, "80"), (15, "8f"), (16, "de0010"), (65535, "deffff"), (65536, "df00010000"),
    ]

    @Test(arguments: stringHeaders)
    func strings(_ length: Int, _ header: String) throws {
        let value = MessagePackValue.string(String(repeating: "x", count: length))
        try expectEncoding(value, hex(header) + Array(repeating: UInt8(ascii: "x"), count: length))
    }

    @Test func stringLengthCountsUTF8Bytes() throws {
        // 11 characters, 32 bytes: str 8, not fixstr.
        let s = "é" + String(repeating: "€", count: 10) + "a"
        #expect(s.utf8.count == 33)
        try expectEncoding(.string(s), [0xd9, 33] + Array(s.utf8))
        try expectEncoding("😀", hex("a4f09f9880"))
    }

    @Test(arguments: binaryHeaders)
    func binaries(_ length: Int, _ header: String) throws {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0) }
        try expectEncoding(.binary(bytes), hex(header) + bytes)
    }

    @Test(arguments: arrayHeaders)
    func arrays(_ count: Int, _ header: String) throws {
        try expectEncoding(.array(Array(repeating: nil, count: count)), hex(header) + Array(repeating: 0xc0, count: count))
    }

    @Test(arguments: mapHeaders)
    func maps(_ count: Int, _ header: String) throws {
        // Keys 0..<count (fixint, uint 8, uint 16, uint 32), each with value nil.
        let entries = (0..<count).map { (key: MessagePackValue.int(Int64($0)), value: MessagePackValue.null) }
        var body: [UInt8] = []
        for entry in entries { body += MessagePack.encode(entry.key) + [0xc0] }
        try expectEncoding(.map(entries), hex(header) + body)
    }

    @Test func mapsKeepWireOrderAndRepeatedKeys() throws {
        let value: MessagePackValue = ["b": 1, "a": 2, "b": 3]
        try expectEncoding(value, hex("83a16201a16102a16203"))
        #expect(value["b"] == 3)  // the last one, as a JavaScript object would have it
        #expect(value != ["a": 2, "b": 1, "b": 3])
    }

    /// Forms our encoder never picks but every decoder must read.
    static let decodeOnly: [(String, MessagePackValue)] = [
        ("ca3fc00000", 1.5), ("ca7f800000", .double(.infinity)), ("ca00000001", .double(Double(Float.leastNonzeroMagnitude))),
        ("cc05", 5), ("cd0005", 5), ("ce00000005", 5), ("cf0000000000000005", 5),
        ("d005", 5), ("d0ff", -1), ("d1ffff", -1), ("d2ffffffff", -1), ("d3ffffffffffffffff", -1), ("d30000000000000080", 128),
        ("d901" + "61", "a"), ("da0001" + "61", "a"), ("db00000001" + "61", "a"), ("d900", ""),
        ("c50000", .binary([])), ("c60000000101", .binary([1])),
        ("dc0001c0", [nil]), ("dd00000001c0", [nil]), ("dc0000", []), ("de0001a161c3", ["a": true]), ("df00000000", [:]),
        // notepack 2.x `undefined`: fixext 1 of type 0, whatever its data byte.
        ("d40000", nil), ("d400ff", nil), ("92d4000001", [nil, 1]),
        // A timestamp is recognised by its type and size, in any ext format.
        ("c704ff00000001", .timestamp(seconds: 1, nanoseconds: 0)),
        ("c708ff0000000400000000", .timestamp(seconds: 0, nanoseconds: 1)),
        ("c80004ff00000001", .timestamp(seconds: 1, nanoseconds: 0)),
        ("d7ff0000000000000005", .timestamp(seconds: 5, nanoseconds: 0)),
        ("c70cff0000000000000000000000ff", .timestamp(seconds: 255, nanoseconds: 0)),
        ("c8000105ab", .ext(type: 5, data: [0xab])), ("c90000000105ab", .ext(type: 5, data: [0xab])),
        ("d500aabb", .ext(type: 0, data: [0xaa, 0xbb])),
    ]

    @Test(arguments: decodeOnly)
    func decodes(_ bytes: String, _ expected: MessagePackValue) throws {
        #expect(try MessagePack.decode(hex(bytes)) == expected)
    }

    @Test func timestampNanosecondsCarryIntoSeconds() {
        let carried = MessagePack.encode(.timestamp(seconds: 1, nanoseconds: 1_500_000_000))
        #expect(carried == MessagePack.encode(.timestamp(seconds: 2, nanoseconds: 500_000_000)))
        #expect(MessagePack.encode(.timestamp(seconds: -1, nanoseconds: 1_000_000_000)) == hex("d6ff00000000"))
    }

    @Test func writerTakesSlicesAndContinuesABuffer() {
        let data: [UInt8] = [9, 1, 2, 3, 9]
        var writer = MessagePackWriter(appendingTo: [0xaa])
        writer.writeBinary(data[1..<4])
        writer.writeExt(type: 7, data: data[1..<3])
        writer.write(-200 as Int)
        writer.write(UInt64.max)
        #expect(hexString(writer.bytes) == "aa" + "c403010203" + "d5070102" + "d1ff38" + "cfffffffffffffffff")
    }

    @Test func encodeIntoAppends() {
        var buffer: [UInt8] = [0xaa]
        MessagePack.encode(["a": [1, 300]], into: &buffer)
        MessagePack.encode(-1, into: &buffer)
        #expect(hexString(buffer) == "aa" + "81a16192" + "01cd012c" + "ff")
    }

    private func expectEncoding(_ value: MessagePackValue, _ expected: [UInt8],
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bytes = MessagePack.encode(value)
        #expect(bytes == expected, sourceLocation: sourceLocation)
        #expect(try MessagePack.decode(expected) == value, sourceLocation: sourceLocation)
    }
}
