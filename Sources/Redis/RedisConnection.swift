import Reactor
import RESP

/// One connection to Redis that stays up: connect, `AUTH`, `SELECT`, and after a loss or a failed
/// attempt, again after a backoff, until closed. Loop-confined; its owner (a client or a subscriber)
/// matches the replies to its commands and fails its waiters when `onDown` runs.
///
/// Writes made before the first connection is up are held and sent once it is; after that, while
/// down, the owner fails calls fast (`canSend` is false) rather than queueing behind an outage.
/// Loop-confined (`@unchecked Sendable` only so completions run on the loop may refer to it).
final class RedisConnection: @unchecked Sendable {
    enum Phase { case idle, connecting, up, down, closed }

    let configuration: RedisConfiguration
    let loop: EventLoop
    /// "client" or "subscriber", for the log line.
    let role: String
    private(set) var phase = Phase.idle

    /// Authenticated and on the database; the owner may (re)subscribe. Held writes follow.
    var onUp: (() -> Void)?
    /// Every reply after the handshake, in order.
    var onReply: ((RESPValue) -> Void)?
    /// The connection or the attempt failed: fail whatever waits for a reply.
    var onDown: (() -> Void)?
    /// Once per state change (deduplicated), after the log line.
    var onStateChange: ((RedisConnectionState) -> Void)?
    /// Nothing came from Redis for `pingInterval`: the owner calls `ping`, unless a command with a
    /// timeout longer than `commandTimeout` waits (a blocking one, silent on purpose: a PING behind
    /// it would time out and drop the connection under it).
    var onIdle: (() -> Void)?

    private var tcp: TCPConnection?
    private var decoder: RESPDecoder
    /// Handshake commands sent on this connection and not answered yet.
    private var handshake: [String] = []
    private var held: [ByteBlock] = []
    /// Bumped on every attempt and every failure: callbacks of an abandoned attempt see a stale value.
    private var generation: UInt64 = 0
    /// Consecutive failed attempts, for the backoff.
    private var failures = 0
    /// The connect timeout of an attempt, or the delay before the next one.
    private var timer: ScheduledTimer?
    private var reported: RedisConnectionState?
    /// When Redis last sent anything, and the timer that checks it while up.
    private var lastReceived: UInt64 = 0
    private var idleTimer: ScheduledTimer?

    init(configuration: RedisConfiguration, loop: EventLoop, role: String) {
        self.configuration = configuration
        self.loop = loop
        self.role = role
        decoder = RESPDecoder(limits: configuration.replyLimits)
    }

    /// True while a write will reach Redis: up, or the first connection under way.
    var canSend: Bool { phase == .up || phase == .connecting }

    func start() {
        guard phase == .idle else { return }
        phase = .connecting
        report(.connecting)
        attempt()
    }

    /// Only while `canSend`.
    func send(_ block: ByteBlock) {
        if phase == .up, let tcp { tcp.write(block) } else { held.append(block) }
    }

    /// Sends a keep-alive `PING` unless one is out; `expect` registers the completion for its reply
    /// with the owner's queue. Unanswered in `commandTimeout`, the connection is reset.
    func ping(expect: (@escaping RedisCompletion) -> Void) {
        guard !pinging, phase == .up else { return }
        pinging = true
        let timeout = configuration.commandTimeout
        expect { [unowned self] result in
            pinging = false
            if case .failure(.timeout) = result {
                reset("no reply to PING within \(timeout) (pingInterval, commandTimeout): the connection is dead or Redis hangs")
            }
        }
        send(Self.pingCommand)
    }

    private var pinging = false
    private static let pingCommand = ByteBlock(RESPEncoder.command(["PING"]))

    /// Drops the connection (the owner saw a reply it cannot match) and reconnects.
    func reset(_ reason: String) { failed(reason) }

    /// Stops for good; what was written still goes out, nothing more comes in.
    func close() {
        guard phase != .closed else { return }
        phase = .closed
        generation &+= 1
        timer?.cancel()
        timer = nil
        idleTimer?.cancel()
        idleTimer = nil
        if let connection = tcp {
            tcp = nil
            connection.onClose = nil
            connection.onRead = nil
            connection.onEndOfInput = nil
            connection.closeAfterFlush(linger: false)
            // A Redis that stopped reading must not keep the descriptor forever.
            loop.schedule(after: configuration.connectTimeout) {
                if !connection.isClosed { connection.close() }
            }
        }
        held = []
        handshake = []
        report(.disconnected(reason: "closed by the application"))
    }

    // MARK: attempts

    private func attempt() {
        generation &+= 1
        let current = generation
        let limit = configuration.connectTimeout
        timer = loop.schedule(after: limit) { [unowned self] in
            timer = nil
            guard current == generation else { return }
            failed("no connection within \(limit) (connectTimeout)")
        }
        if let path = configuration.unixSocketPath {
            switch UnixSocket.connect(path: path, on: loop) {
            case .success(let connection): adopt(connection)
            case .failure(let failure): failed(failure.message)
            }
            return
        }
        HostResolver.resolve(configuration.host, on: loop) { [self] result in
            guard current == generation else { return }
            switch result {
            case .failure(let reason): failed(reason.message)
            case .success(let address):
                TCPConnection.connect(host: address, port: configuration.port, on: loop) { [self] result in
                    switch result {
                    case .failure(let error):
                        if current == generation { failed(Self.describe(error)) }
                    case .success(let connection):
                        guard current == generation else { return connection.close() }
                        adopt(connection)
                    }
                }
            }
        }
    }

