import Reactor

/// Client-to-server WebSocket frames (RFC 6455 §5.2: masked), built straight into a `ByteBlock`.
enum ClientFrames {
    /// A fixed, non-zero key: the server unmasks every byte either way; randomness buys nothing here.
    private static let key: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]

    static func text(_ payload: [UInt8]) -> ByteBlock { frame(opcode: 0x1, payload) }
    static func text(_ string: String) -> ByteBlock { text(Array(string.utf8)) }

    static func frame(opcode: UInt8, _ payload: [UInt8]) -> ByteBlock {
        let count = payload.count
        let header = count < 126 ? 2 : count <= 0xFFFF ? 4 : 10
        return ByteBlock(count: header + 4 + count) { out in
            out[0] = 0x80 | opcode
            if count < 126 {
                out[1] = 0x80 | UInt8(count)
            } else if count <= 0xFFFF {
                out[1] = 0x80 | 126
                out[2] = UInt8(count >> 8)
                out[3] = UInt8(truncatingIfNeeded: count)
            } else {
                out[1] = 0x80 | 127
                for i in 0..<8 { out[2 + i] = UInt8(truncatingIfNeeded: count >> (56 - 8 * i)) }
            }
            for i in 0..<4 { out[header + i] = key[i] }
            let body = header + 4
            for i in 0..<count { out[body + i] = payload[i] ^ key[i & 3] }
        }
    }

    /// Engine.IO frames every client sends, shared (a ByteBlock is immutable).
    static let pong = text("3")
    static let connectMain = text("40")
}
