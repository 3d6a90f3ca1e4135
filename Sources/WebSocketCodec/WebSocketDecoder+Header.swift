extension WebSocketDecoder {
    /// Parses and validates the next frame header (RFC 6455 §5.2). Every rule that the first two
    /// bytes decide is checked before waiting for the rest, and the declared length is checked
    /// against the message cap before a single payload byte is buffered.
    mutating func parseHeader() throws(WebSocketProtocolError) -> FrameHeader? {
        let available = input.count - readIndex
        guard available >= 2 else { return nil }
        let first = input[readIndex]
        let second = input[readIndex + 1]
        let fin = first & 0x80 != 0
        let rsv1 = first & 0x40 != 0
        let masked = second & 0x80 != 0
        let shortLength = Int(second & 0x7F)
        let protocolError = WebSocketProtocolError.protocolErrorCode

        guard let opcode = WebSocketOpcode(rawValue: first & 0x0F) else {
            throw fail(protocolError, "unknown opcode \(first & 0x0F)")
        }
        if first & 0x30 != 0 { throw fail(protocolError, "RSV2/RSV3 set without a negotiated extension") }
        if rsv1 {
            if inflater == nil { throw fail(protocolError, "RSV1 set but permessage-deflate was not negotiated") }
            if opcode.isControl || opcode == .continuation {
                throw fail(protocolError, "RSV1 set on a \(opcode.isControl ? "control" : "continuation") frame")
            }
        }
        if opcode.isControl {
            if !fin { throw fail(protocolError, "fragmented control frame") }
            if shortLength > 125 { throw fail(protocolError, "control frame payload over 125 bytes") }
        } else if opcode == .continuation {
            if messageOpcode == nil { throw fail(protocolError, "continuation frame without a message to continue") }
        } else if messageOpcode != nil {
            throw fail(protocolError, "new data frame while a fragmented message is still open")
        }
        if requireMask && !masked { throw fail(protocolError, "client frame is not masked") }

        let lengthBytes = shortLength == 126 ? 2 : shortLength == 127 ? 8 : 0
        let headerSize = 2 + lengthBytes + (masked ? 4 : 0)
        guard available >= headerSize else { return nil }
        var cursor = readIndex + 2
        var length = UInt64(shortLength)
        if lengthBytes > 0 {
            length = 0
            for _ in 0..<lengthBytes {
                length = length << 8 | UInt64(input[cursor])
                cursor += 1
            }
            if length >> 63 != 0 { throw fail(protocolError, "64-bit payload length has its top bit set") }
        }
        var maskKey: UInt32?
        if masked {
            maskKey = WebSocketMask.key(input[cursor], input[cursor + 1], input[cursor + 2], input[cursor + 3])
        }

        if !opcode.isControl {
            let room = maxMessageBytes - (opcode == .continuation ? message.count : 0)
            if length > UInt64(max(0, room)) {
                throw fail(WebSocketProtocolError.messageTooBigCode,
                           "message exceeds the \(maxMessageBytes)-byte limit")
            }
            if opcode != .continuation { startMessage(opcode, compressed: rsv1) }
        }
        readIndex += headerSize
        if readIndex == input.count {
            input = []  // drained: an idle connection holds no input buffer
            readIndex = 0
        }
        return FrameHeader(fin: fin, compressed: rsv1, opcode: opcode, maskKey: maskKey, remaining: Int(length))
    }

    private mutating func startMessage(_ opcode: WebSocketOpcode, compressed: Bool) {
        messageOpcode = opcode
        messageCompressed = compressed
        utf8.reset()
        // Nothing is reserved on the header's word: a peer could declare a large frame and send little.
        // `consumePayload` sizes the buffer from the bytes that actually arrived.
        message = []
    }
}
