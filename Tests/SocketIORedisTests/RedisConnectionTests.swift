import Synchronization
import Testing
import Reactor
import Redis
import SocketIO
import SocketIOParser
import TestSupport
@testable import SocketIORedis

/// `RedisConnection` and `RedisEmitter` against a real redis-server: what the emitter publishes is read
/// back by a plain subscriber and compared with what `@socket.io/redis-emitter` publishes (the servers'
/// side of those bytes is tested with Node's own captures in Tests/Interop/test_cluster.py).
/// Every message published on the server, recorded by an independent subscriber connection.
final class Tap: Sendable {
    final class Log: Sendable {
        let messages = Mutex<[(channel: String, payload: [UInt8])]>([])
    }
    let group = EventLoopGroup(loopCount: 1)
    let subscriber: RedisSubscriber
    let log = Log()

    init(port: Int) async throws {
        var configuration = RedisConfiguration()
        configuration.port = port
        subscriber = RedisSubscriber(configuration: configuration, loop: group.next())
        subscriber.onMessage = { [log] channel, _, payload in
            log.messages.withLock { $0.append((String(decoding: channel, as: UTF8.self), payload)) }
        }
        subscriber.connect()
        try await subscriber.psubscribe(["*"])
    }

    func next(after count: Int) async throws -> (channel: String, payload: [UInt8]) {
        for _ in 0..<500 {
            if let message = log.messages.withLock({ $0.count > count ? $0[count] : nil }) { return message }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw RedisError.timeout
    }

    func close() { subscriber.close(); group.shutdown() }
}

@Suite(.enabled(if: RedisServer.shouldRun, "redis-server is not installed (scripts/setup-redis installs it)"),
       .timeLimit(.minutes(1)), .serialized)
struct RedisConnectionTests {
    @Test func theEmitterPublishesWhatNodesEmitterPublishes() async throws {
        let server = try await RedisServer()
        let tap = try await Tap(port: server.port)
        defer { tap.close() }
        let redis = try RedisConnection(url: "redis://127.0.0.1:\(server.port)")
        defer { redis.close() }
        let emitter = RedisEmitter(redis)
        try await waitUntil { redis.isConnected }

        #expect(emitter.to("jobs").emit("job", 7, ["bin": .binary([1, 2])]))
        let broadcast = try await tap.next(after: 0)
        #expect(broadcast.channel == "socket.io#/#jobs#")
        let decoded = try ClassicCodec.decode(broadcast.payload)
        #expect(decoded == ["emitter", ["type": 2, "data": ["job", 7, ["bin": .binary([1, 2])]], "nsp": "/"],
                            ["rooms": ["jobs"], "flags": [:], "except": []]])

        #expect(emitter.of("admin").except("muted").volatile.emit("tick"))
        let admin = try await tap.next(after: 1)
        #expect(admin.channel == "socket.io#/admin#")
        #expect(try ClassicCodec.decode(admin.payload)[2] == ["rooms": [], "flags": ["volatile": true], "except": ["muted"]])

        #expect(emitter.in("a").socketsJoin("b"))
        let join = try await tap.next(after: 2)
        #expect(join.channel == "socket.io-request#/#")
        #expect(String(decoding: join.payload, as: UTF8.self) == #"{"type":2,"opts":{"rooms":["a"],"except":[]},"rooms":["b"]}"#)

        #expect(emitter.serverSideEmit("ping", "cron"))
        let ping = try await tap.next(after: 3)
        #expect(String(decoding: ping.payload, as: UTF8.self) == #"{"uid":"emitter","type":6,"data":["ping","cron"]}"#)

        // Reserved names are refused, as Node's emitter throws on them.
        #expect(!emitter.emit("disconnect"))
    }

    @Test func serversInOneProcessShareServerSideEventsThroughRedis() async throws {
        let server = try await RedisServer()
        let servers = try (0..<2).map { _ in
            var options = ServerOptions()
            options.adapter = try RedisConnection(url: "redis://127.0.0.1:\(server.port)").adapter()
            return SocketIOServer(options)
        }
        try await waitUntil { await servers[0].serverCount() == 2 }
        let heard = Mutex<[JSONValue]>([])
        servers[1].onServerSideEmit("hello") { args, _ in heard.withLock { $0 += args } }
        servers[1].onServerSideEmit("ask") { args, reply in reply?(.string("answer to \(args.first ?? nil)")) }
        servers[0].serverSideEmit("hello", "from 0", ["n": 1])
        try await waitUntil { heard.withLock { $0.count } == 2 }
        #expect(heard.withLock { $0 } == ["from 0", ["n": 1]])
        #expect(try await servers[0].serverSideEmitWithAck("ask", 42) == ["answer to 42"])

        // Redis goes away: requests fail at once, serverCount falls back to this server.
        server.kill()
        try await waitUntil { !((servers[0].sockets.adapter as! RedisAdapter).transport as! RedisConnection).isConnected }
        await #expect(throws: SocketIOError.self) { _ = try await servers[0].serverSideEmitWithAck("ask", 1) }
        #expect(await servers[0].serverCount() == 1)
        for io in servers { await io.close() }
    }

    func waitUntil(_ condition: () async -> Bool) async throws {
        for _ in 0..<500 {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("condition not met within 5 s")
    }
}
