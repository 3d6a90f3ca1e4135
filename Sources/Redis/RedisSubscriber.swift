import Reactor
import RESP

/// A pub/sub connection to Redis: `SUBSCRIBE`/`PSUBSCRIBE` and their opposites, messages to
/// `onMessage`, and every subscription made again after a reconnect.
///
/// Methods are callable from any thread (on `loop` they act at once, elsewhere they hop there in
/// order); messages and completions run on `loop`. A subscription asked for while Redis is down is kept (and
/// made once Redis is back) but the call fails with `.notConnected`, since Redis has not counted it;
/// `unsubscribe` drops it whatever the state.
package final class RedisSubscriber: Sendable {
    package typealias MessageHandler = @Sendable (_ channel: [UInt8], _ pattern: [UInt8]?, _ payload: [UInt8]) -> Void

    package let configuration: RedisConfiguration
    package let loop: EventLoop
    private let core: SubscriberCore

    package init(configuration: RedisConfiguration, loop: EventLoop) {
        self.configuration = configuration
        self.loop = loop
        core = SubscriberCore(configuration: configuration, loop: loop)
    }

    deinit {
        let core = core
        loop.execute { core.close() }
    }

    /// Every message of a subscribed channel (`pattern` nil) or pattern; runs on `loop`, in order.
    package var onMessage: MessageHandler? {
        get { core.handlers.onMessage }
        set { core.handlers.onMessage = newValue }
    }

    /// Set before `connect()` to hear every change; runs on `loop`.
    package var onStateChange: (@Sendable (RedisConnectionState) -> Void)? {
        get { core.handlers.onStateChange }
        set { core.handlers.onStateChange = newValue }
    }

    package var state: RedisConnectionState { core.handlers.current }

    package func connect() {
        let core = core
        onLoop { core.connection.start() }
    }

    package func close() {
        let core = core
        onLoop { core.close() }
    }

    /// Returns once Redis has confirmed every channel (so `PUBSUB NUMSUB` counts this connection).
    package func subscribe(_ channels: [[UInt8]]) async throws(RedisError) {
        try await run(.subscribe, channels)
    }

    package func subscribe(_ channels: [String]) async throws(RedisError) {
        try await run(.subscribe, channels.map { Array($0.utf8) })
    }

    package func psubscribe(_ patterns: [[UInt8]]) async throws(RedisError) {
        try await run(.psubscribe, patterns)
    }

    package func psubscribe(_ patterns: [String]) async throws(RedisError) {
        try await run(.psubscribe, patterns.map { Array($0.utf8) })
    }

    package func unsubscribe(_ channels: [[UInt8]]) async throws(RedisError) {
        try await run(.unsubscribe, channels)
    }

    package func unsubscribe(_ channels: [String]) async throws(RedisError) {
        try await run(.unsubscribe, channels.map { Array($0.utf8) })
    }

    package func punsubscribe(_ patterns: [[UInt8]]) async throws(RedisError) {
        try await run(.punsubscribe, patterns)
    }

    package func punsubscribe(_ patterns: [String]) async throws(RedisError) {
        try await run(.punsubscribe, patterns.map { Array($0.utf8) })
    }

    /// The callback form of the four calls above; `completion` runs once, on `loop`.
    package func perform(_ kind: SubscriptionKind, _ names: [[UInt8]], completion: @escaping @Sendable (Result<Void, RedisError>) -> Void) {
        let core = core
        onLoop { core.perform(kind, names) { completion($0.map { _ in }) } }
    }

    private func onLoop(_ body: @escaping @Sendable () -> Void) {
        if loop.inEventLoop { body() } else { loop.execute(body) }
    }

    private func run(_ kind: SubscriptionKind, _ names: [[UInt8]]) async throws(RedisError) {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, RedisError>, Never>) in
            perform(kind, names) { continuation.resume(returning: $0) }
        }
        try result.get()
    }
}

/// The four pub/sub commands; Redis confirms each with one reply per name, named after the command.
package enum SubscriptionKind: String, Sendable {
    case subscribe, psubscribe, unsubscribe, punsubscribe

    var word: [UInt8] { Array(rawValue.uppercased().utf8) }
    var isPattern: Bool { self == .psubscribe || self == .punsubscribe }
    var adds: Bool { self == .subscribe || self == .psubscribe }
}
