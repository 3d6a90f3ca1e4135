import HTTPServer
import Reactor
import Synchronization
import WebSocketCodec

/// One client of a plain WebSocket endpoint (`io.webSocket(path) { ws in … }`).
///
/// Lives on its connection's event loop: handlers run there, one at a time, in arrival order. Every
/// public method is callable from any thread; calls from another thread hop to the loop in the order
/// they were made. Compared by identity, so it can key a dictionary or sit in a `Set`.
public final class WebSocket: @unchecked Sendable, Hashable {
    /// A complete message from the peer (fragments reassembled, inflated, text checked as UTF-8).
    public enum Message: Sendable, Equatable {
        case text(String)
        case binary([UInt8])
    }

    public let endpoint: WebSocketEndpoint
    /// The peer's IP address.
    public let remoteAddress: String
    let loop: EventLoop

    /// Set once, right after the upgrade; loop-confined like everything below.
    @exclusivity(unchecked) var connection: WebSocketConnection?
    @exclusivity(unchecked) private var messageHandler: (@Sendable (Message) -> Void)?
    @exclusivity(unchecked) private var pongHandler: (@Sendable ([UInt8]) -> Void)?
    @exclusivity(unchecked) private var closeHandler: (@Sendable (UInt16, String) -> Void)?
    @exclusivity(unchecked) private var nextPing: ScheduledTimer?
    @exclusivity(unchecked) private var pongDeadline: ScheduledTimer?
    @exclusivity(unchecked) private var awaitingPong = false
    @exclusivity(unchecked) private var reported = false
    /// Cleared by `close` (any thread) and when the connection is gone.
    private let openFlag = Atomic<Bool>(true)

    init(endpoint: WebSocketEndpoint, loop: EventLoop, remoteAddress: String) {
        self.endpoint = endpoint
        self.loop = loop
        self.remoteAddress = remoteAddress
    }

    public static func == (lhs: WebSocket, rhs: WebSocket) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    /// True until `close` is called or the connection ends.
    public var isOpen: Bool { openFlag.load(ordering: .acquiring) }

    // MARK: Handlers (each call replaces the previous handler of its kind)

    /// Every text and binary message.
    public func onMessage(_ handler: @escaping @Sendable (Message) -> Void) {
        perform { [self] in messageHandler = handler }
    }

    /// Every pong: answers to `ping` (and to the heartbeat's pings) and unsolicited ones.
    public func onPong(_ handler: @escaping @Sendable (_ payload: [UInt8]) -> Void) {
        perform { [self] in pongHandler = handler }
    }

    /// Once, when the connection is gone: `code` and `reason` are the peer's close frame (1005 when it
    /// named no code), or what this side sent (`close`, 1009 for a message over the limit, 1002/1007
    /// for protocol errors, 1008 for a slow consumer, 1001 for the heartbeat or server shutdown), or
    /// 1006 when TCP ended without a close frame.
    public func onClose(_ handler: @escaping @Sendable (_ code: UInt16, _ reason: String) -> Void) {
        perform { [self] in
            if reported { return }
            closeHandler = handler
        }
    }

    // MARK: Sending

    public func send(text: String) {
        perform { [self] in connection?.send(text: text) }
    }

    public func send(binary: [UInt8]) {
        perform { [self] in connection?.send(binary: binary) }
    }

    /// Sends a ping; the peer's pong reaches `onPong`.
    public func ping(_ payload: [UInt8] = []) throws(WebSocketError) {
        guard payload.count <= 125 else { throw .pingPayloadTooLong(bytes: payload.count) }
        perform { [self] in connection?.ping(payload) }
    }

    /// Starts the close handshake; `onClose` hears `code` and `reason` once the peer has closed its
    /// side (at most 2 s after it took our close frame; one that reads nothing is cut off after
    /// `ServerOptions.closeTimeout`). Nothing more is sent or delivered after it.
    public func close(code: UInt16 = 1000, reason: String = "") throws(WebSocketError) {
        guard WebSocketCloseCode.isValidOnWire(code) else { throw .invalidCloseCode(code) }
        let length = reason.utf8.count
        guard length <= 123 else { throw .closeReasonTooLong(bytes: length) }
        openFlag.store(false, ordering: .releasing)
        perform { [self] in connection?.close(code: code, reason: reason) }
    }

    // MARK: Loop plumbing

    func perform(_ body: @escaping @Sendable () -> Void) {
        if loop.inEventLoop { body() } else { loop.execute(body) }
    }

    /// Loop only, right after the upgrade.
    func startHeartbeat(_ heartbeat: WebSocketHeartbeat) {
        nextPing = loop.schedule(after: heartbeat.interval) { [weak self] in self?.heartbeatTick(heartbeat) }
    }

    private func heartbeatTick(_ heartbeat: WebSocketHeartbeat) {
        guard let connection, connection.isOpen else { return }
        connection.ping()
        // The deadline counts from the oldest unanswered ping, so a timeout longer than the interval
        // still fires.
        if !awaitingPong {
            awaitingPong = true
            pongDeadline = loop.schedule(after: heartbeat.timeout) { [weak self] in
                guard let self, awaitingPong else { return }
                pongDeadline = nil
                self.connection?.abort(code: 1001, reason: "ping timeout")
            }
        }
        nextPing = loop.schedule(after: heartbeat.interval) { [weak self] in self?.heartbeatTick(heartbeat) }
    }

    /// Server shutdown: the peer gets 1001, and `onClose` hears it now, since the loops stop next.
    func serverClosing() {
        connection?.close(code: 1001, reason: "server shutting down")
        report(code: 1001, reason: "server shutting down")
    }

    private func report(code: UInt16, reason: String) {
        guard !reported else { return }
        reported = true
        openFlag.store(false, ordering: .releasing)
        pongDeadline?.cancel(); pongDeadline = nil
        nextPing?.cancel(); nextPing = nil
        endpoint.connectionClosed(self)
        let handler = closeHandler
        // Handlers usually capture the socket; dropping them breaks those cycles.
        closeHandler = nil
        messageHandler = nil
        pongHandler = nil
        handler?(code, reason)
    }
}

extension WebSocket: WebSocketHandler {
    package func webSocket(_ socket: WebSocketConnection, didReceive message: WebSocketMessage) {
        guard let messageHandler else { return }
        switch message {
        case .text(let bytes): messageHandler(.text(String(decoding: bytes, as: UTF8.self)))
        case .binary(let bytes): messageHandler(.binary(bytes))
        }
    }

    package func webSocket(_ socket: WebSocketConnection, didReceivePong payload: [UInt8]) {
        awaitingPong = false
        pongDeadline?.cancel()
        pongDeadline = nil
        pongHandler?(payload)
    }

    package func webSocketDidClose(_ socket: WebSocketConnection, code: UInt16?) {
        // nil: TCP ended without a close frame (1006, RFC 6455 §7.1.5).
        report(code: code ?? 1006, reason: socket.closeReason)
    }
}
