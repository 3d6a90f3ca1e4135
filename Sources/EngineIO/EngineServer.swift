// CONTRACT (EngineIO owner implements).
import Reactor
import HTTPServer

/// The Engine.IO v4 server: handshake, polling and WebSocket transports, upgrade, heartbeat.
package final class EngineServer: HTTPRequestHandler, @unchecked Sendable {
    package init(options: EngineOptions) { fatalError("unimplemented") }

    /// Called on the new session's loop, before any message is delivered.
    package var onConnection: (@Sendable (EngineSocket) -> Void)? {
        get { fatalError("unimplemented") } set { fatalError("unimplemented") }
    }

    /// True when `request.path` is under `options.path` (so a router can send everything else elsewhere).
    package func matches(_ request: HTTPRequest) -> Bool { fatalError("unimplemented") }
    package func handle(_ request: HTTPRequest, responder: HTTPResponder) { fatalError("unimplemented") }

    package var clientsCount: Int { fatalError("unimplemented") }
    /// Closes every session with `serverShuttingDown`.
    package func closeAll() { fatalError("unimplemented") }
}
