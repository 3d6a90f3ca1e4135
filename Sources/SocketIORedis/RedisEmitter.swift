import SocketIO
import SocketIOParser

/// Emits to the sockets of a Redis cluster from a process that serves none (a worker, a cron job),
/// with the bytes `@socket.io/redis-emitter` 5.x publishes: every server of the cluster (Swift or
/// Node) delivers to its own sockets.
///
/// ```swift
/// let redis = try RedisConnection(url: "redis://127.0.0.1:6379")
/// let emitter = RedisEmitter(redis)
/// emitter.to("room1").emit("news", "hello")
/// emitter.of("/admin").socketsJoin("audit")
/// ```
/// A value: every modifier returns a new emitter. Nothing is waited for; while Redis is down the
/// messages are dropped and counted in `connection.stats`.
public struct RedisEmitter: Sendable {
    public let connection: RedisConnection
    public let key: String
    public let namespace: String
    private var rooms: [Room] = []
    private var except: [Room] = []
    private var flags = BroadcastFlags()

    public init(_ connection: RedisConnection, key: String = "socket.io", namespace: String = "/") {
        self.connection = connection
        self.key = key
        self.namespace = namespace.hasPrefix("/") ? namespace : "/" + namespace
    }

    private var channels: ClassicChannels { ClassicChannels(key: key, namespace: namespace) }

    private func with(_ change: (inout RedisEmitter) -> Void) -> RedisEmitter {
        var copy = self
        change(&copy)
        return copy
    }

    /// The same emitter for another namespace (a leading `/` is added when missing).
    public func of(_ namespace: String) -> RedisEmitter { RedisEmitter(connection, key: key, namespace: namespace) }
    public func to(_ rooms: Room...) -> RedisEmitter { to(rooms) }
    public func to(_ rooms: some Sequence<Room>) -> RedisEmitter {
        with { for room in rooms where !$0.rooms.contains(room) { $0.rooms.append(room) } }
    }
    public func `in`(_ rooms: Room...) -> RedisEmitter { to(rooms) }
    public func except(_ rooms: Room...) -> RedisEmitter { except(rooms) }
    public func except(_ rooms: some Sequence<Room>) -> RedisEmitter {
        with { for room in rooms where !$0.except.contains(room) { $0.except.append(room) } }
    }
    public var volatile: RedisEmitter { with { $0.flags.volatile = true } }
    public func compress(_ enabled: Bool) -> RedisEmitter { with { $0.flags.compress = enabled } }

    /// Emits to the selected sockets of every server. Reserved names (`connect`, `disconnect`, ...)
    /// are refused, as Node's emitter throws on them.
    @discardableResult
    public func emit(_ event: String, _ args: JSONValue...) -> Bool { emit(event, arguments: args) }

    @discardableResult
    public func emit(_ event: String, arguments args: [JSONValue]) -> Bool {
        guard !SocketPacket.isReservedEventName(event) else { return false }
        var flagObject = JSONObject()
        if flags.volatile { flagObject["volatile"] = true }
        if let compress = flags.compress { flagObject["compress"] = .bool(compress) }
        let packet: JSONValue = ["type": 2, "data": .array([.string(event)] + args), "nsp": .string(namespace)]
        let options: JSONValue = ["rooms": .array(rooms.map { .string($0) }), "flags": .object(flagObject),
                                  "except": .array(except.map { .string($0) })]
        return publish(channels.broadcastChannel(rooms: rooms), ClassicCodec.messagePack(["emitter", packet, options]))
    }

    /// Makes the selected sockets of every server join `rooms`.
    @discardableResult
    public func socketsJoin(_ rooms: Room...) -> Bool { utility(.remoteJoin, ["rooms": .array(rooms.map { .string($0) })]) }
    /// Makes the selected sockets of every server leave `rooms`.
    @discardableResult
    public func socketsLeave(_ rooms: Room...) -> Bool { utility(.remoteLeave, ["rooms": .array(rooms.map { .string($0) })]) }
    /// Disconnects the selected sockets of every server (`close` also closes their connection).
    @discardableResult
    public func disconnectSockets(close: Bool = false) -> Bool { utility(.remoteDisconnect, ["close": .bool(close)]) }

    /// Sends `[event, args...]` to every server's `onServerSideEmit` handlers (no acks, as Node's emitter).
    @discardableResult
    public func serverSideEmit(_ event: String, _ args: JSONValue...) -> Bool {
        guard !SocketPacket.isReservedEventName(event) else { return false }
        return publish(channels.request, ClassicMessages.serverSideEmit(uid: "emitter", data: [.string(event)] + args))
    }

    private func utility(_ type: ClassicRequestType, _ extra: JSONObject) -> Bool {
        publish(channels.request, ClassicMessages.utility(uid: nil, type: type, rooms: rooms, except: except, extra: extra))
    }

    private func publish(_ channel: String, _ bytes: [UInt8]) -> Bool {
        let sent = connection.publish(channel, bytes)
        if !sent { connection.stats.droppedPublishes.add(1, ordering: .relaxed) }
        return sent
    }
}
