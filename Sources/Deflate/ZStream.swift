import CZlib

/// How one zlib call sequence ended.
package enum ZlibOutcome: Equatable, Sendable {
    /// All input consumed, stream still open (sync flush or more input expected).
    case flushed([UInt8])
    /// The stream ended (gzip trailer read, BFINAL block, or Z_FINISH done).
    case streamEnd([UInt8])
    /// Output would have exceeded the caller's cap.
    case tooLarge
    /// zlib rejected the data.
    case corrupt
}

/// Owns one heap-allocated `z_stream`: zlib keeps a back pointer to it, so it must never move.
final class ZStream {
    enum Kind { case deflate, inflate }

    let kind: Kind
    let stream: UnsafeMutablePointer<z_stream>
    private let scratch: UnsafeMutableRawBufferPointer
    private(set) var isValid: Bool

    /// `windowBits` is passed straight to zlib: negative for raw, +16 for gzip.
    init(kind: Kind, windowBits: Int32, level: Int32 = Z_DEFAULT_COMPRESSION, scratchSize: Int = 16 * 1024) {
        self.kind = kind
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        scratch = .allocate(byteCount: scratchSize, alignment: 16)
        let size = Int32(MemoryLayout<z_stream>.size)
        let status: Int32
        switch kind {
        case .deflate:
            // memLevel 8 is zlib's default; deflateInit2 is a macro Swift cannot see.
            status = deflateInit2_(stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, zlibVersion(), size)
        case .inflate:
            status = inflateInit2_(stream, windowBits, zlibVersion(), size)
        }
        isValid = status == Z_OK
    }

    deinit {
        if isValid {
            switch kind {
            case .deflate: _ = deflateEnd(stream)
            case .inflate: _ = inflateEnd(stream)
            }
        }
        stream.deinitialize(count: 1)
        stream.deallocate()
        scratch.deallocate()
    }

    func reset() {
        guard isValid else { return }
        switch kind {
        case .deflate: _ = deflateReset(stream)
        case .inflate: _ = inflateReset(stream)
        }
    }

    /// Feeds all of `input` with `flush`, collecting output until zlib has nothing more to give.
    func run(_ input: [UInt8], flush: Int32, maxOutput: Int = .max) -> ZlibOutcome {
        guard isValid else { return .corrupt }
        precondition(input.count <= Int(UInt32.max), "zlib input past 4 GiB")
        return input.withUnsafeBytes { raw -> ZlibOutcome in
            // zlib never writes through next_in; the mutable type is only because z_const is empty.
            stream.pointee.next_in = raw.isEmpty ? nil
                : UnsafeMutablePointer(mutating: raw.bindMemory(to: Bytef.self).baseAddress!)
            stream.pointee.avail_in = uInt(raw.count)
            defer { stream.pointee.next_in = nil; stream.pointee.avail_in = 0 }
            return drain(flush: flush, maxOutput: maxOutput)
        }
    }

    private func drain(flush: Int32, maxOutput: Int) -> ZlibOutcome {
        var output: [UInt8] = []
        let scratchBytes = scratch.bindMemory(to: Bytef.self)
        while true {
            stream.pointee.next_out = scratchBytes.baseAddress
            stream.pointee.avail_out = uInt(scratchBytes.count)
            let status = kind == .deflate ? deflate(stream, flush) : inflate(stream, flush)
            let produced = scratchBytes.count - Int(stream.pointee.avail_out)
            if produced > 0 {
                if produced > maxOutput - output.count { return .tooLarge }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: scratchBytes[0..<produced]))
            }
            let outputFull = stream.pointee.avail_out == 0
            let inputLeft = stream.pointee.avail_in
            switch status {
            case Z_STREAM_END:
                return .streamEnd(output)
            case Z_OK:
                if !outputFull && inputLeft == 0 { return .flushed(output) }
            case Z_BUF_ERROR:
                // "No progress possible": fine when everything is consumed, else the data is bad.
                if outputFull { continue }
                if inputLeft == 0 { return .flushed(output) }
                return .corrupt
            default:
                return .corrupt
            }
        }
    }
}
