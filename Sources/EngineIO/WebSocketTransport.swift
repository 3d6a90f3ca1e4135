import Reactor
import HTTPServer
import EngineIOParser

/// The WebSocket side of a session. The connection lives on its own loop, which may differ from the
/// session's after an upgrade; events and writes hop between them in order.
final class WebSocketTransport: WebSocketHandler, @unchecked Sendable {
    /// The loop of the session this transport serves (or is probing for); writes come from there.
    let sessionLoop: EventLoop
    /// Set once, right after the upgrade creates it.
    @exclusivity(unchecked) var connection: WebSocketConnection! {
        didSet { writesInline = connection.loop === sessionLoop }
    }
    /// Cleared when the connection closes, which breaks the session ↔ transport cycle.
    @exclusivity(unchecked) var session: EngineSocket?
    /// The connection shares the session's loop, so a write needs no hop (and no thread check).
    @exclusivity(unchecked) private var writesInline = false

    /// Over this many queued bytes the transport counts as busy, so volatile packets are dropped.
    static let writableHighWaterMark = 64 * 1024

    init(sessionLoop: EventLoop) { self.sessionLoop = sessionLoop }

    /// Session loop only.
    func write(_ frame: ByteBlock, compress: Bool = true) {
        let connection = connection!
        if writesInline {
            connection.send(preparedFrame: frame, compress: compress)
        } else {
            connection.loop.execute { connection.send(preparedFrame: frame, compress: compress) }
        }
    }

    /// The queue length is only readable on the connection's loop; from elsewhere, assume it can take more.
    var isWritable: Bool {
        guard writesInline else { return true }
        return connection.bufferedAmount < Self.writableHighWaterMark
    }

    /// Delivers what the client already sent on this socket, when it lives on the session's loop
    /// (after an upgrade's move it does; see `EngineSocket.handlePollingRequest`).
    func readPendingInput() {
        guard writesInline else { return }
        connection.readPendingInput()
    }

    func close() {
        let connection = connection!
        if connection.loop.inEventLoop {
            connection.close(code: 1000)
        } else {
            connection.loop.execute { connection.close(code: 1000) }
        }
    }

    // MARK: WebSocketHandler (on the connection's loop)

    func webSocket(_ socket: WebSocketConnection, didReceive message: WebSocketMessage) {
        guard let session else { return }
        if session.loop.inEventLoop {
            session.webSocketReceived(self, message)
        } else {
            session.loop.execute { session.webSocketReceived(self, message) }
        }
    }

    func webSocketDidClose(_ socket: WebSocketConnection, code: UInt16?) {
        guard let session else { return }
        self.session = nil
        if session.loop.inEventLoop {
            session.webSocketClosed(self, code: code)
        } else {
            session.loop.execute { session.webSocketClosed(self, code: code) }
        }
    }
}

extension EngineSocket {
    func webSocketReceived(_ transport: WebSocketTransport, _ message: WebSocketMessage) {
        let packet: EnginePacket
        do {
            switch message {
            case .binary(let bytes): packet = EnginePacketCodec.decode(binaryFrame: bytes)
            case .text(let bytes): packet = try EnginePacketCodec.decode(text: bytes)
            }
        } catch {
            if case .webSocket(let active) = activeTransport, active === transport { finish(.parseError) }
            else if upgrade?.transport === transport { abandonUpgrade() }
            return
        }
        if case .webSocket(let active) = activeTransport, active === transport {
            receive(packet)
        } else if let attempt = upgrade, attempt.transport === transport {
            probe(packet, attempt: attempt)
        }
    }

    func webSocketClosed(_ transport: WebSocketTransport, code: UInt16?) {
        if case .webSocket(let active) = activeTransport, active === transport {
            // Codes we send for protocol violations mean the transport failed; anything else is a close.
            let failed = code == 1002 || code == 1007 || code == 1009 || code == WebSocketConnection.slowConsumerCloseCode
            finish(failed ? .transportError : .transportClose)
        } else if upgrade?.transport === transport {
            upgrade?.timer?.cancel()
            upgrade = nil
        }
    }
}
