/// Session (and Socket.IO socket) ids: 15 random bytes as 20 URL-safe base64 characters, like Node's
/// base64id. An id is a bearer credential, so it comes from the system CSPRNG.
package enum SessionID {
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    package static func make() -> String {
        // Two draws (each one getrandom call) give 16 bytes; the id uses 15.
        var generator = SystemRandomNumberGenerator()
        var random = (generator.next() as UInt64, generator.next() as UInt64)
        return withUnsafeBytes(of: &random) { bytes in
            String(unsafeUninitializedCapacity: 20) { out in
                let table = alphabet.utf8Start
                for group in 0..<5 {
                    let b = 3 * group
                    let value = UInt32(bytes[b]) << 16 | UInt32(bytes[b + 1]) << 8 | UInt32(bytes[b + 2])
                    out[4 * group] = table[Int(value >> 18 & 0x3F)]
                    out[4 * group + 1] = table[Int(value >> 12 & 0x3F)]
                    out[4 * group + 2] = table[Int(value >> 6 & 0x3F)]
                    out[4 * group + 3] = table[Int(value & 0x3F)]
                }
                return 20
            }
        }
    }
}
