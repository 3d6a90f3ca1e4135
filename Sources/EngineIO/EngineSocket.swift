import Reactor
import HTTP1
import HTTPServer
import EngineIOParser

/// Why a session ended, in Node's words (they surface as Socket.IO disconnect reasons).
package enum EngineCloseReason: String, Sendable {
    case transportClose = "transport close"
    case transportError = "transport error"
    case pingTimeout = "ping timeout"
    case parseError = "parse error"
    case forcedClose = "forced close"
    case serverShuttingDown = "server shutting down"
}

/// One Engine.IO session. Confined to `loop`: every method and callback runs there.
/// Loop-confined stored state is `@exclusivity(unchecked)`: only the loop thread touches it, and the
/// runtime's dynamic exclusivity checks cost more than the rest of a broadcast delivery (README, Performance).
package final class EngineSocket: @unchecked Sendable {
    package let id: String
    package let loop: EventLoop
    /// The request that opened the session (headers, query, remote address).
    package let handshake: HTTPRequest
    private let context: SessionContext
    var options: EngineOptions { context.options }

    package var onMessage: ((EngineMessage) -> Void)?
    /// Called once, when the session ends for any reason.
    package var onClose: ((EngineCloseReason) -> Void)?

    enum ReadyState { case open, closing, closed }
    enum Transport {
        case polling(PollingTransport)
        case webSocket(WebSocketTransport)
    }

    @exclusivity(unchecked) var readyState = ReadyState.open
    @exclusivity(unchecked) var activeTransport: Transport
    /// Packets waiting for a poll (WebSocket sends go straight to the connection's queue).
    @exclusivity(unchecked) var writeBuffer: [PreparedEngineMessage] = []
    /// Set by `close` while polling with no poll pending: the next poll carries the close packet.
    @exclusivity(unchecked) var pendingCloseReason: EngineCloseReason?
    @exclusivity(unchecked) var closeTimer: ScheduledTimer?

    // Heartbeat state (EngineSocket+Heartbeat.swift).
    @exclusivity(unchecked) var pingIntervalTimer: ScheduledTimer?
    @exclusivity(unchecked) var pingTimeoutTimer: ScheduledTimer?
    @exclusivity(unchecked) var pingTimeoutDeadline: UInt64?
    @exclusivity(unchecked) var lastPacketTime: UInt64

    static let maxPacketsPerPoll = 16

    // Upgrade state (EngineSocket+Upgrade.swift).
    @exclusivity(unchecked) var upgrade: UpgradeAttempt?
    @exclusivity(unchecked) var upgraded = false

    init(id: String, loop: EventLoop, handshake: HTTPRequest, context: SessionContext, transport: Transport) {
        self.id = id
        self.loop = loop
        self.handshake = handshake
        self.context = context
        self.activeTransport = transport
        self.lastPacketTime = loop.now()
    }

    package var transport: EngineTransportName {
        if case .webSocket = activeTransport { return .websocket }
        return .polling
    }

    /// Sends the open packet and starts the heartbeat; the caller then announces the connection.
    func open(upgrades: [EngineTransportName]) {
        let upgradeList = upgrades.map { "\"\($0.rawValue)\"" }.joined(separator: ",")
        let json = "{\"sid\":\"\(id)\",\"upgrades\":[\(upgradeList)],\"pingInterval\":\(options.pingInterval.milliseconds)"
            + ",\"pingTimeout\":\(options.pingTimeout.milliseconds),\"maxPayload\":\(options.maxPayload)}"
        sendPacket(EnginePacket(.open, .text(json)))
        schedulePing()
    }

    // MARK: Sending

    package func send(_ message: EngineMessage, compress: Bool = true) {
        send(PreparedEngineMessage(packet: message.packet, compress: compress))
    }

    package func send(_ message: PreparedEngineMessage) {
        guard readyState == .open else { return }
        enqueue(message)
    }

    func sendPacket(_ packet: EnginePacket) {
        guard readyState == .open else { return }
        enqueue(PreparedEngineMessage(packet: packet))
    }

    private func enqueue(_ message: PreparedEngineMessage) {
        switch activeTransport {
        case .webSocket(let socket) where writeBuffer.isEmpty:
            socket.write(message.webSocketFrame, compress: message.compress)
        case .webSocket, .polling:
            writeBuffer.append(message)
            flush()
        }
    }

    /// Hands buffered packets to the transport if it can take them now.
    func flush() {
        guard readyState != .closed, !writeBuffer.isEmpty else { return }
        switch activeTransport {
        case .webSocket(let socket):
            let queued = writeBuffer
            writeBuffer.removeAll()
            for message in queued { socket.write(message.webSocketFrame, compress: message.compress) }
        case .polling(let polling):
            guard polling.isPollPending else { return }
            // python-engineio clients refuse payloads of more than 16 packets; the rest go in the next poll.
            let count = Swift.min(writeBuffer.count, Self.maxPacketsPerPoll)
            let batch = writeBuffer[..<count]
            let payload = PreparedEngineMessage.pollingPayload(batch)
            let compress = batch.contains { $0.compress }
            writeBuffer.removeFirst(count)
            polling.respondToPoll(payload: payload, compress: compress)
        }
    }

    /// False while the transport cannot take a packet right now (volatile packets are then dropped).
    package var isWritable: Bool {
        guard readyState == .open else { return false }
        switch activeTransport {
        case .webSocket(let socket): return socket.isWritable
        case .polling(let polling): return polling.isPollPending
        }
    }

    // MARK: Receiving

    /// A packet from the active transport.
    func receive(_ packet: EnginePacket) {
        guard readyState == .open else { return }
        // Past the ping deadline nothing revives the session, even if its timer has not run yet.
        if heartbeatExpired { return finish(.pingTimeout) }
        lastPacketTime = loop.now()
        switch packet.type {
        case .message:
            switch packet.data {
            case .binary(let bytes): onMessage?(.binary(bytes))
            case .text(let text): onMessage?(.text(text))
            case .none: onMessage?(.text(""))
            }
        case .pong:
            heartbeatAnswered()
        case .close:
            // The client is leaving: as Node's polling transport, a held poll gets a noop, and a close
            // packet goes out only when the server closes the session.
            if case .polling(let polling) = activeTransport { polling.respondWithNoop() }
            finish(.transportClose)
        case .ping:
            // v4 clients never ping (the server does); the reference treats it as a transport error.
            finish(.transportError)
        case .open, .upgrade, .noop:
            break
        }
    }

    // MARK: Closing

    /// Flushes what is queued, then closes with `reason`.
    package func close(reason: EngineCloseReason = .forcedClose) {
        guard readyState == .open else { return }
        readyState = .closing
        switch activeTransport {
        case .webSocket:
            flush()
            finish(reason)
        case .polling(let polling):
            if polling.isPollPending {
                finish(reason)
            } else {
                // The close packet rides on the next poll; give up waiting like the reference does.
                pendingCloseReason = reason
                closeTimer = loop.schedule(after: .seconds(30)) { [self] in finish(reason) }
            }
        }
    }

    /// Ends the session now: the transport is closed (a pending poll gets the rest of the buffer and a
    /// close packet), timers stop, the server forgets the sid, and `onClose` runs once.
    func finish(_ reason: EngineCloseReason) {
        guard readyState != .closed else { return }
        readyState = .closed
        stopHeartbeat()
        closeTimer?.cancel()
        abandonUpgrade()
        switch activeTransport {
        case .webSocket(let socket):
            socket.close()
        case .polling(let polling):
            if polling.isPollPending {
                polling.respondToPoll(payload: PreparedEngineMessage.pollingPayload(
                    writeBuffer.prefix(Self.maxPacketsPerPoll - 1), trailer: EnginePacket(.close)))
            }
        }
        writeBuffer.removeAll()
        context.unregister(id)
        let callback = onClose
        onClose = nil
        onMessage = nil
        callback?(reason)
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