    private func adopt(_ connection: TCPConnection) {
        tcp = connection
        decoder = RESPDecoder(limits: configuration.replyLimits)
        connection.onRead = { [unowned self] chunk in received(chunk) }
        connection.onEndOfInput = { [unowned self] in failed("Redis closed the connection") }
        connection.onClose = { [unowned self] reason in failed(Self.describe(reason)) }
        var commands: [[String]] = []
        if let password = configuration.password {
            commands.append(configuration.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
        }
        if configuration.database != 0 { commands.append(["SELECT", String(configuration.database)]) }
        handshake = commands.map { $0[0] }
        for command in commands { connection.write(RESPEncoder.command(command)) }
        if handshake.isEmpty { becameUp() }
    }

    private func becameUp() {
        timer?.cancel()
        timer = nil
        phase = .up
        failures = 0
        lastReceived = loop.now()
        watchIdle()
        report(.connected)
        onUp?()
        let blocks = held
        held = []
        for block in blocks { tcp?.write(block) }
    }

    private func received(_ chunk: UnsafeRawBufferPointer) {
        lastReceived = loop.now()
        decoder.feed(chunk)
        let current = generation
        while current == generation {
            let value: RESPValue?
            do { value = try decoder.next() } catch {
                return failed(error.description)
            }
            guard let value else { return }
            if handshake.isEmpty {
                onReply?(value)
                continue
            }
            let command = handshake.removeFirst()
            if case .error(let message) = value {
                return failed(Self.refusal(command, message))
            }
            if handshake.isEmpty { becameUp() }
        }
    }

    private func failed(_ reason: String) {
        guard phase != .closed else { return }
        generation &+= 1
        timer?.cancel()
        timer = nil
        idleTimer?.cancel()
        idleTimer = nil
        if let connection = tcp {
            tcp = nil
            connection.onClose = nil
            connection.close()
        }
        handshake = []
        held = []
        phase = .down
        failures += 1
        report(.disconnected(reason: reason))
        onDown?()
        guard phase == .down else { return }  // the owner may have closed
        let delay = backoff(failures)
        timer = loop.schedule(after: delay) { [unowned self] in
            timer = nil
            if phase == .down { attempt() }
        }
    }

    /// Checks every `pingInterval` whether Redis has been silent that long.
    private func watchIdle() {
        guard let interval = configuration.pingInterval else { return }
        idleTimer = loop.schedule(after: interval) { [unowned self] in
            idleTimer = nil
            guard phase == .up else { return }
            if loop.now() &- lastReceived >= nanoseconds(interval) { onIdle?() }
            if phase == .up { watchIdle() }
        }
    }

    /// `initial · 2ⁿ⁻¹` capped at `max`, then a random point in its upper half, so clients that lost
    /// Redis together do not come back in lockstep.
    private func backoff(_ attempt: Int) -> Duration {
        let initial = nanoseconds(configuration.reconnectBackoff.initial)
        let cap = Swift.max(initial, nanoseconds(configuration.reconnectBackoff.max))
        let shift = UInt64(Swift.min(Swift.max(attempt - 1, 0), 40))
        let (scaled, overflow) = initial.multipliedReportingOverflow(by: 1 << shift)
        let delay = overflow ? cap : Swift.min(scaled, cap)
        return .nanoseconds(Int64(clamping: delay / 2 + UInt64.random(in: 0...(delay / 2))))
    }

    // MARK: reporting

    private func report(_ state: RedisConnectionState) {
        guard state != reported else { return }
        reported = state
        switch state {
        case .connecting:
            configuration.log("[Redis] \(role) connecting to \(configuration.endpoint)")
        case .connected:
            let db = configuration.database == 0 ? "" : " (db \(configuration.database))"
            configuration.log("[Redis] \(role) connected to \(configuration.endpoint)\(db)")
        case .disconnected(let reason):
            let next = phase == .closed ? "" : "; reconnecting with backoff, calls fail fast meanwhile"
            configuration.log("[Redis] \(role) disconnected from \(configuration.endpoint): \(reason)\(next)")
        }
        onStateChange?(state)
    }

    private static func refusal(_ command: String, _ message: String) -> String {
        switch command {
        case "AUTH": return "AUTH refused: \(message) (check the user name and password in the Redis URL)"
        case "SELECT": return "SELECT refused: \(message) (check the database number in the Redis URL)"
        default: return "\(command) refused: \(message)"
        }
    }

    private static func describe(_ error: ReactorError) -> String {
        switch error {
        case .systemCall(let call, let code): return "\(call): \(ReactorError.errnoText(code))"
        default: return "\(error)"
        }
    }

    private static func describe(_ reason: TCPCloseReason) -> String {
        switch reason {
        case .local: return "connection closed"
        case .peerClosed: return "Redis closed the connection"
        case .error(let code): return "connection lost: \(ReactorError.errnoText(code))"
        }
    }
}
