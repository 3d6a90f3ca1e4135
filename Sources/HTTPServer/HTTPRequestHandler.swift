// CONTRACT (transport helper implements).
import Reactor
import HTTP1

/// The application side of the server. Called on the connection's loop for every complete request;
/// it answers through the responder now or later (a long-poll holds it).
package protocol HTTPRequestHandler: AnyObject, Sendable {
    func handle(_ request: HTTPRequest, responder: HTTPResponder)
}

/// One pending response. Pipelined requests are answered in order; the next request on the same
/// connection is not read until this one is answered.
package final class HTTPResponder: @unchecked Sendable {
    /// The loop that owns the connection.
    package var loop: EventLoop { fatalError("unimplemented") }

    /// Sends the response. Callable from any thread; only the first call counts.
    package func send(_ response: HTTPResponse) { fatalError("unimplemented") }

    /// Registers `body` to run on the connection's loop if the connection closes before `send`
    /// (a held poll whose client went away). Loop thread only.
    package func onAbort(_ body: @escaping () -> Void) { fatalError("unimplemented") }

    /// Loop thread only, and only for `request.isWebSocketUpgrade`: answers 101 (with `extraHeaders`,
    /// and permessage-deflate when enabled and offered) and turns the connection into a WebSocket.
    package func upgradeToWebSocket(handler: any WebSocketHandler,
                                    extraHeaders: HTTPHeaders = HTTPHeaders()) -> WebSocketConnection {
        fatalError("unimplemented")
    }
}
