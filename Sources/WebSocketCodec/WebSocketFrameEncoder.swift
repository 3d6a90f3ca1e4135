package enum WebSocketFrameEncoder {
    /// Header bytes for a payload of `payloadCount`, without a mask key (RFC 6455 §5.2).
    package static func headerSize(payloadCount: Int) -> Int {
        payloadCount < 126 ? 2 : payloadCount <= 0xFFFF ? 4 : 10
    }

    /// Bytes an unmasked frame with `payloadCount` payload bytes takes.
    package static func frameSize(payloadCount: Int) -> Int {
        headerSize(payloadCount: payloadCount) + payloadCount
    }

    /// Writes an unmasked server frame into `out` (at least `frameSize` bytes); returns bytes written.
    package static func writeFrame(opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer, fin: Bool,
                                   rsv1: Bool, into out: UnsafeMutableRawBufferPointer) -> Int {
        let headerCount = writeHeader(opcode: opcode, payloadCount: payload.count, fin: fin, rsv1: rsv1,
                                      masked: false, into: out)
        precondition(out.count >= headerCount + payload.count, "frame buffer too small")
        if let source = payload.baseAddress, !payload.isEmpty {
            (out.baseAddress! + headerCount).copyMemory(from: source, byteCount: payload.count)
        }
        return headerCount + payload.count
    }

    /// Writes an unmasked, final server frame's header into `out`; returns its size.
    package static func writeServerHeader(opcode: WebSocketOpcode, payloadCount: Int, rsv1: Bool,
                                          into out: UnsafeMutableRawBufferPointer) -> Int {
        writeHeader(opcode: opcode, payloadCount: payloadCount, fin: true, rsv1: rsv1, masked: false, into: out)
    }

    /// An unmasked server frame.
    package static func encode(opcode: WebSocketOpcode, payload: [UInt8], fin: Bool = true, rsv1: Bool = false) -> [UInt8] {
        let size = frameSize(payloadCount: payload.count)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            initialized = payload.withUnsafeBytes { source in
                writeFrame(opcode: opcode, payload: source, fin: fin, rsv1: rsv1, into: UnsafeMutableRawBufferPointer(buffer))
            }
        }
    }

    /// A masked client frame (for tests and the load generator). The key goes on the wire big-endian:
    /// `0x37fa213d` is sent as 37 fa 21 3d.
    package static func encodeMasked(opcode: WebSocketOpcode, payload: [UInt8], maskKey: UInt32, fin: Bool = true) -> [UInt8] {
        encodeMasked(opcode: opcode, payload: payload, maskKey: maskKey, fin: fin, rsv1: false)
    }

    /// A masked client frame with RSV1 control, for compressed client messages in tests.
    package static func encodeMasked(opcode: WebSocketOpcode, payload: [UInt8], maskKey: UInt32,
                                     fin: Bool, rsv1: Bool) -> [UInt8] {
        let headerCount = headerSize(payloadCount: payload.count) + 4
        var frame = [UInt8](repeating: 0, count: headerCount + payload.count)
        frame.withUnsafeMutableBytes { out in
            let keyOffset = writeHeader(opcode: opcode, payloadCount: payload.count, fin: fin, rsv1: rsv1,
                                        masked: true, into: out) - 4
            let keyBytes = [UInt8(maskKey >> 24), UInt8(truncatingIfNeeded: maskKey >> 16),
                            UInt8(truncatingIfNeeded: maskKey >> 8), UInt8(truncatingIfNeeded: maskKey)]
            for (index, byte) in keyBytes.enumerated() { out[keyOffset + index] = byte }
            let body = UnsafeMutableRawBufferPointer(rebasing: out[headerCount...])
            payload.withUnsafeBytes { body.copyMemory(from: $0) }
            WebSocketMask.apply(key: WebSocketMask.key(keyBytes[0], keyBytes[1], keyBytes[2], keyBytes[3]),
                                phase: 0, to: body)
        }
        return frame
    }

    /// A close frame payload: the code, then the UTF-8 reason (truncated to fit 125 bytes).
    package static func closePayload(code: UInt16, reason: String) -> [UInt8] {
        var payload: [UInt8] = [UInt8(code >> 8), UInt8(truncatingIfNeeded: code)]
        // Truncate on a scalar boundary: a cut sequence would make the peer fail us with 1007.
        for scalar in reason.unicodeScalars {
            let encoded = Array(String(scalar).utf8)
            if payload.count + encoded.count > 125 { break }
            payload.append(contentsOf: encoded)
        }
        return payload
    }

    /// Writes the header (without mask key bytes) and returns its size including the key slot.
    private static func writeHeader(opcode: WebSocketOpcode, payloadCount: Int, fin: Bool, rsv1: Bool,
                                    masked: Bool, into out: UnsafeMutableRawBufferPointer) -> Int {
        out[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode.rawValue
        let maskBit: UInt8 = masked ? 0x80 : 0
        var size: Int
        if payloadCount < 126 {
            out[1] = maskBit | UInt8(payloadCount)
            size = 2
        } else if payloadCount <= 0xFFFF {
            out[1] = maskBit | 126
            out[2] = UInt8(payloadCount >> 8)
            out[3] = UInt8(truncatingIfNeeded: payloadCount)
            size = 4
        } else {
            out[1] = maskBit | 127
            let length = UInt64(payloadCount)
            for index in 0..<8 { out[2 + index] = UInt8(truncatingIfNeeded: length >> UInt64(56 - 8 * index)) }
            size = 10
        }
        return size + (masked ? 4 : 0)
    }
}
