/// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
///
/// Hand-written because the standard library's `String(validating:as:)` goes through generic
/// metadata look-ups that cost more than the whole rest of decoding a short string.
enum UTF8Validation {
    static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let count = bytes.count
        while i < count {
            let lead = bytes[i]
            if lead < 0x80 { i += 1; continue }
            let length: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xbf  // range of the second byte
            switch lead {
            case 0xc2...0xdf: length = 2
            case 0xe0: length = 3; lower = 0xa0             // no overlong 3-byte forms
            case 0xe1...0xec, 0xee...0xef: length = 3
            case 0xed: length = 3; upper = 0x9f             // no surrogates
            case 0xf0: length = 4; lower = 0x90             // no overlong 4-byte forms
            case 0xf1...0xf3: length = 4
            case 0xf4: length = 4; upper = 0x8f             // nothing above U+10FFFF
            default: return false                           // continuation byte, c0, c1, f5...ff
            }
            guard count - i >= length, bytes[i + 1] >= lower, bytes[i + 1] <= upper else { return false }
            for k in 2..<length where bytes[i + k] & 0xc0 != 0x80 { return false }
            i += length
        }
        return true
    }
}
