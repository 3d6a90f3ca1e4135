/// Session ids: 15 random bytes as 20 URL-safe base64 characters, like Node's base64id.
/// A sid is a bearer credential for the session, so it comes from the system CSPRNG.
enum SessionID {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 15)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        var out: [UInt8] = []
        out.reserveCapacity(20)
        for chunk in stride(from: 0, to: 15, by: 3) {
            let value = UInt32(bytes[chunk]) << 16 | UInt32(bytes[chunk + 1]) << 8 | UInt32(bytes[chunk + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int(value >> UInt32(shift) & 0x3F)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
