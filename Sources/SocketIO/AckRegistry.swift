import SocketIOParser

/// The result an ack callback receives: the client's reply arguments, or why none will come.
public typealias AckResult = Result<[JSONValue], SocketIOError>

/// Acks this server is waiting for on one socket. Loop-confined (owned by the socket), so no lock.
struct AckRegistry {
    struct Pending {
        var callback: @Sendable (AckResult) -> Void
        /// Cancels the timeout timer, when there is one.
        var cancelTimer: (() -> Void)?
    }

    private var pending: [Int: Pending] = [:]

    var count: Int { pending.count }
    func contains(_ id: Int) -> Bool { pending[id] != nil }

    mutating func register(_ id: Int, callback: @escaping @Sendable (AckResult) -> Void) {
        pending[id] = Pending(callback: callback)
    }

    mutating func setTimer(_ id: Int, cancel: @escaping () -> Void) {
        pending[id]?.cancelTimer = cancel
    }

    /// Removes the entry and returns its callback, so the caller runs user code with the registry
    /// already consistent (a callback may emit again and register a new ack).
    mutating func take(_ id: Int) -> Pending? {
        guard let entry = pending.removeValue(forKey: id) else { return nil }
        entry.cancelTimer?()
        return entry
    }

    /// Called when the client answered: returns the callback to run with the answer.
    mutating func resolve(_ id: Int, with args: [JSONValue]) -> (() -> Void)? {
        guard let entry = take(id) else { return nil }
        return { entry.callback(.success(args)) }
    }

    /// Called when the timer fired: the callback gets `ackTimeout`; a late answer is ignored.
    mutating func expire(_ id: Int) -> (() -> Void)? {
        guard let entry = pending.removeValue(forKey: id) else { return nil }
        return { entry.callback(.failure(.ackTimeout)) }
    }

    /// Called on disconnect: every waiting callback fails, so no `emitWithAck` hangs.
    mutating func failAll(_ error: SocketIOError) -> [() -> Void] {
        let entries = pending.values
        pending.removeAll()
        return entries.map { entry in
            entry.cancelTimer?()
            return { entry.callback(.failure(error)) }
        }
    }
}
