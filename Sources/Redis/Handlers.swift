import Synchronization

/// The user's callbacks, settable from any thread and read by the loop on every message or state
/// change. Each closure sits in a final class so the lock hands out a reference: reading a closure
/// value straight out of a `Mutex` (Swift 6.3) wrapped it in one more reabstraction thunk per read,
/// so every message took longer than the one before.
final class Handlers: Sendable {
    final class Message: Sendable {
        let call: RedisSubscriber.MessageHandler
        init(_ call: @escaping RedisSubscriber.MessageHandler) { self.call = call }
    }

    final class State: Sendable {
        let call: @Sendable (RedisConnectionState) -> Void
        init(_ call: @escaping @Sendable (RedisConnectionState) -> Void) { self.call = call }
    }

    private let message = Mutex<Message?>(nil)
    private let state = Mutex<State?>(nil)
    private let lastState = Mutex<RedisConnectionState>(.disconnected(reason: "connect() not called yet"))

    var onMessage: RedisSubscriber.MessageHandler? {
        get { message.withLock { $0 }?.call }
        set { let box = newValue.map(Message.init); message.withLock { $0 = box } }
    }

    var onStateChange: (@Sendable (RedisConnectionState) -> Void)? {
        get { state.withLock { $0 }?.call }
        set { let box = newValue.map(State.init); state.withLock { $0 = box } }
    }

    /// The last state reported.
    var current: RedisConnectionState { lastState.withLock { $0 } }

    /// Loop only.
    func deliver(_ channel: [UInt8], _ pattern: [UInt8]?, _ payload: [UInt8]) {
        message.withLock { $0 }?.call(channel, pattern, payload)
    }

    /// After the last report: a callback that captured its own client no longer keeps it alive.
    func clear() {
        message.withLock { $0 = nil }
        state.withLock { $0 = nil }
    }

    /// Loop only.
    func report(_ newState: RedisConnectionState) {
        lastState.withLock { $0 = newState }
        state.withLock { $0 }?.call(newState)
    }
}
