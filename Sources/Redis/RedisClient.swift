import Reactor
import RESP
import Synchronization

/// A commands connection to Redis: pipelined (many commands in flight, replies matched in order),
/// `AUTH`/`SELECT` on every (re)connect, reconnecting with backoff by itself.
///
/// Every method is callable from any thread: on `loop` it acts at once (a completion may then run
/// before the call returns), elsewhere it hops there in order. I/O and completions run on `loop`. While Redis
/// is down, calls fail at once with `.notConnected` and publishes are dropped and counted, so a
/// caller never queues up behind an outage. Commands made while the first connection is being
/// made wait for it.
package final class RedisClient: Sendable {
    package let configuration: RedisConfiguration
    package let loop: EventLoop
    private let core: ClientCore

    package init(configuration: RedisConfiguration, loop: EventLoop) {
        self.configuration = configuration
        self.loop = loop
        core = ClientCore(configuration: configuration, loop: loop)
    }

    deinit {
        // The core lives until the loop has closed it, so no callback ever sees it freed.
        let core = core
        loop.execute { core.close() }
    }

    /// Set before `connect()` to hear every change; runs on `loop`.
    package var onStateChange: (@Sendable (RedisConnectionState) -> Void)? {
        get { core.handlers.onStateChange }
        set { core.handlers.onStateChange = newValue }
    }

    /// The last state reported.
    package var state: RedisConnectionState { core.handlers.current }

    /// Publishes dropped because Redis was down or too many commands were in flight.
    package var droppedPublishes: Int { core.dropped.load(ordering: .relaxed) }

    /// Starts connecting, and keeps the connection up until `close()`.
    package func connect() {
        let core = core
        onLoop { core.connection.start() }
    }

    /// Fails what waits with `.closed` and stops reconnecting. Writes already made still go out.
    package func close() {
        let core = core
        onLoop { core.close() }
    }

    /// Sends `command` (binary-safe arguments); `completion` runs once on `loop` with the reply, or
    /// `.server` for an error reply, `.timeout`, `.notConnected`, `.closed`, `.tooManyPending`.
    package func send(_ command: [[UInt8]], timeout: Duration? = nil, completion: @escaping RedisCompletion) {
        let block = ByteBlock(count: RESPEncoder.commandCount(command)) { RESPEncoder.writeCommand(command, into: $0) }
        let core = core, timeout = timeout ?? configuration.commandTimeout
        onLoop { core.send(block, timeout: timeout, completion: completion) }
    }

    package func send(_ command: [String], timeout: Duration? = nil, completion: @escaping RedisCompletion) {
        send(command.map { Array($0.utf8) }, timeout: timeout, completion: completion)
    }

    package func send(_ command: [[UInt8]], timeout: Duration? = nil) async throws(RedisError) -> RESPValue {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<RESPValue, RedisError>, Never>) in
            send(command, timeout: timeout) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    package func send(_ command: [String], timeout: Duration? = nil) async throws(RedisError) -> RESPValue {
        try await send(command.map { Array($0.utf8) }, timeout: timeout)
    }

    /// Sends `commands` back to back (nothing of another caller in between) and completes with the
    /// last one's reply; the replies before it are read and dropped. `MULTI … EXEC` is the use:
    /// `transaction` wraps it.
    package func send(batch commands: [[[UInt8]]], timeout: Duration? = nil, completion: @escaping RedisCompletion) {
        guard !commands.isEmpty else { return onLoop { completion(.success(.array([]))) } }
        var bytes: [UInt8] = []
        for command in commands { bytes += RESPEncoder.command(command) }
        let block = ByteBlock(bytes)
        let core = core, timeout = timeout ?? configuration.commandTimeout, count = commands.count
        onLoop { core.send(block, replies: count, timeout: timeout, completion: completion) }
    }

    /// `MULTI`, the commands, `EXEC`, sent together: the replies of the commands, in order. A command
    /// Redis refuses to queue fails the whole with `.server("EXECABORT …")`; a command that fails
    /// while running shows as an `.error` element.
    package func transaction(_ commands: [[[UInt8]]], timeout: Duration? = nil) async throws(RedisError) -> [RESPValue] {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<RESPValue, RedisError>, Never>) in
            send(batch: [[Array("MULTI".utf8)]] + commands + [[Array("EXEC".utf8)]], timeout: timeout) {
                continuation.resume(returning: $0)
            }
        }
        let reply = try result.get()
        if reply == .array(nil) { throw .unexpectedReply("EXEC returned nil: a WATCHed key changed, the transaction did not run") }
        guard let elements = reply.elements else { throw .unexpectedReply("EXEC answered \(reply)") }
        return elements
    }

    package func transaction(_ commands: [[String]], timeout: Duration? = nil) async throws(RedisError) -> [RESPValue] {
        try await transaction(commands.map { $0.map { Array($0.utf8) } }, timeout: timeout)
    }

    /// Fire and forget: queued without waiting; dropped and counted in `droppedPublishes` when it
    /// cannot be sent. The reply (the receiver count) is read and discarded.
    package func publish(channel: [UInt8], message: [UInt8]) {
        // Encoded once, straight into the block the socket writes from.
        let arguments = [Self.publishWord, channel, message]
        let block = ByteBlock(count: RESPEncoder.commandCount(arguments)) { RESPEncoder.writeCommand(arguments, into: $0) }
        let core = core
        onLoop { core.publish(block) }
    }

    package func publish(channel: String, message: [UInt8]) {
        publish(channel: Array(channel.utf8), message: message)
    }

    /// How many connections are subscribed to `channel` (`PUBSUB NUMSUB`; patterns not counted).
    package func pubsubNumsub(_ channel: [UInt8]) async throws(RedisError) -> Int {
        let reply = try await send([Array("PUBSUB".utf8), Array("NUMSUB".utf8), channel])
        guard let items = reply.elements, items.count == 2, let count = items[1].integer else {
            throw .unexpectedReply("PUBSUB NUMSUB answered \(reply)")
        }
        return Int(count)
    }

    package func pubsubNumsub(_ channel: String) async throws(RedisError) -> Int {
        try await pubsubNumsub(Array(channel.utf8))
    }

    private static let publishWord = Array("PUBLISH".utf8)

    private func onLoop(_ body: @escaping @Sendable () -> Void) {
        if loop.inEventLoop { body() } else { loop.execute(body) }
    }
}

