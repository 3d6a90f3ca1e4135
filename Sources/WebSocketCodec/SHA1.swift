/// SHA-1 (FIPS 180-4), needed only for `Sec-WebSocket-Accept`; Foundation on Linux has no digest API
/// and third-party crypto is out of bounds. Not for anything security-sensitive.
package struct SHA1: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
    private var block: [UInt8] = []
    private var totalBytes: UInt64 = 0

    package init() { block.reserveCapacity(64) }

    package mutating func update(_ bytes: [UInt8]) {
        totalBytes &+= UInt64(bytes.count)
        var index = 0
        if !block.isEmpty {
            index = min(64 - block.count, bytes.count)
            block.append(contentsOf: bytes[..<index])
            guard block.count == 64 else { return }
            compress(block[...])
            block.removeAll(keepingCapacity: true)
        }
        // Whole blocks are hashed straight from the input, without staging them in `block`.
        while bytes.count - index >= 64 {
            compress(bytes[index..<(index + 64)])
            index += 64
        }
        block.append(contentsOf: bytes[index...])
    }

    package mutating func finalize() -> [UInt8] {
        let bitLength = totalBytes &* 8
        var tail: [UInt8] = [0x80]
        // Pad so that the length field ends exactly on a 64-byte block boundary.
        let zeros = (64 + 56 - (block.count + 1) % 64) % 64
        tail.append(contentsOf: repeatElement(0, count: zeros))
        for index in 0..<8 { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(56 - 8 * index))) }
        update(tail)
        var digest: [UInt8] = []
        for word in [state.0, state.1, state.2, state.3, state.4] {
            digest.append(contentsOf: [UInt8(word >> 24), UInt8(truncatingIfNeeded: word >> 16),
                                       UInt8(truncatingIfNeeded: word >> 8), UInt8(truncatingIfNeeded: word)])
        }
        return digest
    }

    package static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var hasher = SHA1()
        hasher.update(bytes)
        return hasher.finalize()
    }

    private mutating func compress(_ chunk: ArraySlice<UInt8>) {
        var w = [UInt32](repeating: 0, count: 80)
        let base = chunk.startIndex
        for index in 0..<16 {
            let at = base + 4 * index
            w[index] = UInt32(chunk[at]) << 24 | UInt32(chunk[at + 1]) << 16 | UInt32(chunk[at + 2]) << 8 | UInt32(chunk[at + 3])
        }
        for index in 16..<80 {
            let mixed = w[index - 3] ^ w[index - 8] ^ w[index - 14] ^ w[index - 16]
            w[index] = mixed << 1 | mixed >> 31
        }
        var (a, b, c, d, e) = state
        for index in 0..<80 {
            let f: UInt32
            let k: UInt32
            switch index {
            case 0..<20: f = (b & c) | (~b & d); k = 0x5A82_7999
            case 20..<40: f = b ^ c ^ d; k = 0x6ED9_EBA1
            case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1B_BCDC
            default: f = b ^ c ^ d; k = 0xCA62_C1D6
            }
            let temp = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[index]
            e = d
            d = c
            c = b << 30 | b >> 2
            b = a
            a = temp
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e)
    }
}
