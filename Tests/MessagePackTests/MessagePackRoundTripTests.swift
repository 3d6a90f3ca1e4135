import Testing
@testable import MessagePack

@Suite struct MessagePackRoundTripTests {
    /// Random trees of every case decode back to themselves; appending to a buffer writes the same bytes.
    @Test func randomValuesRoundTrip() throws {
        var rng = SeededRandom(seed: 0x4D50)
        for round in 0..<3_000 {
            let value = randomValue(&rng, depth: 0)
            let bytes = MessagePack.encode(value)
            var appended: [UInt8] = [0xc0]
            MessagePack.encode(value, into: &appended)
            #expect(appended == [0xc0] + bytes, "round \(round)")
            let decoded = try MessagePack.decode(bytes)
            // A short message: a failing tree can be thousands of values.
            #expect(decoded == value, "round \(round)")
            #expect(decoded.hashValue == value.hashValue, "round \(round)")
        }
    }

    @Test func accessors() {
        let value: MessagePackValue = ["n": 5, "big": .uint(UInt64.max), "s": "x", "list": [1, nil], "d": 2.5, "bin": .binary([1])]
        #expect(value["n"]?.intValue == 5)
        #expect(value["n"]?.doubleValue == 5)
        #expect(value["big"]?.intValue == nil)
        #expect(value["big"]?.doubleValue == 18_446_744_073_709_551_615.0)
        #expect(value["d"]?.intValue == nil)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["list"]?[1]?.isNull == true)
        #expect(value["list"]?[2] == nil)
        #expect(value["bin"]?.binaryValue == [1])
        #expect(value["missing"] == nil)
        #expect(value.mapValue?.map(\.key) == ["n", "big", "s", "list", "d", "bin"])
        #expect(MessagePackValue.bool(true).boolValue == true)
        #expect(MessagePackValue.string("x")["n"] == nil)
        #expect(MessagePackValue.uint(5).intValue == 5)
        // Only string keys answer the string subscript.
        #expect(MessagePackValue.map([(key: 1, value: "one")])["1"] == nil)
    }

    @Test func equalityAndHashingFollowWireOrder() {
        let ab: MessagePackValue = ["a": 1, "b": 2]
        let ba: MessagePackValue = ["b": 2, "a": 1]
        #expect(ab != ba)
        #expect(Set([ab, ba, ab]).count == 2)
        #expect(MessagePackValue.int(1) != .uint(1))   // never produced by the decoder, and kept apart
        #expect(MessagePackValue.int(1) != .double(1))
    }

    private func randomValue(_ rng: inout SeededRandom, depth: Int) -> MessagePackValue {
        let choice = Int.random(in: 0..<(depth < 4 ? 13 : 11), using: &rng)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(randomInteger(&rng))
        case 3: return .uint(UInt64.random(in: (1 << 63)...UInt64.max, using: &rng))
        case 4:
            let d = Double(bitPattern: rng.next())
            return .double(d.isNaN ? 0.25 : d)
        case 5: return .string(randomString(&rng))
        case 6: return .binary((0..<randomLength(&rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        case 7:
            return .timestamp(seconds: Bool.random(using: &rng) ? Int64(truncatingIfNeeded: rng.next()) : Int64.random(in: 0...(1 << 35), using: &rng),
                              nanoseconds: Bool.random(using: &rng) ? 0 : UInt32.random(in: 0..<1_000_000_000, using: &rng))
        case 8:
            let type = Int8.random(in: .min ... .max, using: &rng)
            return .ext(type: type == -1 ? 0 : type,  // -1 is the timestamp
                        data: (0..<randomLength(&rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        case 9: return .int(Int64.random(in: -40...300, using: &rng))
        case 10: return .string(String(repeating: "k", count: Int.random(in: 0...40, using: &rng)))
        case 11: return .array((0..<Int.random(in: 0...20, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            return .map((0..<Int.random(in: 0...20, using: &rng)).map { _ in
                (key: randomValue(&rng, depth: depth + 1), value: randomValue(&rng, depth: depth + 1))
            })
        }
    }

    /// Integers spread over every width: a random bit length, then a random sign.
    private func randomInteger(_ rng: inout SeededRandom) -> Int64 {
        let bits = Int.random(in: 0...63, using: &rng)
        let magnitude = bits == 0 ? 0 : Int64(rng.next() >> UInt64(64 - bits))
        return Bool.random(using: &rng) ? magnitude : -magnitude - 1
    }

    private func randomLength(_ rng: inout SeededRandom) -> Int {
        [0, 1, 2, 3, 4, 8, 16, 17, 31, 32, 255, 256, 300].randomElement(using: &rng)!
    }

    private func randomString(_ rng: inout SeededRandom) -> String {
        let alphabet: [Character] = ["a", "Z", "0", " ", "é", "€", "😀", "\u{0}", "\""]
        return String((0..<randomLength(&rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }
}

@Suite struct MessagePackDescriptionTests {
    @Test func describesCompactly() {
        let value: MessagePackValue = ["uid", ["type": 2, "n": 1.5, "x": nil], .binary([1, 2, 3]),
                                       .timestamp(seconds: 1, nanoseconds: 2), .ext(type: 5, data: [1]), .uint(UInt64.max), false]
        #expect("\(value)" == #"["uid", {"type": 2, "n": 1.5, "x": nil}, bin(3), timestamp(1, 2), ext(5, 1), 18446744073709551615, false]"#)
    }
}
