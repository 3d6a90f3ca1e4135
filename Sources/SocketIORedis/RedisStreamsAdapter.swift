import SocketIO
import SocketIOParser
import Synchronization

/// Rooms and broadcasts shared through a Redis stream, wire-compatible with Node's
/// `@socket.io/redis-streams-adapter` 0.3.x (socket.io-adapter's `ClusterAdapter` protocol):
/// broadcasts and room changes are appended to the stream (`XADD … MAXLEN ~`) and read back by every
/// server (`XREAD BLOCK` on a connection of its own), so each has an entry id (the offset connection
/// state recovery will use); broadcasts with acks, server-side emits and fetches go over pub/sub, and
/// answers to the requester's own channel.
///
/// `options.adapter = redis.streamsAdapter(RedisStreamsAdapterOptions())`. Like the classic adapter:
/// local sockets keep working while Redis is down, requests fail fast, unreadable entries are
/// skipped and counted. `allRooms()` is this server's (the protocol has no such request).
public final class RedisStreamsAdapter: InMemoryAdapter, @unchecked Sendable {
    /// This adapter's id on the wire (16 hex characters, as Node's ClusterAdapter).
    public let uid: String
    let settings: RedisStreamsAdapterOptions
    let connection: RedisConnection
    let stream: String
    let publicChannel: String
    let privateChannel: String
    let requests = PendingRequests()
    let ackRequests = AckRequests()
    private let subscribed = Atomic<Bool>(false)

    init(namespace: Namespace, connection: RedisConnection, options: RedisStreamsAdapterOptions) {
        let uid = randomHexID()
        self.uid = uid
        self.connection = connection
        self.settings = options
        stream = streamName(for: namespace.name, base: options.streamName, count: options.streamCount)
        publicChannel = "\(options.channelPrefix)#\(namespace.name)#"
        privateChannel = "\(options.channelPrefix)#\(namespace.name)#\(uid)#"
        super.init(namespace: namespace)
        Task { [weak self] in await self?.subscribe() }
    }

    deinit { close() }

    package func subscribe() async {
        guard !subscribed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        connection.reader(for: stream, options: settings).add(self)
        do {
            try await connection.subscribe(channels: [publicChannel, privateChannel], patterns: []) { [weak self] _, payload in
                self?.receivePublished(payload)
            }
        } catch {
            // Resubscribed by the connection once Redis is back.
        }
    }

    // MARK: Publishing

    private func message(_ type: ClusterMessageType, _ data: JSONObject) -> ClusterMessage {
        ClusterMessage(uid: uid, nsp: namespace.name, type: type, data: .object(data))
    }

    /// Durable messages into the stream, ephemeral ones on the public channel. False when Redis is down
    /// (dropped and counted).
    @discardableResult
    func publish(_ message: ClusterMessage) -> Bool {
        let sent: Bool
        if message.isEphemeral {
            sent = connection.publish(publicChannel, message.messagePack())
        } else if connection.isConnected {
            connection.send(["XADD", stream, "MAXLEN", "~", String(settings.maxLen), "*"] + message.streamFields()) { _ in }
            sent = true
        } else {
            sent = false
        }
        if !sent { connection.stats.droppedPublishes.add(1, ordering: .relaxed) }
        return sent
    }

    func publishResponse(to requester: String, _ response: ClusterMessage) {
        let channel = "\(settings.channelPrefix)#\(namespace.name)#\(requester)#"
        if !connection.publish(channel, response.messagePack()) {
            connection.stats.droppedPublishes.add(1, ordering: .relaxed)
        }
    }

    // MARK: Broadcasts and utilities

    public override func broadcast(_ packet: OutgoingPacket, options: BroadcastOptions) {
        if !options.flags.local {
            publish(message(.broadcast, ["packet": Self.packet(packet), "opts": ClassicCodec.options(options)]))
        }
        super.broadcast(packet, options: options)
    }

