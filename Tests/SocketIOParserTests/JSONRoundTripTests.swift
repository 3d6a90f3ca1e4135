import Testing
@testable import SocketIOParser

@Suite struct JSONRoundTripTests {
    @Test func randomTreesRoundTripExactly() throws {
        var rng = SeededRandom(seed: 0x5EED)
        for _ in 0..<2_000 {
            let value = RandomJSON.value(&rng)
            let text = JSONCodec.encode(value)
            let decoded = try JSONCodec.decode(text)
            // Every generated double is non-integral or huge, so decode gives back the same cases.
            #expect(decoded == value, "\(String(decoding: text, as: UTF8.self))")
            #expect(keyOrder(decoded) == keyOrder(value))
            #expect(JSONCodec.encode(decoded) == text)
        }
    }

    @Test func integralDoublesComeBackAsNumbersOfEqualValue() throws {
        for d in [0.0, -0.0, 1.0, -3.0, 4_503_599_627_370_496.0, 9_007_199_254_740_991.0] {
            let decoded = try JSONCodec.decode(JSONCodec.encode(.double(d)))
            #expect(decoded.doubleValue == d)
            #expect(decoded == .int(Int(d)))
        }
    }

    @Test func doublesRoundTripBitForBit() throws {
        var rng = SeededRandom(seed: 42)
        for _ in 0..<5_000 {
            let d = Double(bitPattern: rng.next())
            guard d.isFinite else { continue }
            let decoded = try JSONCodec.decode(JSONCodec.encode(.double(d)))
            #expect(decoded.doubleValue == d, "\(d)")
        }
    }

    @Test func everyScalarSurvivesEscapingAndRawForms() throws {
        var all = ""
        for code in Array(0..<0x250) + [0x2028, 0x2029, 0xFEFF, 0xFFFD, 0xFFFF, 0x1F600, 0x10FFFF] {
            all.unicodeScalars.append(Unicode.Scalar(UInt32(code))!)
        }
        #expect(try JSONCodec.decode(JSONCodec.encode(.string(all))) == .string(all))
        // The same text written with \u escapes for every UTF-16 unit.
        var escaped = "\""
        for unit in all.utf16 {
            let hex = String(unit, radix: 16)
            escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        escaped += "\""
        #expect(try JSONCodec.decode(string: escaped) == .string(all))
    }

    @Test func largeObjectsUseTheIndexAndKeepOrder() throws {
        let keys = (0..<500).map { "key\(($0 * 7919) % 500)" }
        var object = JSONObject()
        for (n, key) in keys.enumerated() { object[key] = .int(n) }
        let decoded = try JSONCodec.decode(JSONCodec.encode(.object(object)))
        #expect(decoded.objectValue?.keys == keys)
        #expect(decoded["key123"] == object["key123"])
    }

    private func keyOrder(_ value: JSONValue) -> [String] {
        switch value {
        case .object(let o): return o.flatMap { [$0.key] + keyOrder($0.value) }
        case .array(let a): return a.flatMap(keyOrder)
        default: return []
        }
    }
}
