package enum WebSocketOpcode: UInt8, Sendable {
    case continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA

    /// Control frames (close, ping, pong) have the high opcode bit set (RFC 6455 §5.5).
    package var isControl: Bool { rawValue & 0x8 != 0 }
}

/// What the server-side decoder yields: whole messages (fragments reassembled, inflated when
/// permessage-deflate is on) and control frames.
package enum WebSocketEvent: Sendable, Equatable {
    case text([UInt8])
    case binary([UInt8])
    case ping([UInt8])
    case pong([UInt8])
    /// `code` is nil for an empty close frame.
    case close(code: UInt16?, reason: String)
}

/// A protocol violation and the close code RFC 6455 assigns it.
package struct WebSocketProtocolError: Error, Sendable, Equatable {
    /// 1002 protocol error, 1007 invalid UTF-8, 1009 message too big.
    package var closeCode: UInt16
    package var message: String
    package init(closeCode: UInt16, message: String) { self.closeCode = closeCode; self.message = message }

    package static let protocolErrorCode: UInt16 = 1002
    package static let invalidDataCode: UInt16 = 1007
    package static let messageTooBigCode: UInt16 = 1009
}

/// Close codes a peer may send on the wire (RFC 6455 §7.4 and the IANA registry).
package enum WebSocketCloseCode {
    /// 1004 is reserved, and 1005/1006/1015 are for local reporting only, never sent.
    package static func isValidOnWire(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: return true
        default: return false
        }
    }
}
