@testable import MessagePack

/// Bytes from hex written with or without spaces: "93 a6" or "93a6".
func hex(_ text: String) -> [UInt8] {
    let digits = text.utf8.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") }
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    return stride(from: 0, to: digits.count, by: 2).map { i in
        UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16)!
    }
}

func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

/// The bytes of a `redis-cli` MONITOR argument: `\xNN`, `\"`, `\\`, `\a`, `\b`, `\t`, `\n`, `\r`
/// escapes, everything else as itself.
func monitorBytes(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    var it = Array(text.utf8).makeIterator()
    while let c = it.next() {
        guard c == UInt8(ascii: "\\"), let e = it.next() else { out.append(c); continue }
        switch e {
        case UInt8(ascii: "x"):
            let pair = [it.next()!, it.next()!]
            out.append(UInt8(String(decoding: pair, as: UTF8.self), radix: 16)!)
        case UInt8(ascii: "a"): out.append(0x07)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0a)
        case UInt8(ascii: "r"): out.append(0x0d)
        default: out.append(e)
        }
    }
    return out
}

/// SplitMix64: reproducible randomness, so a failing case can be replayed from its seed.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A nested array `depth` levels deep around `[]`: `0x91` × (depth-1), then `0x90`.
func nestedArrays(depth: Int) -> [UInt8] {
    Array(repeating: 0x91, count: depth - 1) + [0x90]
}
