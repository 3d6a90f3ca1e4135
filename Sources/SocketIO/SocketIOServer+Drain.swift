import EngineIO
import Reactor

extension SocketIOServer {
    /// Takes this server out of service without a reconnect storm, then closes it.
    ///
    /// At once: new Engine.IO handshakes get 503 (a balancer sends them to another server) and the
    /// readiness path answers 503. Then the open connections are closed one by one, spread evenly over
    /// `window`, with `server shutting down`: a transport close, never a Socket.IO DISCONNECT, so every
    /// client reconnects (elsewhere) by itself, and, with `connectionStateRecovery`, its session is
    /// persisted first. After the window the server closes as `close()` does. Call it once, from a
    /// task (a second call returns at once); `close()` during a drain cuts it short.
    public func drain(over window: Duration) async {
        guard engine.startDraining() else { return }
        let sessions = engine.openSessions.shuffled()
        let count = sessions.count
        for (index, session) in sessions.enumerated() {
            // Midpoints of equal slices: the first close comes half a slice in, the last half a slice
            // before the end, so the closes are spread evenly whatever the count.
            let delay = window * ((Double(index) + 0.5) / Double(count))
            session.loop.execute {
                session.loop.schedule(after: delay) { session.close(reason: .serverShuttingDown) }
            }
        }
        // Nobody to wait for (new clients are refused): close now.
        if count > 0 { try? await Task.sleep(for: window) }
        await close()
    }

    /// True once `drain` started: handshakes are refused and the readiness path answers 503.
    public var isDraining: Bool { engine.isDraining }
}
