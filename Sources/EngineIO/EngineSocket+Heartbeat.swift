import Reactor
import EngineIOParser

/// v4 heartbeat: the server pings every `pingInterval`; without a pong (or any packet) within
/// `pingTimeout` the session closes with `ping timeout`.
extension EngineSocket {
    func schedulePing() {
        pingIntervalTimer?.cancel()
        pingIntervalTimer = loop.schedule(after: options.pingInterval) { [self] in
            sendPacket(EnginePacket(.ping))
            armPingTimeout(after: options.pingTimeout)
        }
    }

    func heartbeatAnswered() {
        pingTimeoutTimer?.cancel()
        pingTimeoutTimer = nil
        pingTimeoutDeadline = nil
        schedulePing()
    }

    private func armPingTimeout(after delay: Duration) {
        pingTimeoutTimer?.cancel()
        pingTimeoutDeadline = loop.now() + UInt64(delay.milliseconds) * 1_000_000
        pingTimeoutTimer = loop.schedule(after: delay) { [self] in checkPingTimeout() }
    }

    /// Like the reference, a client that is visibly sending packets is given the rest of its time
    /// instead of being dropped because its pong queued behind other traffic.
    private func checkPingTimeout() {
        guard readyState != .closed else { return }
        let timeout = UInt64(options.pingTimeout.milliseconds) * 1_000_000
        let sinceLastPacket = loop.now() &- lastPacketTime
        if sinceLastPacket < timeout {
            armPingTimeout(after: .nanoseconds(Int64(timeout - sinceLastPacket)))
            return
        }
        finish(.pingTimeout)
    }

    /// True when the ping deadline has passed even if its timer has not fired yet (a busy loop, or a
    /// request arriving at the edge): requests must not revive an expired session.
    var heartbeatExpired: Bool {
        guard let deadline = pingTimeoutDeadline else { return false }
        let now = loop.now()
        let timeout = UInt64(options.pingTimeout.milliseconds) * 1_000_000
        return now >= deadline && now &- lastPacketTime >= timeout
    }

    func stopHeartbeat() {
        pingIntervalTimer?.cancel()
        pingTimeoutTimer?.cancel()
        pingIntervalTimer = nil
        pingTimeoutTimer = nil
        pingTimeoutDeadline = nil
    }
}
