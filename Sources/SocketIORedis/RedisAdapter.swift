import SocketIO
import SocketIOParser
import Synchronization

/// Rooms and broadcasts shared by every server on one Redis, wire-compatible with Node's
/// `@socket.io/redis-adapter` 8.x (classic pub/sub), so Swift and Node servers can share a cluster.
///
/// One per namespace: `options.adapter = try RedisAdapter.factory(url: "redis://127.0.0.1:6379")`.
/// What is `local` stays on this server; everything else is delivered here and published once for
/// the others. When Redis is down, local sockets keep working: broadcasts reach this server's
/// sockets (the publish is dropped and counted), and requests that need the other servers throw
/// `SocketIOError.clusterUnavailable`.
public final class RedisAdapter: InMemoryAdapter, @unchecked Sendable {
    /// This adapter's id on the wire (six characters, as Node's `uid2(6)`).
    public let uid = randomID()
    let channels: ClassicChannels
    let transport: any PubSubTransport
    let settings: RedisAdapterOptions
    let requests = PendingRequests()
    let ackRequests = AckRequests()
    let stats: RedisAdapterStats
    private let subscribed = Atomic<Bool>(false)

    /// As Node's classic adapter: no sessions, no offsets. With `connectionStateRecovery` on, sockets
    /// get a `pid` but every recovery fails (`unsupported`) and the client gets a new session.
    public override class var recoversSessions: Bool { false }

    package init(namespace: Namespace, transport: any PubSubTransport, options: RedisAdapterOptions,
                 stats: RedisAdapterStats = RedisAdapterStats()) {
        self.channels = ClassicChannels(key: options.key, namespace: namespace.name)
        self.transport = transport
        self.settings = options
        self.stats = stats
        super.init(namespace: namespace)
        Task { [weak self] in await self?.subscribe() }
    }

    /// A server released without `close()` must not stay counted by `PUBSUB NUMSUB`: the others
    /// would wait for its answers.
    deinit { close() }

    /// Listens on the broadcast pattern, the request channel and both response channels, once.
    package func subscribe() async {
        guard !subscribed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let channels = self.channels
        do {
            try await transport.subscribe(
                channels: [channels.request, channels.response, channels.response(for: uid)],
                patterns: [channels.broadcastPattern]) { [weak self] channel, payload in
                    self?.receive(channel: channel, payload: payload)
                }
        } catch {
            // The transport resubscribes what it was asked for once Redis is back.
            subscribed.store(false, ordering: .releasing)
        }
    }

    // MARK: Broadcasts

    public override func broadcast(_ packet: OutgoingPacket, options: BroadcastOptions) {
        if !options.flags.local {
            publish(channels.broadcastChannel(rooms: options.rooms),
                    ClassicMessages.broadcast(uid: uid, packet: packet, options: options))
        }
        super.broadcast(packet, options: options)
    }

    public override func broadcastWithAck(_ packet: OutgoingPacket, options: BroadcastOptions,
                                          clientCount: @escaping @Sendable (Int) -> Void,
                                          ack: @escaping @Sendable (AckResult) -> Void) {
        guard !options.flags.local else {
            return super.broadcastWithAck(packet, options: options, clientCount: clientCount, ack: ack)
        }
        let requestID = randomID()
        broadcastWithAckAcrossServers(
            requestID: requestID, waitFor: options.flags.timeout ?? settings.requestsTimeout, ackRequests: ackRequests,
            clientCount: clientCount, ack: ack,
            publish: {
                publish(channels.request, ClassicMessages.broadcastWithAck(uid: uid, requestID: requestID, packet: packet, options: options))
            },
            deliverLocally: { count in super.broadcastWithAck(packet, options: options, clientCount: count, ack: ack) },
            servers: { await self.serverCount() })
    }

    // MARK: Utilities

    public override func fetchSockets(_ options: BroadcastOptions) async throws(SocketIOError) -> [RemoteSocket] {
        let local = localFetchSockets(options)
        guard !options.flags.local else { return local }
        let answers = try await request("fetchSockets", type: .remoteFetch,
                                        body: ["opts": ClassicCodec.options(options, withFlags: false)])
        return local + remoteSockets(in: answers)
    }

