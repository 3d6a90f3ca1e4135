import Reactor
import HTTP1
import Synchronization

/// The application side of the server. Called on the connection's loop for every complete request;
/// it answers through the responder now or later (a long-poll holds it).
package protocol HTTPRequestHandler: AnyObject, Sendable {
    func handle(_ request: HTTPRequest, responder: HTTPResponder)
}

/// One pending response. Pipelined requests are answered in order; the next request on the same
/// connection is not read until this one is answered.
///
/// Confinement: `claimed` is atomic (any thread may send); everything else is touched on `loop` only.
package final class HTTPResponder: @unchecked Sendable {
    /// The loop that owns the connection.
    package let loop: EventLoop
    weak var connection: HTTPConnection?
    let isWebSocketUpgrade: Bool
    private let claimed = Atomic<Bool>(false)
    /// Sent, upgraded or aborted: nothing more happens.
    private(set) var finished = false
    private(set) var aborted = false
    private var abortHandlers: [() -> Void] = []

    init(loop: EventLoop, connection: HTTPConnection, isWebSocketUpgrade: Bool) {
        self.loop = loop
        self.connection = connection
        self.isWebSocketUpgrade = isWebSocketUpgrade
    }

    /// Sends the response. Callable from any thread; only the first call counts.
    package func send(_ response: HTTPResponse) {
        guard !claimed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if loop.inEventLoop {
            deliver(response)
        } else {
            loop.execute { self.deliver(response) }
        }
    }

    private func deliver(_ response: HTTPResponse) {
        guard !finished else { return }
        finished = true
        abortHandlers = []
        connection?.complete(self, with: response)
    }

    /// Registers `body` to run on the connection's loop if the connection closes before `send`
    /// (a held poll whose client went away). Loop thread only.
    package func onAbort(_ body: @escaping () -> Void) {
        precondition(loop.inEventLoop, "HTTPResponder.onAbort must be called on the responder's loop")
        if aborted {
            // Registered after the client left: tell the caller at once, asynchronously so that
            // it never re-enters its own registration code.
            loop.schedule(after: .zero) { body() }
            return
        }
        guard !finished else { return }
        abortHandlers.append(body)
    }

    /// True once the connection closed without a response (loop thread only).
    package var isAborted: Bool { aborted }

    /// Called by the connection when it closes with this response outstanding.
    func abort() {
        guard !finished else { return }
        finished = true
        aborted = true
        claimed.store(true, ordering: .releasing)
        let handlers = abortHandlers
        abortHandlers = []
        for handler in handlers { handler() }
    }

    /// Loop thread only, and only for `request.isWebSocketUpgrade`: answers 101 (with `extraHeaders`,
    /// and permessage-deflate when enabled and offered) and turns the connection into a WebSocket.
    /// With `target`, the WebSocket moves to that loop (where whoever handles it lives) when it can;
    /// the returned connection's `loop` says where it ended up. `ready` gets the socket on `target`
    /// before any of its messages is delivered there (possibly before this call returns): set up there.
    /// `maxMessageBytes` and `limits` replace the server's for this socket (a WebSocket endpoint's own).
    package func upgradeToWebSocket(handler: any WebSocketHandler, extraHeaders: HTTPHeaders = HTTPHeaders(),
                                    on target: EventLoop? = nil, maxMessageBytes: Int? = nil,
                                    limits: WebSocketLimits? = nil,
                                    ready: (@Sendable (WebSocketConnection) -> Void)? = nil) -> WebSocketConnection {
        precondition(loop.inEventLoop, "upgradeToWebSocket must be called on the responder's loop")
        precondition(isWebSocketUpgrade, "upgradeToWebSocket is only valid for a request with isWebSocketUpgrade")
        let first = !claimed.exchange(true, ordering: .acquiringAndReleasing)
        guard first, !finished, let connection, !connection.isClosed else {
            // Already answered, or the client is gone: hand back a socket that reports closure.
            finished = true
            let stub = WebSocketConnection.closedStub(loop: loop, handler: handler)
            if let ready { if let target { target.execute { ready(stub) } } else { ready(stub) } }
            return stub
        }
        finished = true
        abortHandlers = []
        return connection.upgrade(handler: handler, extraHeaders: extraHeaders, onto: target,
                                  settings: .init(maxMessageBytes: maxMessageBytes, limits: limits), ready: ready)
    }
}
