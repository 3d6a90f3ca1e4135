import CZlib

/// Raw DEFLATE (RFC 1951) streams with sync flush, as permessage-deflate uses them.
package final class RawDeflater: @unchecked Sendable {
    private let stream: ZStream
    /// An empty stored block: what a sync flush emits when zlib itself has nothing to emit.
    private static let emptyStoredBlock: [UInt8] = [0x00, 0x00, 0x00, 0xFF, 0xFF]

    package init(windowBits: Int = 15, level: Int32 = 6) {
        // zlib refuses raw windowBits 8; 9 is compatible because zlib never emits distances past 250
        // with a 512-byte window, so a peer with a 256-byte window still inflates it.
        let bits = Int32(min(15, max(9, windowBits)))
        stream = ZStream(kind: .deflate, windowBits: -bits, level: level)
    }

    /// Compresses and sync-flushes; the output ends with 00 00 FF FF.
    package func compress(_ bytes: [UInt8]) -> [UInt8] {
        switch stream.run(bytes, flush: Z_SYNC_FLUSH) {
        case .flushed(let out), .streamEnd(let out):
            // A second empty sync flush in a row makes zlib return Z_BUF_ERROR with no output; the
            // stream is byte-aligned after the previous flush, so an empty stored block is valid here.
            return out.isEmpty ? Self.emptyStoredBlock : out
        case .tooLarge, .corrupt:
            preconditionFailure("zlib failed to deflate in-memory data")
        }
    }

    package func reset() { stream.reset() }
}

package final class RawInflater: @unchecked Sendable {
    private let stream: ZStream

    package init(windowBits: Int = 15) {
        stream = ZStream(kind: .inflate, windowBits: -Int32(min(15, max(8, windowBits))))
    }

    /// Inflates `bytes` (the caller appends 00 00 FF FF for a message); nil on corrupt input or past `maxOutput`.
    package func decompress(_ bytes: [UInt8], maxOutput: Int) -> [UInt8]? {
        if case .inflated(let out) = inflate(bytes, maxOutput: maxOutput) { return out }
        return nil
    }

    package enum Outcome: Equatable, Sendable {
        case inflated([UInt8])
        case tooLarge
        case corrupt
    }

    /// Like `decompress`, but tells a size-cap hit apart from corrupt data (close 1009 vs 1007).
    package func inflate(_ bytes: [UInt8], maxOutput: Int) -> Outcome {
        switch stream.run(bytes, flush: Z_SYNC_FLUSH, maxOutput: maxOutput) {
        case .flushed(let out):
            return .inflated(out)
        case .streamEnd(let out):
            // A BFINAL block closes the raw stream; the next message must start a fresh one.
            stream.reset()
            return .inflated(out)
        case .tooLarge:
            // Leave the stream usable rather than stuck mid-block; the context is lost either way.
            stream.reset()
            return .tooLarge
        case .corrupt:
            stream.reset()
            return .corrupt
        }
    }

    package func reset() { stream.reset() }
}
