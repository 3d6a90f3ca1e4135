import HTTP1
import HTTPServer
import Reactor
import Synchronization

/// A plain WebSocket endpoint on the Socket.IO server's port, for clients that speak WebSocket but
/// not Socket.IO. Made by `io.webSocket(path) { ws in … }`; the handler runs on the new connection's
/// loop before any of its messages is read.
public final class WebSocketEndpoint: @unchecked Sendable {
    public let path: String
    public let options: WebSocketOptions
    private let onConnection: @Sendable (WebSocket, IncomingRequest) -> Void
    /// The endpoint's slow-consumer limit, shared by its connections (nil: the server's).
    private let limits: WebSocketLimits?
    private let registry = OpenWebSockets()

    init(path: String, options: WebSocketOptions, serverOptions: ServerOptions,
         onConnection: @escaping @Sendable (WebSocket, IncomingRequest) -> Void) {
        self.path = path
        self.options = options
        self.onConnection = onConnection
        limits = options.maxBufferedBytes.map {
            WebSocketLimits(maxBufferedBytes: $0, closeTimeout: serverOptions.closeTimeout)
        }
    }

    /// The connections open now, in no particular order.
    public var connections: [WebSocket] { registry.all }

    /// How many connections are open now.
    public var connectionCount: Int { registry.count }

    /// Sends `text` to every open connection (but `except`): the frame is built once and every
    /// connection's queue holds the same bytes (compressed again per connection only where
    /// permessage-deflate was negotiated). Callable from any thread; one hop per event loop.
    public func broadcast(text: String, except: WebSocket? = nil) {
        deliver(WebSocketConnection.prepareFrame(text: text), except: except)
    }

    /// Sends `binary` to every open connection (but `except`), framed once like `broadcast(text:)`.
    public func broadcast(binary: [UInt8], except: WebSocket? = nil) {
        deliver(WebSocketConnection.prepareFrame(binary: binary), except: except)
    }

    private func deliver(_ frame: ByteBlock, except: WebSocket?) {
        for group in registry.groupsByLoop() {
            if group.loop.inEventLoop {
                group.send(frame, except: except)
            } else {
                group.loop.execute { group.send(frame, except: except) }
            }
        }
    }

    // MARK: Upgrades (on the connection's loop)

    func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        guard request.isWebSocketUpgrade else {
            return responder.send(Self.refusal(426, "\(path) is a WebSocket endpoint; connect with a WebSocket client",
                                               headers: ["Upgrade": "websocket", "Connection": "Upgrade"]))
        }
        if let allowed = options.allowedOrigins, let origin = request.headers["origin"], !allowed.contains(origin) {
            return responder.send(Self.refusal(403, "Origin \(origin) is not allowed on \(path)"))
        }
        let incoming = IncomingRequest(request)
        if let allow = options.allowRequest, !allow(incoming) {
            return responder.send(Self.refusal(403, "Forbidden"))
        }
        let socket = WebSocket(endpoint: self, loop: responder.loop, remoteAddress: request.remoteAddress)
        guard registry.admit(socket, limit: options.maxConnections) else {
            return responder.send(Self.refusal(503, "\(path) is at its connection limit (\(options.maxConnections ?? 0)); retry later",
                                               headers: ["Retry-After": "1"]))
        }
        let connection = responder.upgradeToWebSocket(handler: socket, maxMessageBytes: options.maxMessageBytes,
                                                      limits: limits)
        socket.connection = connection
        // The client left before its 101: the stub reports closure on the next turn, which frees the slot.
        guard connection.isOpen else { return }
        if let heartbeat = options.heartbeat { socket.startHeartbeat(heartbeat) }
        onConnection(socket, incoming)
    }

    /// On the socket's loop, once.
    func connectionClosed(_ socket: WebSocket) { registry.remove(socket) }

    /// Server shutdown: every connection gets 1001 and its `onClose` runs, on its loop.
    func closeAll() async {
        for group in registry.groupsByLoop() {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                group.loop.execute {
                    for socket in group.sockets { socket.serverClosing() }
                    done.resume()
                }
            }
        }
    }

    private static func refusal(_ status: Int, _ message: String, headers: [String: String] = [:]) -> HTTPResponse {
        var fields = HTTPHeaders()
        fields.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        for (name, value) in headers { fields.add(name: name, value: value) }
        return HTTPResponse(status: status, headers: fields, body: Array(message.utf8))
    }
}

/// The open connections of one endpoint, and, cached until the next open or close, the same grouped
/// by loop: a broadcast takes one lock and one hop per loop, nothing per recipient.
final class OpenWebSockets: Sendable {
    struct LoopGroup: Sendable {
        let loop: EventLoop
        let sockets: [WebSocket]

        /// On `loop`.
        func send(_ frame: ByteBlock, except: WebSocket?) {
            for socket in sockets where socket !== except {
                socket.connection?.send(preparedFrame: frame)
            }
        }
    }

    private struct State {
        var open: [ObjectIdentifier: WebSocket] = [:]
        var groups: [LoopGroup]?
    }
    private let state = Mutex(State())

    /// Counts `socket` in unless `limit` is reached.
    func admit(_ socket: WebSocket, limit: Int?) -> Bool {
        state.withLock { state in
            if let limit, state.open.count >= limit { return false }
            state.open[ObjectIdentifier(socket)] = socket
            state.groups = nil
            return true
        }
    }

    func remove(_ socket: WebSocket) {
        state.withLock { state in
            if state.open.removeValue(forKey: ObjectIdentifier(socket)) != nil { state.groups = nil }
        }
    }

    var all: [WebSocket] { state.withLock { Array($0.open.values) } }
    var count: Int { state.withLock { $0.open.count } }

    func groupsByLoop() -> [LoopGroup] {
        state.withLock { state in
            if let groups = state.groups { return groups }
            var byLoop: [ObjectIdentifier: (loop: EventLoop, sockets: [WebSocket])] = [:]
            for socket in state.open.values {
                byLoop[ObjectIdentifier(socket.loop), default: (socket.loop, [])].sockets.append(socket)
            }
            let groups = byLoop.values.map { LoopGroup(loop: $0.loop, sockets: $0.sockets) }
            state.groups = groups
            return groups
        }
    }
}
