import Reactor
import Redis
import RESP
import Testing
import TestSupport

@Suite(.enabled(if: RedisServer.shouldRun, "redis-server is not installed (scripts/setup-redis installs it)"), .timeLimit(.minutes(1)))
struct RedisPubSubTests {
    typealias Message = (channel: [UInt8], pattern: [UInt8]?, payload: [UInt8])

    /// Every byte value in the channel name and the payload; a raw socket subscribed by hand (not our
    /// decoder) sees exactly the bytes Redis delivered.
    @Test func binarySafeRoundTrip() async throws {
        let server = try await RedisServer()
        let group = EventLoopGroup(loopCount: 2)
        defer { group.shutdown() }
        let client = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        let subscriber = RedisSubscriber(configuration: testConfiguration(port: server.port), loop: group.loops[1])
        defer { client.close(); subscriber.close() }
        let messages = Recorder<Message>()
        subscriber.onMessage = { channel, pattern, payload in messages.append((channel, pattern, payload)) }
        client.connect()
        subscriber.connect()

        let channel: [UInt8] = [0x00, 0x0d, 0x0a, 0xff, 0x2a, 0x80]
        try await subscriber.subscribe([channel])
        let raw = try BlockingSocket.connect(port: server.port)
        raw.send(RESPEncoder.command([Array("SUBSCRIBE".utf8), channel]))
        #expect(raw.read(RESPEncoder.encode(.array([.bulkString(Array("subscribe".utf8)), .bulkString(channel), .integer(1)])).count) != nil)

        #expect(try await client.pubsubNumsub(channel) == 2)
        client.publish(channel: channel, message: allBytes)
        client.publish(channel: channel, message: [])
        #expect(await eventually { messages.count == 2 })
        #expect(messages.all.map(\.channel) == [channel, channel])
        #expect(messages.all.map(\.payload) == [allBytes, []])
        #expect(messages.all.allSatisfy { $0.pattern == nil })

        let expected = RESPEncoder.encode(.array([.bulkString(Array("message".utf8)), .bulkString(channel), .bulkString(allBytes)]))
        #expect(raw.read(expected.count) == expected)
        #expect(client.droppedPublishes == 0)
    }

    @Test func patternSubscriptionsDeliverWithTheirPattern() async throws {
        let server = try await RedisServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let client = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        let subscriber = RedisSubscriber(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        defer { client.close(); subscriber.close() }
        let messages = Recorder<Message>()
        subscriber.onMessage = { channel, pattern, payload in messages.append((channel, pattern, payload)) }
        client.connect()
        subscriber.connect()

        try await subscriber.psubscribe(["socket.io#/#*"])
        try await subscriber.subscribe(["plain"])
        #expect(try await client.send(["PUBLISH", "socket.io#/#room1#", "to room1"]) == .integer(1))
        #expect(try await client.send(["PUBLISH", "elsewhere", "nobody"]) == .integer(0))
        #expect(try await client.send(["PUBLISH", "plain", "direct"]) == .integer(1))
        #expect(await eventually { messages.count == 2 })
        let all = messages.all
        #expect(all[0].channel == Array("socket.io#/#room1#".utf8))
        #expect(all[0].pattern == Array("socket.io#/#*".utf8))
        #expect(all[0].payload == Array("to room1".utf8))
        #expect(all[1].channel == Array("plain".utf8) && all[1].pattern == nil && all[1].payload == Array("direct".utf8))

        try await subscriber.punsubscribe(["socket.io#/#*"])
        try await subscriber.unsubscribe(["plain"])
        #expect(try await client.send(["PUBLISH", "socket.io#/#room1#", "gone"]) == .integer(0))
        #expect(try await client.send(["PUBLISH", "plain", "gone"]) == .integer(0))
        // Empty lists and names given twice are fine (Redis confirms per name; we send each once).
        try await subscriber.subscribe([String]())
        try await subscriber.subscribe(["a", "a", "b"])
        #expect(try await client.pubsubNumsub("a") == 1)
        #expect(messages.count == 2)
    }

    @Test func aRefusedSubscriptionFailsItsCallOnly() async throws {
        let server = try await RedisServer(["--user", "limited", "on", ">pw", "&allowed*", "+@all", "~*"])
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var configuration = testConfiguration(port: server.port)
        configuration.username = "limited"
        configuration.password = "pw"
        let subscriber = RedisSubscriber(configuration: configuration, loop: group.loops[0])
        defer { subscriber.close() }
        subscriber.connect()
        try await subscriber.subscribe(["allowed.1"])
        do {
            try await subscriber.subscribe(["forbidden"])
            Issue.record("a channel outside the user's ACL was subscribed")
        } catch {
            guard case .server(let message) = error else { Issue.record("\(error)"); return }
            #expect(message.hasPrefix("NOPERM"))
        }
        try await subscriber.subscribe(["allowed.2"])
        #expect(subscriber.state == .connected)

        // Dropped by Redis: the subscriber comes back with what was granted, not the refused channel
        // (which would get the whole resubscribe refused).
        let admin = RedisClient(configuration: configuration, loop: group.loops[0])
        defer { admin.close() }
        admin.connect()
        #expect(try await admin.send(["CLIENT", "KILL", "TYPE", "pubsub"]) == .integer(1))
        #expect(await eventually {
            let first = try? await admin.pubsubNumsub("allowed.1")
            let second = try? await admin.pubsubNumsub("allowed.2")
            return first == 1 && second == 1
        })
        #expect(subscriber.state == .connected)
    }
}
