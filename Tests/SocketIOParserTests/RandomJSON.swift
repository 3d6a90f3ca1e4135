@testable import SocketIOParser

/// Random JSON trees with the awkward parts over-represented: escapes, astral characters, extreme numbers.
enum RandomJSON {
    static let stringPieces = [
        "", "a", "hello", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "中文", "😀", "👩‍👩‍👧",
        "\u{2028}", "\u{FFFD}", "_placeholder", "{\"x\":1}", " ",
    ]
    static let doubles: [Double] = [
        0.5, -0.25, 1e21, 1e-7, 3.14159, -1.7976931348623157e308, .leastNonzeroMagnitude, 0.1 + 0.2, 123.456,
        1e22, 1.5e300, -2.5e-300,
    ]

    static func string(_ rng: inout SeededRandom) -> String {
        (0..<Int.random(in: 0...4, using: &rng)).map { _ in stringPieces.randomElement(using: &rng)! }.joined()
    }

    static func value(_ rng: inout SeededRandom, depth: Int = 0, binary: Bool = false) -> JSONValue {
        let leafOnly = depth >= 4
        switch Int.random(in: 0...(leafOnly ? 6 : 8), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int([0, 1, -1, Int.max, Int.min, 42, -9_007_199_254_740_993].randomElement(using: &rng)!)
        case 3: return .int(Int.random(in: Int.min...Int.max, using: &rng))
        case 4: return .double(doubles.randomElement(using: &rng)!)
        case 5: return .string(string(&rng))
        case 6:
            return binary ? .binary((0..<Int.random(in: 0...5, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
                : .string(string(&rng))
        case 7:
            return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in value(&rng, depth: depth + 1, binary: binary) })
        default:
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                // A user object holding `"_placeholder": true` is ambiguous in the protocol itself (the
                // reference rejects it too), so keys never collide with that marker.
                let key = string(&rng)
                object[key == "_placeholder" ? "x" + key : key] = value(&rng, depth: depth + 1, binary: binary)
            }
            return .object(object)
        }
    }
}
