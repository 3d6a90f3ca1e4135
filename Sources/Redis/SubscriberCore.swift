import Reactor
import RESP

/// The subscriber's loop-confined half: the wanted channels and patterns, the commands awaiting
/// their confirmations, and message dispatch.
final class SubscriberCore: @unchecked Sendable {
    struct Command {
        /// Nil for a keep-alive `PING`.
        var kind: SubscriptionKind?
        /// Confirmations still to come (one per name sent).
        var remaining: Int
    }

    let connection: RedisConnection
    let pending: PendingReplies<Command>
    let timeout: Duration
    let handlers = Handlers()

    /// What Redis must have, made again on every reconnect.
    private var channels: Set<[UInt8]> = []
    private var patterns: Set<[UInt8]> = []
    /// Subscribe calls made while the first connection was under way: answered by the first resubscribe.
    private var waitingForUp: [RedisCompletion] = []

    init(configuration: RedisConfiguration, loop: EventLoop) {
        connection = RedisConnection(configuration: configuration, loop: loop, role: "subscriber")
        pending = PendingReplies(loop: loop)
        timeout = configuration.commandTimeout
        connection.onReply = { [unowned self] value in received(value) }
        connection.onUp = { [unowned self] in resubscribe() }
        // PING is allowed while subscribed.
        connection.onIdle = { [unowned self] in
            guard !pending.waits(longerThan: connection.configuration.commandTimeout) else { return }
            connection.ping { pending.append(Command(kind: nil, remaining: 1), timeout: timeout, completion: $0) }
        }
        connection.onDown = { [unowned self] in
            pending.failAll(.notConnected)
            Self.finish(&waitingForUp, .failure(.notConnected))
        }
        connection.onStateChange = { [handlers] in handlers.report($0) }
    }

    func perform(_ kind: SubscriptionKind, _ names: [[UInt8]], completion: @escaping RedisCompletion) {
        var unique: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        for name in names where seen.insert(name).inserted { unique.append(name) }
        if connection.phase == .closed { return completion(.failure(.closed)) }
        var added: [[UInt8]] = []
        if kind.adds {
            added = unique.filter { !(kind.isPattern ? patterns : channels).contains($0) }
            if kind.isPattern { patterns.formUnion(added) } else { channels.formUnion(added) }
        } else {
            if kind.isPattern { patterns.subtract(unique) } else { channels.subtract(unique) }
        }
        guard !unique.isEmpty else { return completion(.success(.null)) }
        switch connection.phase {
        case .up:
            // Refused (-NOPERM): Redis ran none of it, so forget what this call added, or every
            // resubscribe after a reconnect would be refused as a whole.
            var settle = completion
            if !added.isEmpty {
                settle = { [unowned self, added] result in
                    if case .failure(.server) = result { forget(added, patterns: kind.isPattern) }
                    completion(result)
                }
            }
            pending.append(Command(kind: kind, remaining: unique.count), timeout: timeout, completion: settle)
            connection.send(ByteBlock(RESPEncoder.command([kind.word] + unique)))
        case .connecting where kind.adds:
            waitingForUp.append(completion)
        case .idle, .down, .connecting, .closed:
            // Nothing to undo on Redis for a removal; an addition is made when Redis is back.
            completion(kind.adds ? .failure(.notConnected) : .success(.null))
        }
    }

    private func forget(_ names: [[UInt8]], patterns isPattern: Bool) {
        if isPattern { patterns.subtract(names) } else { channels.subtract(names) }
    }

    /// Subscribes to everything wanted, in at most two commands, on a fresh connection.
    private func resubscribe() {
        var commands: [(SubscriptionKind, [[UInt8]])] = []
        if !channels.isEmpty { commands.append((.subscribe, Array(channels))) }
        if !patterns.isEmpty { commands.append((.psubscribe, Array(patterns))) }
        let waiters = Waiters(waitingForUp)
        waitingForUp = []
        guard !commands.isEmpty else { return waiters.finish(.success(.null)) }
        let log = connection.configuration.log, role = connection.role
        for (index, (kind, names)) in commands.enumerated() {
            let last = index == commands.count - 1
            pending.append(Command(kind: kind, remaining: names.count), timeout: timeout) { result in
                if case .failure(let error) = result, error != .notConnected, error != .closed {
                    log("[Redis] \(role) could not subscribe on (re)connecting: \(error)")
                }
                if last || (try? result.get()) == nil { waiters.finish(result) }
            }
            connection.send(ByteBlock(RESPEncoder.command([kind.word] + names)))
        }
    }

    private func received(_ value: RESPValue) {
        // PING answers ["pong", ""] while subscribed, +PONG once nothing is.
        if value == .simpleString("PONG"), let first = pending.first, first.kind == nil {
            return pending.completeFirst(.success(value))
        }
        guard let items = value.elements, let kind = items.first?.bytes else {
            if case .error(let message) = value, !pending.isEmpty {
                // An error answers a whole command (e.g. -NOPERM for one of its channels).
                return pending.completeFirst(.failure(.server(message)))
            }
            return connection.reset("unexpected reply on the subscriber connection: \(value)")
        }
        switch kind {
        case Self.message where items.count == 3:
            guard let channel = items[1].bytes, let payload = items[2].bytes else { break }
            if channels.contains(channel) { handlers.deliver(channel, nil, payload) }
            return
        case Self.pmessage where items.count == 4:
            guard let pattern = items[1].bytes, let channel = items[2].bytes, let payload = items[3].bytes else { break }
            if patterns.contains(pattern) { handlers.deliver(channel, pattern, payload) }
            return
        case Self.pong:
            guard let first = pending.first, first.kind == nil else { break }
            return pending.completeFirst(.success(value))
        default:
            guard let expected = pending.first?.kind, expected.rawValue.utf8.elementsEqual(kind) else { break }
            pending.updateFirst { $0.remaining -= 1 }
            if pending.first?.remaining == 0 { pending.completeFirst(.success(value)) }
            return
        }
        connection.reset("unexpected pub/sub reply \(value)")
    }

    func close() {
        connection.close()
        pending.failAll(.closed)
        Self.finish(&waitingForUp, .failure(.closed))
        channels = []
        patterns = []
        handlers.clear()
    }

    private static func finish(_ completions: inout [RedisCompletion], _ result: Result<RESPValue, RedisError>) {
        let taken = completions
        completions = []
        for completion in taken { completion(result) }
    }

    private static let message = Array("message".utf8)
    private static let pmessage = Array("pmessage".utf8)
    private static let pong = Array("pong".utf8)
}

/// Calls made while connecting, answered together by the first resubscribe (once, whichever of its
/// commands settles them). Loop-confined.
private final class Waiters: @unchecked Sendable {
    private var completions: [RedisCompletion]

    init(_ completions: [RedisCompletion]) { self.completions = completions }

    func finish(_ result: Result<RESPValue, RedisError>) {
        let taken = completions
        completions = []
        for completion in taken { completion(result) }
    }
}
