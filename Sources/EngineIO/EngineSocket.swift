// CONTRACT (EngineIO owner implements).
import Reactor
import HTTPServer

package enum EngineMessage: Sendable, Equatable {
    case text(String)
    case binary([UInt8])
}

/// Why a session ended, in Node's words (they surface as Socket.IO disconnect reasons).
package enum EngineCloseReason: String, Sendable {
    case transportClose = "transport close"
    case transportError = "transport error"
    case pingTimeout = "ping timeout"
    case parseError = "parse error"
    case forcedClose = "forced close"
    case serverShuttingDown = "server shutting down"
}

/// A message encoded once for many recipients: the WebSocket frame and the polling form are built once.
package final class PreparedEngineMessage: Sendable {
    package init(_ message: EngineMessage) { fatalError("unimplemented") }
}

/// One Engine.IO session. Confined to `loop`: every method and callback runs there.
package final class EngineSocket: @unchecked Sendable {
    package var id: String { fatalError("unimplemented") }
    package var loop: EventLoop { fatalError("unimplemented") }
    /// The request that opened the session (headers, query, remote address).
    package var handshake: HTTPRequest { fatalError("unimplemented") }
    package var transport: EngineTransportName { fatalError("unimplemented") }

    package var onMessage: ((EngineMessage) -> Void)? {
        get { fatalError("unimplemented") } set { fatalError("unimplemented") }
    }
    /// Called once, when the session ends for any reason.
    package var onClose: ((EngineCloseReason) -> Void)? {
        get { fatalError("unimplemented") } set { fatalError("unimplemented") }
    }

    package func send(_ message: EngineMessage) { fatalError("unimplemented") }
    package func send(_ message: PreparedEngineMessage) { fatalError("unimplemented") }
    /// False while the transport cannot take a packet right now (volatile packets are then dropped).
    package var isWritable: Bool { fatalError("unimplemented") }
    /// Flushes what is queued, then closes with reason `forcedClose` (or the one given).
    package func close(reason: EngineCloseReason = .forcedClose) { fatalError("unimplemented") }
}