    public override func broadcastWithAck(_ packet: OutgoingPacket, options: BroadcastOptions,
                                          clientCount: @escaping @Sendable (Int) -> Void,
                                          ack: @escaping @Sendable (AckResult) -> Void) {
        guard !options.flags.local else {
            return super.broadcastWithAck(packet, options: options, clientCount: clientCount, ack: ack)
        }
        let requestID = randomHexID()
        broadcastWithAckAcrossServers(
            requestID: requestID, waitFor: options.flags.timeout ?? settings.requestsTimeout, ackRequests: ackRequests,
            clientCount: clientCount, ack: ack,
            publish: {
                publish(message(.broadcast, ["packet": Self.packet(packet), "requestId": .string(requestID),
                                             "opts": ClassicCodec.options(options)]))
            },
            deliverLocally: { count in super.broadcastWithAck(packet, options: options, clientCount: count, ack: ack) },
            servers: { await self.serverCount() })
    }

    public override func addSockets(_ options: BroadcastOptions, rooms: Set<Room>) {
        if !options.flags.local {
            publish(message(.socketsJoin, ["opts": ClassicCodec.options(options), "rooms": roomList(rooms)]))
        }
        super.addSockets(options, rooms: rooms)
    }

    public override func delSockets(_ options: BroadcastOptions, rooms: Set<Room>) {
        if !options.flags.local {
            publish(message(.socketsLeave, ["opts": ClassicCodec.options(options), "rooms": roomList(rooms)]))
        }
        super.delSockets(options, rooms: rooms)
    }

    public override func disconnectSockets(_ options: BroadcastOptions, close: Bool) {
        if !options.flags.local {
            publish(message(.disconnectSockets, ["opts": ClassicCodec.options(options), "close": .bool(close)]))
        }
        super.disconnectSockets(options, close: close)
    }

    public override func fetchSockets(_ options: BroadcastOptions) async throws(SocketIOError) -> [RemoteSocket] {
        let local = localFetchSockets(options)
        guard !options.flags.local else { return local }
        let answers = try await request("fetchSockets", .fetchSockets, ["opts": ClassicCodec.options(options)],
                                        timeout: options.flags.timeout)
        return local + remoteSockets(in: answers)
    }

    public override func serverCount() async -> Int {
        (try? await connection.subscriberCount(publicChannel)) ?? 1
    }

    public override func serverSideEmit(_ packet: [JSONValue]) {
        publish(message(.serverSideEmit, ["packet": .array(packet)]))
    }

    public override func serverSideEmitWithAck(_ packet: [JSONValue], timeout: Duration) async throws(SocketIOError) -> [JSONValue] {
        try await request("serverSideEmit", .serverSideEmit, ["packet": .array(packet)], timeout: timeout)
            .map { $0["packet"] ?? .null }
    }

    /// Publishes a request and waits for one response per other server (their `data`).
    private func request(_ operation: String, _ type: ClusterMessageType, _ body: JSONObject,
                         timeout: Duration?) async throws(SocketIOError) -> [JSONValue] {
        let expected = try await connection.subscriberCount(publicChannel) - 1
        guard expected > 0 else { return [] }
        let requestID = randomHexID()
        var data = body
        data["requestId"] = .string(requestID)
        var published = true
        let outcome = await requests.collect(requestID, expected: expected, timeout: timeout ?? settings.requestsTimeout) {
            published = publish(message(type, data))
            if !published { requests.cancel(requestID) }
        }
        guard published else { throw .clusterUnavailable("Redis is not connected") }
        switch outcome {
        case .complete(let answers): return answers
        case .timedOut(let answers):
            throw .clusterTimeout(operation: operation, received: answers.count, expected: expected, responses: answers)
        }
    }

    /// `{type: 2, data: [event, ...args]}`: no `nsp` (the receiving namespace sets it) and no id.
    static func packet(_ packet: OutgoingPacket) -> JSONValue {
        .object(["type": 2, "data": .array([.string(packet.event)] + packet.arguments)])
    }

    private func roomList(_ rooms: Set<Room>) -> JSONValue { .array(rooms.sorted().map { .string($0) }) }

    public override func close() {
        guard subscribed.exchange(false, ordering: .acquiringAndReleasing) else { return }
        connection.reader(for: stream, options: settings).remove(self)
        connection.unsubscribe(channels: [publicChannel, privateChannel], patterns: [])
        requests.expireAll()
        ackRequests.removeAll()
    }
}
