// CONTRACT (transport helper implements).
import Reactor

package enum WebSocketMessage: Sendable, Equatable {
    /// A complete text message; the bytes are valid UTF-8 (checked by the codec, 1007 otherwise).
    case text([UInt8])
    case binary([UInt8])
}

/// Receives a WebSocket's events, on its loop.
package protocol WebSocketHandler: AnyObject {
    func webSocket(_ socket: WebSocketConnection, didReceive message: WebSocketMessage)
    /// Called once when the connection is gone for any reason. `code` is the peer's close code, or the
    /// code we sent for a protocol error (1002/1007/1009), or nil when TCP dropped without a close frame.
    func webSocketDidClose(_ socket: WebSocketConnection, code: UInt16?)
}

/// A server-side WebSocket. Every method is loop thread only.
package final class WebSocketConnection: @unchecked Sendable {
    package var loop: EventLoop { fatalError("unimplemented") }

    package func send(text: String) { fatalError("unimplemented") }
    package func send(binary: [UInt8]) { fatalError("unimplemented") }
    /// Queues a complete, unmasked frame built once for many recipients (`WebSocketFrame.prepare`).
    /// With permessage-deflate negotiated the connection may re-encode it.
    package func send(preparedFrame: ByteBlock) { fatalError("unimplemented") }

    /// Starts the close handshake; `webSocketDidClose` follows.
    package func close(code: UInt16 = 1000, reason: String = "") { fatalError("unimplemented") }

    /// Bytes queued and not yet written to the socket (volatile sends skip busy connections).
    package var bufferedAmount: Int { fatalError("unimplemented") }
}

extension WebSocketConnection {
    /// Builds a complete unmasked server frame once, to share across recipients via `send(preparedFrame:)`.
    package static func prepareFrame(text: [UInt8]) -> ByteBlock { fatalError("unimplemented") }
    package static func prepareFrame(binary: [UInt8]) -> ByteBlock { fatalError("unimplemented") }
}
