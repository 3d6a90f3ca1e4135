import Synchronization

/// What every session of one server shares, by reference: its options and the sid table. A copy of
/// the options and a removal closure in each session cost ~200 bytes of every idle connection.
final class SessionContext: Sendable {
    let options: EngineOptions
    /// The server's only shared state.
    let sessions = Mutex<[String: EngineSocket]>([:])
    let limits: HandshakeLimits

    init(options: EngineOptions) {
        self.options = options
        self.limits = HandshakeLimits(options: options)
    }

    func register(_ session: EngineSocket) {
        sessions.withLock { $0[session.id] = session }
    }

    func unregister(_ id: String) {
        if sessions.withLock({ $0.removeValue(forKey: id) }) != nil { limits.sessionEnded() }
    }
}
