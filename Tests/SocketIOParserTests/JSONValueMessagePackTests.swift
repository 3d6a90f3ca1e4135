import MessagePack
import Testing
@testable import SocketIOParser

/// The bridge gives what a Node peer (notepack.io 3.x, then `JSON.stringify`) sees, and sends what it sends.
@Suite struct JSONValueMessagePackTests {
    /// Captured Node bytes (`../shared/reference/redis-wire-samples.md`) with the JSON Node printed for them.
    static let captures: [(hex: String, json: String)] = [
        ("93a65141364d514983a47479706502a46461746192a362633183a16ba666726f6d2d41a16e01a46c6973749401a374776fc0c3a36e7370a12f83a5726f6f6d7390a665786365707490a5666c61677380",
         #"["QA6MQI",{"type":2,"data":["bc1",{"k":"from-A","n":1,"list":[1,"two",null,true]}],"nsp":"/"},{"rooms":[],"except":[],"flags":{}}]"#),
        ("85a3756964a65141364d5149a9726571756573744964a6556b36714444a47479706507a67061636b657483a47479706502a46461746192a17181a361736ba141a36e7370a12fa46f70747383a5726f6f6d7390a665786365707490a5666c61677381a774696d656f7574cd07d0",
         #"{"uid":"QA6MQI","requestId":"Uk6qDD","type":7,"packet":{"type":2,"data":["q",{"ask":"A"}],"nsp":"/"},"opts":{"rooms":[],"except":[],"flags":{"timeout":2000}}}"#),
        ("83a47479706509a9726571756573744964a6556b36714444a67061636b657482a466726f6da26231a17881a361736ba141",
         #"{"type":9,"requestId":"Uk6qDD","packet":{"from":"b1","x":{"ask":"A"}}}"#),
    ]

    @Test(arguments: captures)
    func nodeCapturesReadAsNodePrintedThem(_ hex: String, _ json: String) throws {
        let bytes = bytes(hex)
        let expected = try JSONCodec.decode(string: json)
        let value = try JSONValue(messagePack: MessagePack.decode(bytes))
        #expect(value == expected)
        #expect(JSONCodec.encodeToString(value) == json)  // key order too
        // And the same JSON value goes out as the same bytes Node sent.
        #expect(MessagePack.encode(expected.messagePackValue) == bytes)
    }

    /// How the adapter publishes a broadcast: the envelope field by field, the payload from `JSONValue`.
    @Test func aBroadcastWrittenPieceByPieceIsNodesBytes() throws {
        let (hex, json) = Self.captures[0]
        let payload = try JSONCodec.decode(string: json)[1]?["data"]
        var writer = MessagePackWriter()
        writer.writeArrayHeader(count: 3)
        writer.write("QA6MQI")
        writer.writeMapHeader(count: 3)
        writer.write("type"); writer.write(2)
        writer.write("data"); writer.write(json: try #require(payload))
        writer.write("nsp"); writer.write("/")
        writer.writeMapHeader(count: 3)
        for key in ["rooms", "except"] {
            writer.write(key)
            writer.writeArrayHeader(count: 0)
        }
        writer.write("flags"); writer.writeMapHeader(count: 0)
        #expect(hexString(writer.bytes) == hex)
    }

    @Test func numbersGoOutAsNotepackWritesTheJavaScriptNumber() {
        let cases: [(JSONValue, String)] = [
            (.double(2.0), "02"), (.double(-0.0), "00"), (.double(-33), "d0df"), (.double(65536), "ce00010000"),
            (.double(1.5), "cb3ff8000000000000"), (.double(.nan), "cb7ff8000000000000"),
            (.double(.infinity), "cb7ff0000000000000"),
            (.double(1e19), "cf8ac7230489e80000"),          // above Int64.max: uint 64
            (.double(-9.2e18), "d3805308be62680000"),       // int 64
            (.double(1e20), "cb4415af1d78b58c40"),           // beyond 64 bits: float 64 (notepack would wrap around)
            (.double(-1e19), "cbc3e158e460913d00"),
            (.int(Int.max), "cf7fffffffffffffff"), (.int(Int.min), "d38000000000000000"), (.int(-1), "ff"),
        ]
        for (value, expected) in cases {
            #expect(hexString(MessagePack.encode(value.messagePackValue)) == expected, "\(value)")
            var writer = MessagePackWriter()
            writer.write(json: value)
            #expect(hexString(writer.bytes) == expected, "\(value)")
        }
    }

    @Test func valuesComeInAsJavaScriptHoldsThem() throws {
        #expect(try JSONValue(messagePack: .uint(UInt64.max)) == .double(18_446_744_073_709_551_615.0))
        #expect(try JSONValue(messagePack: MessagePack.decode(bytes("ca3fc00000"))) == .double(1.5))
        #expect(try JSONValue(messagePack: MessagePack.decode(bytes("d40000"))) == .null)  // notepack 2.x undefined
        #expect(try JSONValue(messagePack: .binary([1, 2])) == .binary([1, 2]))
        #expect(JSONValue.binary([1, 2]).messagePackValue == .binary([1, 2]))
        #expect(try JSONValue(messagePack: .int(Int64.min)) == .int(Int.min))
    }

    /// A `Date` from Node arrives as the timestamp extension; JSON.stringify would print its ISO string.
    @Test func timestampsBecomeISOStrings() throws {
        // notepack README: new Date('2000-06-13T00:00:00.000Z') is d6 ff 39 45 79 80.
        #expect(try JSONValue(messagePack: MessagePack.decode(bytes("d6ff39457980"))) == "2000-06-13T00:00:00.000Z")
        #expect(try JSONValue(messagePack: .timestamp(seconds: 1_704_164_645, nanoseconds: 678_000_000)) == "2024-01-02T03:04:05.678Z")
        #expect(try JSONValue(messagePack: .timestamp(seconds: 8_640_000_000_001, nanoseconds: 0)) == .null)
    }

    @Test func mapKeysBecomePropertyNames() throws {
        let map = MessagePackValue.map([
            (key: 1, value: "a"), (key: -2, value: "b"), (key: 1.5, value: "c"), (key: true, value: "d"),
            (key: nil, value: "e"), (key: .uint(UInt64.max), value: "f"), (key: .double(.nan), value: "g"),
            (key: .double(-.infinity), value: "h"), (key: 1e21, value: "i"), (key: "s", value: "j"),
            (key: .int(9_007_199_254_740_993), value: "k"), (key: .int(-9_007_199_254_740_992), value: "l"),
        ])
        let object = try JSONValue(messagePack: map).objectValue
        #expect(object?.keys == ["1", "-2", "1.5", "true", "null", "18446744073709552000", "NaN", "-Infinity", "1e+21", "s",
                               "9007199254740992", "-9007199254740992"])
        #expect(object?["1.5"] == "c")
    }

    @Test func aRepeatedKeyKeepsItsPlaceAndTheLastValue() throws {
        let object = try JSONValue(messagePack: ["a": 1, "b": 2, "a": 3]).objectValue
        #expect(object?.keys == ["a", "b"])
        #expect(object?["a"] == 3)
    }

    @Test func whatHasNoJSONFormThrows() {
        #expect(throws: MessagePackConversionError.unsupportedExtension(type: 5)) {
            try JSONValue(messagePack: [.ext(type: 5, data: [1])])
        }
        #expect(throws: MessagePackConversionError.unsupportedMapKey("binary")) {
            try JSONValue(messagePack: .map([(key: .binary([1]), value: nil)]))
        }
        #expect(throws: MessagePackConversionError.unsupportedMapKey("array")) {
            try JSONValue(messagePack: ["x": .map([(key: [1], value: nil)])])
        }
        #expect("\(MessagePackConversionError.unsupportedExtension(type: 5))".contains("type 5"))
    }

    @Test func randomPayloadsRoundTrip() throws {
        var rng = SeededRandom(seed: 0xB41D)
        for round in 0..<2_000 {
            // RandomJSON's doubles are non-integral or beyond 64 bits, so they stay doubles.
            let value = RandomJSON.value(&rng, binary: true)
            let bytes = MessagePack.encode(value.messagePackValue)
            let back = try JSONValue(messagePack: MessagePack.decode(bytes))
            #expect(back == value, "round \(round)")
            var writer = MessagePackWriter()
            writer.write(json: value)
            #expect(writer.bytes == bytes, "round \(round)")
            #expect(JSONCodec.encode(back) == JSONCodec.encode(value), "round \(round)")
        }
    }

    private func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map {
            UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
        }
    }

    private func hexString(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
