import Synchronization
import Reactor
import HTTP1
import HTTPServer

/// The Engine.IO v4 server: handshake, polling and WebSocket transports, upgrade, heartbeat.
///
/// Requests arrive on their connection's loop; a session lives on the loop that accepted its handshake,
/// so requests for it hop there. The sid table is the only shared state.
package final class EngineServer: HTTPRequestHandler, @unchecked Sendable {
    package let options: EngineOptions
    private let context: SessionContext
    /// Boxed: a bare closure in a `Mutex` is re-abstracted on every `withLock { $0 }` write-back, so
    /// each read wrapped it in two more thunks and calling it cost O(connections so far).
    private struct ConnectionHandler { var call: (@Sendable (EngineSocket) -> Void)? }
    private let connectionHandler = Mutex(ConnectionHandler())
    private let normalizedPath: String
    private let drainingFlag = Atomic<Bool>(false)
    private let refusedWhileDraining = Atomic<Int>(0)

    package init(options: EngineOptions) {
        self.options = options
        self.context = SessionContext(options: options)
        var path = options.path
        if !path.hasPrefix("/") { path = "/" + path }
        if !path.hasSuffix("/") { path += "/" }
        normalizedPath = path
    }

    /// Called on the new session's loop, before any message is delivered.
    package var onConnection: (@Sendable (EngineSocket) -> Void)? {
        get { connectionHandler.withLock { $0.call } }
        set { connectionHandler.withLock { $0.call = newValue } }
    }

    /// True when `request.path` is the Engine.IO path (with or without its trailing slash).
    package func matches(_ request: HTTPRequest) -> Bool {
        request.path == normalizedPath || request.path + "/" == normalizedPath
    }

    package var clientsCount: Int { context.sessions.withLock { $0.count } }

    /// Handshakes turned away so far by `maxHandshakesPerSecondPerAddress` and `maxSessions`.
    package var refusals: HandshakeRefusalCounts {
        var counts = context.limits.refusals
        counts.draining = refusedWhileDraining.load(ordering: .relaxed)
        return counts
    }

    /// From now on handshakes get 503 (`HandshakeRefusal.draining`); open sessions go on. True for
    /// the first caller only.
    package func startDraining() -> Bool { !drainingFlag.exchange(true, ordering: .acquiringAndReleasing) }
    package var isDraining: Bool { drainingFlag.load(ordering: .acquiring) }

    /// The open sessions (a snapshot).
    package var openSessions: [EngineSocket] { context.sessions.withLock { Array($0.values) } }

    /// The open session with this id, if any.
    package func session(_ id: String) -> EngineSocket? { context.sessions.withLock { $0[id] } }

    package func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        let cors = corsHeaders(for: request)
        if request.method == "OPTIONS", options.cors != nil {
            return responder.send(preflightResponse(for: request, headers: cors))
        }
        if let error = verify(request) {
            return reject(request, responder: responder, error: error, headers: cors)
        }
        // Only the websocket transport handles upgrades: Node closes a WebSocket that named another one.
        let upgradeMismatch = request.isWebSocketUpgrade && request.query("transport") != EngineTransportName.websocket.rawValue
        if let sid = Self.sessionID(of: request) {
            guard let session = context.sessions.withLock({ $0[sid] }) else {
                return reject(request, responder: responder, error: .unknownSessionID, headers: cors)
            }
            if upgradeMismatch { return reject(request, responder: responder, error: .badRequest, headers: cors) }
            forward(request, responder: responder, to: session, headers: cors)
        } else {
            if upgradeMismatch { return reject(request, responder: responder, error: .badRequest, headers: cors) }
            if isDraining {
                refusedWhileDraining.add(1, ordering: .relaxed)
                let refusal = HandshakeRefusal.draining
                return responder.send(request.isWebSocketUpgrade ? refusal.upgradeResponse() : refusal.response(extraHeaders: cors))
            }
            if let refusal = context.limits.admit(request.remoteAddress, nowNanos: responder.loop.now()) {
                return responder.send(request.isWebSocketUpgrade ? refusal.upgradeResponse() : refusal.response(extraHeaders: cors))
            }
            openSession(request, responder: responder, headers: cors)
        }
    }

    /// Closes every session with `reason`.
    package func closeAll(reason: EngineCloseReason) {
        let all = context.sessions.withLock { Array($0.values) }
        for session in all {
            session.loop.execute { session.close(reason: reason) }
        }
    }

    package func closeAll() { closeAll(reason: .serverShuttingDown) }

    // MARK: Verification, in the reference's order

    private func verify(_ request: HTTPRequest) -> EngineError? {
        guard let name = request.query("transport"), let transport = EngineTransportName(rawValue: name),
              options.transports.contains(transport) else { return .unknownTransport }
        if Self.sessionID(of: request) != nil { return nil }
        guard request.method == "GET" else { return .badHandshakeMethod }
        if transport == .websocket, !request.isWebSocketUpgrade { return .badRequest }
        if let allow = options.allowRequest, !allow(request) { return .forbidden }
        guard request.query("EIO") == "4" else { return .unsupportedProtocolVersion }
        return nil
    }

    /// The `sid` query item; an empty one counts as absent (a handshake), as in Node's `if (sid)`.
    private static func sessionID(of request: HTTPRequest) -> String? {
        guard let sid = request.query("sid"), !sid.isEmpty else { return nil }
        return sid
    }

    private func reject(_ request: HTTPRequest, responder: HTTPResponder, error: EngineError, headers: HTTPHeaders) {
        responder.send(request.isWebSocketUpgrade ? error.upgradeResponse() : error.response(extraHeaders: headers))
    }

    // MARK: Sessions

    private func openSession(_ request: HTTPRequest, responder: HTTPResponder, headers: HTTPHeaders) {
        let loop = responder.loop
        let id = SessionID.make()
        // Kept for the session's lifetime (Socket.IO's `socket.handshake`): the query items can be
        // parsed again from the target, so an idle session does not hold them twice.
        var handshake = request
        handshake.body = []
        handshake.queryItems = []

        if request.isWebSocketUpgrade {
            let transport = WebSocketTransport(sessionLoop: loop)
            transport.connection = responder.upgradeToWebSocket(handler: transport)
            let session = EngineSocket(id: id, loop: loop, handshake: handshake, context: context,
                                       transport: .webSocket(transport))
            transport.session = session
            register(session)
            session.open(upgrades: [])
            onConnection?(session)
        } else {
            let polling = PollingTransport()
            let session = EngineSocket(id: id, loop: loop, handshake: handshake, context: context,
                                       transport: .polling(polling))
            register(session)
            let upgrades: [EngineTransportName] = options.allowUpgrades && options.transports.contains(.websocket) ? [.websocket] : []
            session.open(upgrades: upgrades)
            onConnection?(session)
            responder.onAbort { [weak session] in session?.pollAborted(responder) }
            session.handlePollingRequest(request, responder: responder, headers: headers)
        }
    }

    private func register(_ session: EngineSocket) {
        context.register(session)
    }

    /// Hands a request to its session's loop. Connection-bound work (abort hooks, the 101 answer)
    /// happens here first, on the connection's loop.
    private func forward(_ request: HTTPRequest, responder: HTTPResponder, to session: EngineSocket, headers: HTTPHeaders) {
        if request.isWebSocketUpgrade {
            let transport = WebSocketTransport(sessionLoop: session.loop)
            transport.session = session
            // The WebSocket moves to the session's loop, so messages need no hop between loops; the
            // session hears of it there before the socket reads anything.
            _ = responder.upgradeToWebSocket(handler: transport, on: session.loop) { connection in
                transport.connection = connection
                session.beginUpgrade(transport)
            }
            return
        }
        if request.method == "GET" {
            responder.onAbort { onLoop(session.loop) { session.pollAborted(responder) } }
        }
        onLoop(session.loop) { session.handlePollingRequest(request, responder: responder, headers: headers) }
    }
}

/// Runs `body` now if already on `loop`, else queues it there.
func onLoop(_ loop: EventLoop, _ body: @escaping @Sendable () -> Void) {
    if loop.inEventLoop { body() } else { loop.execute(body) }
}
