import Reactor
import Redis
import SocketIO
import Synchronization

/// A connection to one Redis server for the adapters and emitters of a process: a publisher
/// connection (PUBLISH, PUBSUB NUMSUB) and a subscriber connection, on an event loop of their own.
/// Both reconnect by themselves with backoff and the subscriber resubscribes; while Redis is down,
/// publishes are dropped and counted, and requests fail at once.
///
/// ```swift
/// let redis = try RedisConnection(url: "redis://127.0.0.1:6379")
/// options.adapter = redis.adapter(RedisAdapterOptions(key: "socket.io"))
/// ```
public final class RedisConnection: PubSubTransport, @unchecked Sendable {
    /// Counted over every adapter of this connection.
    public let stats = RedisAdapterStats()
    private let group: EventLoopGroup
    let publisher: RedisClient
    private let subscriber: RedisSubscriber
    private let routes = Mutex(Routes())
    private let publisherUp = Atomic<Bool>(false)
    let configuration: RedisConfiguration
    /// One reader per stream, shared by the streams adapters of every namespace.
    private let readers = Mutex<[String: StreamReader]>([:])
    private let subscriberStarted = Atomic<Bool>(false)

    /// Handlers sit in a class of their own: Swift 6.3 miscompiles closures stored directly as a
    /// `Mutex`'s (or a dictionary's) generic value (see Redis/Handlers.swift).
    private final class Route: Sendable {
        let handler: PubSubHandler
        init(_ handler: @escaping PubSubHandler) { self.handler = handler }
    }

    private struct Routes {
        var channels: [String: Route] = [:]
        var patterns: [String: Route] = [:]
    }

    /// `redis://[user:password@]host[:port][/db]`.
    public convenience init(url: String) throws(RedisAdapterError) {
        let configuration: RedisConfiguration
        do { configuration = try RedisConfiguration(url: url) } catch { throw .invalidURL("\(error)") }
        self.init(configuration: configuration)
    }

    package init(configuration: RedisConfiguration) {
        self.configuration = configuration
        group = EventLoopGroup(loopCount: 1)
        let loop = group.next()
        publisher = RedisClient(configuration: configuration, loop: loop)
        subscriber = RedisSubscriber(configuration: configuration, loop: loop)
        publisher.onStateChange = { [weak self] state in
            if case .connected = state { self?.publisherUp.store(true, ordering: .releasing) } else {
                self?.publisherUp.store(false, ordering: .releasing)
            }
        }
        subscriber.onMessage = { [weak self] channel, pattern, payload in self?.route(channel, pattern, payload) }
        publisher.connect()
    }

    private func route(_ channel: [UInt8], _ pattern: [UInt8]?, _ payload: [UInt8]) {
        let name = String(decoding: channel, as: UTF8.self)
        let route = routes.withLock { routes in
            if let pattern { routes.patterns[String(decoding: pattern, as: UTF8.self)] } else { routes.channels[name] }
        }
        route?.handler(name, payload)
    }

    /// The adapter factory for `ServerOptions.adapter`: one `RedisAdapter` per namespace.
    public func adapter(_ options: RedisAdapterOptions = RedisAdapterOptions()) -> @Sendable (Namespace) -> any Adapter {
        { [self] namespace in RedisAdapter(namespace: namespace, transport: self, options: options, stats: stats) }
    }

    /// The factory for `ServerOptions.adapter` of the Redis Streams adapter: one `RedisStreamsAdapter` per
    /// namespace, one stream reader per stream.
    public func streamsAdapter(_ options: RedisStreamsAdapterOptions = RedisStreamsAdapterOptions()) -> @Sendable (Namespace) -> any Adapter {
        { [self] namespace in RedisStreamsAdapter(namespace: namespace, connection: self, options: options) }
    }

    func reader(for stream: String, options: RedisStreamsAdapterOptions) -> StreamReader {
        readers.withLock { readers in
            if let reader = readers[stream] { return reader }
            let reader = StreamReader(stream: stream, configuration: configuration, loop: group.next(), options: options)
            readers[stream] = reader
            return reader
        }
    }

    /// True while the publisher connection is up.
    public var isConnected: Bool { publisherUp.load(ordering: .acquiring) }

    /// Closes both connections and stops their loop.
    public func close() {
        for reader in readers.withLock({ Array($0.values) }) { reader.close() }
        publisher.close()
        subscriber.close()
        group.shutdown()
    }

    // MARK: PubSubTransport

    @discardableResult
    package func publish(_ channel: String, _ payload: [UInt8]) -> Bool {
        guard isConnected else { return false }
        publisher.publish(channel: channel, message: payload)
        return true
    }

    package func subscriberCount(_ channel: String) async throws(SocketIOError) -> Int {
        do { return try await publisher.pubsubNumsub(channel) } catch {
            throw .clusterUnavailable("PUBSUB NUMSUB failed: \(error)")
        }
    }

    package func subscribe(channels: [String], patterns: [String], handler: @escaping PubSubHandler) async throws(SocketIOError) {
        let route = Route(handler)
        routes.withLock { routes in
            for channel in channels { routes.channels[channel] = route }
            for pattern in patterns { routes.patterns[pattern] = route }
        }
        if !subscriberStarted.exchange(true, ordering: .acquiringAndReleasing) { subscriber.connect() }
        do {
            if !channels.isEmpty { try await subscriber.subscribe(channels) }
            if !patterns.isEmpty { try await subscriber.psubscribe(patterns) }
        } catch {
            // Kept in the routes: the subscriber subscribes again once Redis is back.
            throw .clusterUnavailable("SUBSCRIBE failed: \(error)")
        }
    }

    package func unsubscribe(channels: [String], patterns: [String]) {
        routes.withLock { routes in
            for channel in channels { routes.channels[channel] = nil }
            for pattern in patterns { routes.patterns[pattern] = nil }
        }
        let subscriber = self.subscriber
        Task {
            if !channels.isEmpty { try? await subscriber.unsubscribe(channels) }
            if !patterns.isEmpty { try? await subscriber.punsubscribe(patterns) }
        }
    }
}

/// Why a Redis adapter or emitter could not be set up.
public enum RedisAdapterError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String)
    /// A command sent with `RedisConnection.send` failed: Redis is down, did not answer in time, or
    /// answered with an error (the message says which).
    case commandFailed(String)

    public var description: String {
        switch self {
        case .invalidURL(let reason): "invalid Redis URL: \(reason)"
        case .commandFailed(let reason): "Redis command failed: \(reason)"
        }
    }
}
