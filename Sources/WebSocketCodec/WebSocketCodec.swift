// CONTRACT (websocket helper implements; may add API and split files, must keep these signatures).

package enum WebSocketOpcode: UInt8, Sendable {
    case continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA
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
}

/// Incremental server-side decoder: client frames must be masked, control frames may interleave
/// with fragments, text is UTF-8-validated, and a message over `maxMessageBytes` is an error (1009).
package struct WebSocketDecoder: Sendable {
    package init(maxMessageBytes: Int, requireMask: Bool = true, inflater: PerMessageInflater? = nil) {
        fatalError("unimplemented")
    }
    /// Appends bytes read from the socket.
    package mutating func feed(_ bytes: UnsafeRawBufferPointer) { fatalError("unimplemented") }
    /// The next complete event, or nil if more bytes are needed. After an error the decoder is dead.
    package mutating func next() throws(WebSocketProtocolError) -> WebSocketEvent? { fatalError("unimplemented") }
}

package enum WebSocketFrameEncoder {
    /// Bytes an unmasked frame with `payloadCount` payload bytes takes.
    package static func frameSize(payloadCount: Int) -> Int { fatalError("unimplemented") }
    /// Writes an unmasked server frame into `out` (at least `frameSize` bytes); returns bytes written.
    package static func writeFrame(opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer, fin: Bool,
                                   rsv1: Bool, into out: UnsafeMutableRawBufferPointer) -> Int {
        fatalError("unimplemented")
    }
    /// An unmasked server frame.
    package static func encode(opcode: WebSocketOpcode, payload: [UInt8], fin: Bool = true, rsv1: Bool = false) -> [UInt8] {
        fatalError("unimplemented")
    }
    /// A masked client frame (for tests and the load generator).
    package static func encodeMasked(opcode: WebSocketOpcode, payload: [UInt8], maskKey: UInt32, fin: Bool = true) -> [UInt8] {
        fatalError("unimplemented")
    }
    /// A close frame payload: the code, then the UTF-8 reason (truncated to fit 125 bytes).
    package static func closePayload(code: UInt16, reason: String) -> [UInt8] { fatalError("unimplemented") }
}

package struct WebSocketHandshakeError: Error, Sendable, Equatable {
    /// 400 for a malformed upgrade, 426 for an unsupported `Sec-WebSocket-Version` (answer with
    /// `Sec-WebSocket-Version: 13`).
    package var status: Int
    package var message: String
}

package enum WebSocketHandshake {
    /// `Sec-WebSocket-Accept` for a client key (SHA-1 + base64, RFC 6455 §1.3).
    package static func acceptValue(forKey key: String) -> String { fatalError("unimplemented") }
    /// Checks method GET, `Upgrade: websocket`, `Connection: upgrade` (token lists), version 13, and a key
    /// that is base64 of 16 bytes. `header` looks a header up case-insensitively. Returns the accept value.
    package static func validate(method: String, header: (String) -> String?) -> Result<String, WebSocketHandshakeError> {
        fatalError("unimplemented")
    }
}

/// RFC 7692 negotiation result for one connection.
package struct PerMessageDeflateParameters: Sendable, Equatable {
    package var serverNoContextTakeover: Bool
    package var clientNoContextTakeover: Bool
    package var serverMaxWindowBits: Int
    package var clientMaxWindowBits: Int
    /// Picks parameters from a client's `Sec-WebSocket-Extensions` offer; nil if none is acceptable.
    /// `responseHeader` is the value to send back.
    package static func negotiate(offer: String) -> (parameters: PerMessageDeflateParameters, responseHeader: String)? {
        fatalError("unimplemented")
    }
}

/// Inflates compressed messages (RSV1 set) for the decoder.
package final class PerMessageInflater: @unchecked Sendable {
    package init(parameters: PerMessageDeflateParameters) { fatalError("unimplemented") }
}

/// Compresses outgoing message payloads (the caller sets RSV1 on the first frame).
package final class PerMessageDeflater: @unchecked Sendable {
    package init(parameters: PerMessageDeflateParameters) { fatalError("unimplemented") }
    package func compress(_ payload: [UInt8]) -> [UInt8] { fatalError("unimplemented") }
}