    public override func allRooms() async throws(SocketIOError) -> Set<Room> {
        var rooms = Set(self.rooms.keys)
        for answer in try await request("allRooms", type: .allRooms, body: [:]) {
            rooms.formUnion(ClassicCodec.roomSet(answer["rooms"]))
        }
        return rooms
    }

    public override func addSockets(_ options: BroadcastOptions, rooms: Set<Room>) {
        super.addSockets(options, rooms: rooms)
        if !options.flags.local { publishUtility(.remoteJoin, options, ["rooms": roomList(rooms)]) }
    }

    public override func delSockets(_ options: BroadcastOptions, rooms: Set<Room>) {
        super.delSockets(options, rooms: rooms)
        if !options.flags.local { publishUtility(.remoteLeave, options, ["rooms": roomList(rooms)]) }
    }

    public override func disconnectSockets(_ options: BroadcastOptions, close: Bool) {
        super.disconnectSockets(options, close: close)
        if !options.flags.local { publishUtility(.remoteDisconnect, options, ["close": .bool(close)]) }
    }

    /// Applied here at once, then published; this server skips its own message when it comes back
    /// (Node's sender waits for the echo instead: the same outcome, and it works while Redis is down).
    private func publishUtility(_ type: ClassicRequestType, _ options: BroadcastOptions, _ extra: JSONObject) {
        publish(channels.request, ClassicMessages.utility(uid: uid, type: type, rooms: options.rooms.sorted(),
                                                          except: options.except.sorted(), extra: extra))
    }

    private func roomList(_ rooms: Set<Room>) -> JSONValue { .array(rooms.sorted().map { .string($0) }) }

    // MARK: Servers

    public override func serverCount() async -> Int {
        (try? await transport.subscriberCount(channels.request)) ?? 1
    }

    public override func serverSideEmit(_ packet: [JSONValue]) {
        publish(channels.request, ClassicMessages.serverSideEmit(uid: uid, data: packet))
    }

    public override func serverSideEmitWithAck(_ packet: [JSONValue], timeout: Duration) async throws(SocketIOError) -> [JSONValue] {
        try await request("serverSideEmit", type: .serverSideEmit, body: ["data": .array(packet)], timeout: timeout) {
            $0["data"] ?? .null
        }
    }

    /// Publishes a request with a fresh id and waits for one answer per other server; `answer` picks
    /// what the caller wants from each response (also for those reported with a timeout).
    private func request(_ operation: String, type: ClassicRequestType, body: JSONObject, timeout: Duration? = nil,
                         answer: (JSONValue) -> JSONValue = { $0 }) async throws(SocketIOError) -> [JSONValue] {
        let servers: Int
        do { servers = try await transport.subscriberCount(channels.request) } catch { throw error }
        let expected = servers - 1
        guard expected > 0 else { return [] }
        let requestID = randomID()
        let bytes = ClassicMessages.request(uid: uid, requestID: requestID, type: type, body: body)
        var published = true
        let outcome = await requests.collect(requestID, expected: expected, timeout: timeout ?? settings.requestsTimeout) {
            published = publish(channels.request, bytes)
            if !published { requests.cancel(requestID) }
        }
        guard published else { throw .clusterUnavailable("Redis is not connected") }
        switch outcome {
        case .complete(let answers): return answers.map(answer)
        case .timedOut(let answers):
            throw .clusterTimeout(operation: operation, received: answers.count, expected: expected,
                                  responses: answers.map(answer))
        }
    }

    @discardableResult
    func publish(_ channel: String, _ bytes: [UInt8]) -> Bool {
        let sent = transport.publish(channel, bytes)
        if !sent { stats.droppedPublishes.add(1, ordering: .relaxed) }
        return sent
    }

    public override func close() {
        guard subscribed.exchange(false, ordering: .acquiringAndReleasing) else { return }
        transport.unsubscribe(channels: [channels.request, channels.response, channels.response(for: uid)],
                              patterns: [channels.broadcastPattern])
        requests.expireAll()
        ackRequests.removeAll()
    }
}

/// What the adapters of one Redis connection counted: publishes dropped while Redis was down,
/// messages skipped as unreadable.
public final class RedisAdapterStats: Sendable {
    package let droppedPublishes = Atomic<Int>(0)
    package let skippedMessages = Atomic<Int>(0)
    public init() {}
    public var dropped: Int { droppedPublishes.load(ordering: .relaxed) }
    public var skipped: Int { skippedMessages.load(ordering: .relaxed) }
}
