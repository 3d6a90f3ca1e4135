// CONTRACT (websocket helper implements; thin zlib wrappers).
import CZlib

package enum Gzip {
    /// A gzip member (RFC 1952) of `bytes`, for `Content-Encoding: gzip` responses.
    package static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] { fatalError("unimplemented") }
    /// Inflates a gzip member; nil on corrupt input or past `maxOutput` bytes.
    package static func decompress(_ bytes: [UInt8], maxOutput: Int) -> [UInt8]? { fatalError("unimplemented") }
}

/// Raw DEFLATE (RFC 1951) streams with sync flush, as permessage-deflate uses them.
package final class RawDeflater: @unchecked Sendable {
    package init(windowBits: Int = 15, level: Int32 = 6) { fatalError("unimplemented") }
    /// Compresses and sync-flushes; the output ends with 00 00 FF FF.
    package func compress(_ bytes: [UInt8]) -> [UInt8] { fatalError("unimplemented") }
    package func reset() { fatalError("unimplemented") }
}

package final class RawInflater: @unchecked Sendable {
    package init(windowBits: Int = 15) { fatalError("unimplemented") }
    /// Inflates `bytes` (the caller appends 00 00 FF FF for a message); nil on corrupt input or past `maxOutput`.
    package func decompress(_ bytes: [UInt8], maxOutput: Int) -> [UInt8]? { fatalError("unimplemented") }
    package func reset() { fatalError("unimplemented") }
}
