import TestSupport
import Reactor
import Redis
import RESP
import Testing

/// Peers that are not Redis, replies nobody asked for, large and many messages, calls made on the
/// loop itself, and clients released without `close()`.
@Suite(.timeLimit(.minutes(1)))
struct RedisRobustnessTests {
    @Test func bytesThatAreNotRESPResetTheConnection() async throws {
        let server = try FakeServer(answer: Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8))
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let client = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        let states = Recorder<RedisConnectionState>()
        client.onStateChange = { states.append($0) }
        defer { client.close() }
        #expect(await client.connectAndWait())
        await #expect(throws: RedisError.notConnected) { try await client.send(["PING"]) }
        // (It may be connected again already: the peer accepts every attempt.)
        #expect(states.all.contains { if case .disconnected(let reason) = $0 { reason.contains("unknown type byte 0x48") } else { false } })
        // And it keeps trying, with backoff.
        #expect(await eventually { server.connectionsAccepted >= 2 })
    }

    @Test func aReplyNobodyAskedForResetsTheConnection() async throws {
        let server = try FakeServer(greeting: Array("+surprise\r\n".utf8))
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let client = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        let subscriber = RedisSubscriber(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        defer { client.close(); subscriber.close() }
        let clientStates = Recorder<RedisConnectionState>()
        let subscriberStates = Recorder<RedisConnectionState>()
        client.onStateChange = { clientStates.append($0) }
        subscriber.onStateChange = { subscriberStates.append($0) }
        client.connect()
        subscriber.connect()
        func saw(_ states: Recorder<RedisConnectionState>, _ text: String) -> Bool {
            states.all.contains { if case .disconnected(let reason) = $0 { reason.contains(text) } else { false } }
        }
        #expect(await eventually { saw(clientStates, "a reply with no command waiting") })
        #expect(await eventually { saw(subscriberStates, "unexpected reply on the subscriber connection") })
    }

    @Test(.enabled(if: RedisServer.shouldRun, "redis-server is not installed (scripts/setup-redis installs it)"))
    func largeAndManyMessagesArriveWholeAndInOrder() async throws {
        let server = try await RedisServer()
        let group = EventLoopGroup(loopCount: 2)
        defer { group.shutdown() }
        let client = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        let subscriber = RedisSubscriber(configuration: testConfiguration(port: server.port), loop: group.loops[1])
        defer { client.close(); subscriber.close() }
        let sizes = Recorder<Int>()
        let big = Recorder<[UInt8]>()
        subscriber.onMessage = { _, _, payload in
            if payload.count > 1000 { big.append(payload) } else { sizes.append(Int(payload[0]) << 16 | Int(payload[1]) << 8 | Int(payload[2])) }
        }
        client.connect()
        subscriber.connect()
        try await subscriber.subscribe(["bulk"])

        // 8 MiB: many partial writes on the way out, many reads on the way in.
        let payload = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        client.publish(channel: "bulk", message: payload)
        let count = 20_000
        for i in 0..<count { client.publish(channel: "bulk", message: [UInt8(i >> 16), UInt8(i >> 8 & 0xff), UInt8(i & 0xff)]) }
        #expect(await eventually(within: .seconds(30)) { sizes.count == count && big.count == 1 })
        #expect(big.all.first == payload)
        #expect(sizes.all == Array(0..<count))
        #expect(client.droppedPublishes == 0)
    }

    /// On the loop, calls act at once: `connect()` then `send` in the same closure must not fail
    /// with `.notConnected` for want of a hop.
    @Test(.enabled(if: RedisServer.shouldRun, "redis-server is not installed (scripts/setup-redis installs it)"))
    func callsMadeOnTheLoopKeepTheirOrder() async throws {
        let server = try await RedisServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let client = RedisClient(configuration: testConfiguration(port: server.port), loop: loop)
        let subscriber = RedisSubscriber(configuration: testConfiguration(port: server.port), loop: loop)
        defer { client.close(); subscriber.close() }
        let results = Recorder<Result<RESPValue, RedisError>>()
        let subscribed = Recorder<Result<Void, RedisError>>()
        loop.execute {
            client.connect()
            subscriber.connect()
            subscriber.perform(.subscribe, [Array("on-loop".utf8)]) { subscribed.append($0) }
            client.send(["ECHO", "first"]) { results.append($0) }
            client.send(["ECHO", "second"]) { results.append($0) }
        }
        #expect(await eventually { results.count == 2 && subscribed.count == 1 })
        #expect(results.all == [.success(.bulkString(Array("first".utf8))), .success(.bulkString(Array("second".utf8)))])
        #expect((try? subscribed.all.first?.get()) != nil)
        #expect(try await client.pubsubNumsub("on-loop") == 1)
    }

    /// A client or subscriber released without `close()` is freed and its connection closed.
    @Test(.enabled(if: RedisServer.shouldRun, "redis-server is not installed (scripts/setup-redis installs it)"))
    func releasedClientsCloseTheirConnections() async throws {
        let server = try await RedisServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let admin = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        defer { admin.close() }
        admin.connect()
        func clients() async -> Int {
            let list = (try? await admin.send(["CLIENT", "LIST"]))?.string ?? ""
            return list.split(separator: "\n").count
        }
        #expect(await eventually { await clients() == 1 })

        weak var weakClient: RedisClient?
        weak var weakSubscriber: RedisSubscriber?
        do {
            let client = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
            let subscriber = RedisSubscriber(configuration: testConfiguration(port: server.port), loop: group.loops[0])
            client.onStateChange = { _ in }
            subscriber.onMessage = { _, _, _ in }
            weakClient = client
            weakSubscriber = subscriber
            #expect(await client.connectAndWait())
            #expect(await subscriber.connectAndWait())
            try await subscriber.subscribe(["x"])
            #expect(try await client.send(["PING"]) == .simpleString("PONG"))
            #expect(await clients() == 3)
        }
        #expect(await eventually { weakClient == nil && weakSubscriber == nil })
        #expect(await eventually { await clients() == 1 })

        // Callbacks that capture their own client (a cycle) are let go by close().
        do {
            let client = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
            let subscriber = RedisSubscriber(configuration: testConfiguration(port: server.port), loop: group.loops[0])
            client.onStateChange = { _ in _ = client.state }
            subscriber.onMessage = { _, _, _ in _ = subscriber.state }
            weakClient = client
            weakSubscriber = subscriber
            #expect(await client.connectAndWait())
            #expect(await subscriber.connectAndWait())
            client.close()
            subscriber.close()
        }
        #expect(await eventually { weakClient == nil && weakSubscriber == nil })
        #expect(await eventually { await clients() == 1 })
    }
}
