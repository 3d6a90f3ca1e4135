import Reactor
import EngineIOParser

/// A WebSocket that may replace polling: it must answer the `2probe` and send `5` within `upgradeTimeout`.
final class UpgradeAttempt {
    let transport: WebSocketTransport
    var timer: ScheduledTimer?
    var probed = false

    init(transport: WebSocketTransport) { self.transport = transport }
}

extension EngineSocket {
    /// A WebSocket arrived with this session's sid. Only one upgrade, from polling, while open.
    func beginUpgrade(_ transport: WebSocketTransport) {
        guard readyState == .open, !upgraded, upgrade == nil, case .polling = activeTransport,
              options.allowUpgrades, options.transports.contains(.websocket) else {
            transport.session = nil
            transport.close()
            return
        }
        let attempt = UpgradeAttempt(transport: transport)
        attempt.timer = loop.schedule(after: options.upgradeTimeout) { [self] in abandonUpgrade() }
        upgrade = attempt
    }

    func probe(_ packet: EnginePacket, attempt: UpgradeAttempt) {
        switch packet.type {
        case .ping where packet.text == "probe":
            attempt.transport.write(PreparedEngineMessage(packet: EnginePacket(.pong, .text("probe"))).webSocketFrame)
            attempt.probed = true
            if case .polling(let polling) = activeTransport, polling.isPollPending {
                flush()
                if polling.isPollPending {
                    polling.respondWithNoop()
                }
            }
        case .upgrade:
            completeUpgrade(attempt)
        default:
            abandonUpgrade()
        }
    }

    private func completeUpgrade(_ attempt: UpgradeAttempt) {
        attempt.timer?.cancel()
        upgrade = nil
        upgraded = true
        if case .polling(let polling) = activeTransport, polling.isPollPending {
            polling.respondWithNoop()
        }
        activeTransport = .webSocket(attempt.transport)
        flush()
        if readyState == .closing { finish(pendingCloseReason ?? .forcedClose) }
    }

    func abandonUpgrade() {
        guard let attempt = upgrade else { return }
        upgrade = nil
        attempt.timer?.cancel()
        attempt.transport.session = nil
        attempt.transport.close()
    }
}