/// The client's loop-confined half.
final class ClientCore: @unchecked Sendable {
    let connection: RedisConnection
    let pending: PendingReplies<Void>
    let maxPending: Int
    let dropped = Atomic<Int>(0)
    let handlers = Handlers()

    init(configuration: RedisConfiguration, loop: EventLoop) {
        connection = RedisConnection(configuration: configuration, loop: loop, role: "client")
        pending = PendingReplies(loop: loop)
        maxPending = configuration.maxPendingCommands
        connection.onReply = { [unowned self] value in received(value) }
        connection.onDown = { [unowned self] in pending.failAll(.notConnected) }
        connection.onIdle = { [unowned self] in
            guard !pending.waits(longerThan: connection.configuration.commandTimeout) else { return }
            connection.ping { pending.append((), timeout: connection.configuration.commandTimeout, completion: $0) }
        }
        connection.onStateChange = { [handlers] in handlers.report($0) }
    }

    /// `block` holds `replies` commands; `completion` gets the last reply.
    func send(_ block: ByteBlock, replies: Int = 1, timeout: Duration, completion: @escaping RedisCompletion) {
        guard connection.canSend else {
            return completion(.failure(connection.phase == .closed ? .closed : .notConnected))
        }
        guard pending.count + replies <= maxPending else { return completion(.failure(.tooManyPending(limit: maxPending))) }
        for _ in 1..<replies { pending.append((), timeout: .zero, completion: nil) }
        pending.append((), timeout: timeout, completion: completion)
        connection.send(block)
    }

    func publish(_ block: ByteBlock) {
        guard connection.canSend, pending.count < maxPending else {
            dropped.add(1, ordering: .relaxed)
            return
        }
        pending.append((), timeout: .zero, completion: nil)
        connection.send(block)
    }

    private func received(_ value: RESPValue) {
        // RESP3 out-of-band data (after a HELLO 3 sent by the user) answers no command.
        if case .push = value { return }
        guard !pending.isEmpty else {
            return connection.reset("a reply with no command waiting for it (\(value))")
        }
        if case .error(let message) = value {
            pending.completeFirst(.failure(.server(message)))
        } else {
            pending.completeFirst(.success(value))
        }
    }

    func close() {
        connection.close()
        pending.failAll(.closed)
        handlers.clear()
    }
}
