import CZlib

package enum Gzip {
    /// A gzip member (RFC 1952) of `bytes`, for `Content-Encoding: gzip` responses.
    package static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        // +16 asks zlib for the gzip wrapper instead of the zlib one.
        let stream = ZStream(kind: .deflate, windowBits: 15 + 16, level: level)
        switch stream.run(bytes, flush: Z_FINISH) {
        case .streamEnd(let out): return out
        default: preconditionFailure("zlib failed to gzip in-memory data")
        }
    }

    /// Inflates a gzip member; nil on corrupt input or past `maxOutput` bytes.
    package static func decompress(_ bytes: [UInt8], maxOutput: Int) -> [UInt8]? {
        let stream = ZStream(kind: .inflate, windowBits: 15 + 16)
        // A member that never reaches its trailer is truncated, so only streamEnd counts.
        if case .streamEnd(let out) = stream.run(bytes, flush: Z_NO_FLUSH, maxOutput: maxOutput) { return out }
        return nil
    }
}
