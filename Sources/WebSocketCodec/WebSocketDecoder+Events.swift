extension WebSocketDecoder {
    /// Turns a fully read frame into an event: control frames always yield one, data frames only
    /// when they finish a message.
    mutating func finishFrame(_ header: FrameHeader) throws(WebSocketProtocolError) -> WebSocketEvent? {
        switch header.opcode {
        case .ping:
            defer { control = [] }
            return .ping(control)
        case .pong:
            defer { control = [] }
            return .pong(control)
        case .close:
            defer { control = [] }
            return try closeEvent(control)
        case .text, .binary, .continuation:
            guard header.fin else { return nil }
            return try finishMessage()
        }
    }

    private mutating func finishMessage() throws(WebSocketProtocolError) -> WebSocketEvent {
        let opcode = messageOpcode ?? .binary
        var payload = message
        message = []
        messageOpcode = nil
        if messageCompressed {
            payload = try inflate(payload)
            if opcode == .text && !utf8.validate(payload) {
                throw fail(WebSocketProtocolError.invalidDataCode, "text message is not valid UTF-8")
            }
        }
        if opcode == .text {
            if !utf8.isAtBoundary {
                throw fail(WebSocketProtocolError.invalidDataCode, "text message ends inside a UTF-8 sequence")
            }
            return .text(payload)
        }
        return .binary(payload)
    }

    private mutating func inflate(_ compressed: [UInt8]) throws(WebSocketProtocolError) -> [UInt8] {
        guard let inflater else {
            throw fail(WebSocketProtocolError.protocolErrorCode, "compressed message without an inflater")
        }
        switch inflater.inflate(compressed, maxOutput: maxMessageBytes) {
        case .inflated(let bytes):
            return bytes
        case .tooLarge:
            throw fail(WebSocketProtocolError.messageTooBigCode,
                       "inflated message exceeds the \(maxMessageBytes)-byte limit")
        case .corrupt:
            throw fail(WebSocketProtocolError.invalidDataCode, "compressed message is not valid DEFLATE data")
        }
    }

    /// RFC 6455 §5.5.1: empty, or a 2-byte code followed by a UTF-8 reason.
    private mutating func closeEvent(_ payload: [UInt8]) throws(WebSocketProtocolError) -> WebSocketEvent {
        if payload.isEmpty { return .close(code: nil, reason: "") }
        if payload.count == 1 {
            throw fail(WebSocketProtocolError.protocolErrorCode, "close frame payload of 1 byte")
        }
        let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
        if !WebSocketCloseCode.isValidOnWire(code) {
            throw fail(WebSocketProtocolError.protocolErrorCode, "close code \(code) is not allowed on the wire")
        }
        let reason = payload[2...]
        var validator = UTF8Validator()
        let valid = reason.withUnsafeBytes { validator.validate($0) } && validator.isAtBoundary
        if !valid { throw fail(WebSocketProtocolError.invalidDataCode, "close reason is not valid UTF-8") }
        return .close(code: code, reason: String(decoding: reason, as: UTF8.self))
    }
}
