/// XOR masking (RFC 6455 §5.3), eight bytes at a time.
enum WebSocketMask {
    /// Mask key bytes as they appear on the wire: byte i of the key sits at bits 8i.
    static func key(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) -> UInt32 {
        UInt32(b0) | UInt32(b1) << 8 | UInt32(b2) << 16 | UInt32(b3) << 24
    }

    /// Masks `buffer` in place; `phase` is how many payload bytes came before it (only `phase % 4`
    /// matters), so a payload can be unmasked piecewise as it arrives.
    static func apply(key: UInt32, phase: Int, to buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
        let shift = UInt32((phase & 3) * 8)
        let rotated = shift == 0 ? key : (key >> shift) | (key << (32 - shift))
        let wide = UInt64(rotated) | UInt64(rotated) << 32
        let count = buffer.count
        var offset = 0
        while offset + 8 <= count {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            base.storeBytes(of: (word ^ wide).littleEndian, toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        // After whole words the key phase is unchanged, so the tail starts at rotated byte 0.
        var tailKey = rotated
        while offset < count {
            buffer[offset] ^= UInt8(truncatingIfNeeded: tailKey)
            tailKey = (tailKey >> 8) | (tailKey << 24)
            offset += 1
        }
    }
}
