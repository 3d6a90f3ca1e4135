/// Incremental UTF-8 validation (RFC 3629): fed chunk by chunk, it rejects a bad sequence at the
/// first byte that makes it bad, so a peer cannot make us buffer a long invalid text message.
struct UTF8Validator: Sendable {
    /// Continuation bytes still expected for the current sequence.
    private var pending: UInt8 = 0
    /// Allowed range for the next continuation byte; narrower than 80...BF right after E0, ED, F0
    /// and F4, which is how overlongs, surrogates and code points past U+10FFFF are excluded.
    private var low: UInt8 = 0x80
    private var high: UInt8 = 0xBF

    /// True when no multi-byte sequence is open, i.e. the text so far may end here.
    var isAtBoundary: Bool { pending == 0 }

    mutating func reset() { self = UTF8Validator() }

    /// False at the first invalid byte; the validator is then meaningless until reset.
    mutating func validate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        var index = 0
        while index < count {
            if pending == 0 {
                // ASCII runs dominate chat traffic: skip them a word at a time.
                while index + 8 <= count,
                      bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    index += 8
                }
                guard index < count else { break }
                let byte = bytes[index]
                index += 1
                if byte < 0x80 { continue }
                guard start(byte) else { return false }
            } else {
                let byte = bytes[index]
                index += 1
                guard byte >= low && byte <= high else { return false }
                pending -= 1
                low = 0x80
                high = 0xBF
            }
        }
        return true
    }

    mutating func validate(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { validate($0) }
    }

    private mutating func start(_ lead: UInt8) -> Bool {
        switch lead {
        case 0xC2...0xDF: pending = 1
        case 0xE0: pending = 2; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: pending = 2
        case 0xED: pending = 2; high = 0x9F
        case 0xF0: pending = 3; low = 0x90
        case 0xF1...0xF3: pending = 3
        case 0xF4: pending = 3; high = 0x8F
        default: return false // stray continuation, C0/C1 overlong leads, F5 and above
        }
        return true
    }
}
