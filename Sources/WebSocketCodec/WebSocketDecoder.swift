/// Incremental server-side decoder: client frames must be masked, control frames may interleave
/// with fragments, text is UTF-8-validated, and a message over `maxMessageBytes` is an error (1009).
///
/// Payload bytes are moved out of the input buffer as soon as they arrive (unmasked and validated
/// in place), so the input buffer only ever holds a partial header plus whatever the caller fed
/// between two `next()` calls.
package struct WebSocketDecoder: Sendable {
    struct FrameHeader {
        var fin: Bool
        var compressed: Bool
        var opcode: WebSocketOpcode
        /// Nil for unmasked frames (allowed only with `requireMask: false`).
        var maskKey: UInt32?
        var remaining: Int
        var consumed: Int = 0
    }

    let maxMessageBytes: Int
    let requireMask: Bool
    let inflater: PerMessageInflater?

    var input: [UInt8] = []
    var readIndex = 0
    /// The frame whose payload is being read; nil while waiting for a header.
    var frame: FrameHeader?
    /// The data message being assembled across fragments (compressed bytes if `messageCompressed`).
    var message: [UInt8] = []
    var messageOpcode: WebSocketOpcode?
    var messageCompressed = false
    var utf8 = UTF8Validator()
    var control: [UInt8] = []
    var failure: WebSocketProtocolError?

    package init(maxMessageBytes: Int, requireMask: Bool = true, inflater: PerMessageInflater? = nil) {
        self.maxMessageBytes = maxMessageBytes
        self.requireMask = requireMask
        self.inflater = inflater
    }

    /// Bytes the buffer of the message being assembled can hold: what has arrived, not what a header
    /// declared (tests check that a large declared length reserves nothing).
    package var messageCapacity: Int { message.capacity }

    /// Appends bytes read from the socket.
    package mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, !bytes.isEmpty else { return }
        if readIndex == input.count {
            input.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex > 4096 && readIndex * 2 > input.count {
            // Compact only when the dead prefix dominates, so the memmove stays amortised.
            input.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        input.append(contentsOf: bytes)
    }

    /// Convenience for tests and callers holding an array.
    package mutating func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// The next complete event, or nil if more bytes are needed. After an error the decoder is dead.
    package mutating func next() throws(WebSocketProtocolError) -> WebSocketEvent? {
        if let failure { throw failure }
        while true {
            if frame == nil {
                guard let header = try parseHeader() else { return nil }
                frame = header
            }
            try consumePayload()
            guard let done = frame, done.remaining == 0 else { return nil }
            frame = nil
            if let event = try finishFrame(done) { return event }
        }
    }

    /// Records the error so every later call rethrows it.
    mutating func fail(_ code: UInt16, _ message: String) -> WebSocketProtocolError {
        let error = WebSocketProtocolError(closeCode: code, message: message)
        failure = error
        return error
    }

    /// Moves whatever payload bytes are buffered into the message or control buffer.
    private mutating func consumePayload() throws(WebSocketProtocolError) {
        guard var header = frame else { return }
        let available = min(header.remaining, input.count - readIndex)
        guard available > 0 else { return }
        let chunk = input[readIndex..<(readIndex + available)]
        readIndex += available
        if readIndex == input.count {
            // Drained: give the storage back, so an idle connection holds no input buffer.
            input = []
            readIndex = 0
        }
        if header.opcode.isControl {
            append(chunk, to: &control, key: header.maskKey, phase: header.consumed)
        } else {
            let start = message.count
            if start == 0, header.fin, available == header.remaining {
                // A whole unfragmented message is here: one exact allocation, no regrowth copies. The 4
                // extra bytes are the 00 00 FF FF tail a compressed message gets before inflating.
                message.reserveCapacity(available + (messageCompressed ? 4 : 0))
            }
            append(chunk, to: &message, key: header.maskKey, phase: header.consumed)
            if messageOpcode == .text && !messageCompressed {
                let valid = message.withUnsafeBytes { utf8.validate(UnsafeRawBufferPointer(rebasing: $0[start...])) }
                if !valid { throw fail(WebSocketProtocolError.invalidDataCode, "text message is not valid UTF-8") }
            }
        }
        header.consumed += available
        header.remaining -= available
        frame = header
    }

    private func append(_ chunk: ArraySlice<UInt8>, to buffer: inout [UInt8], key: UInt32?, phase: Int) {
        let start = buffer.count
        buffer.append(contentsOf: chunk)
        guard let key else { return }
        buffer.withUnsafeMutableBytes { raw in
            WebSocketMask.apply(key: key, phase: phase, to: UnsafeMutableRawBufferPointer(rebasing: raw[start...]))
        }
    }
}
