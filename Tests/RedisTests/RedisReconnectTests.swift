import TestSupport
import Reactor
import Redis
import RESP
import Testing

@Suite(.enabled(if: RedisServer.shouldRun, "redis-server is not installed (scripts/setup-redis installs it)"), .timeLimit(.minutes(1)))
struct RedisReconnectTests {
    /// Redis killed (SIGKILL) and started again on the same port: both connections say they are down
    /// (once), calls fail fast meanwhile, publishes are counted as dropped, and both come back by
    /// themselves; the subscriber has its channels and patterns again, so a publish after the restart
    /// arrives.
    @Test func redisRestartedUnderTheClients() async throws {
        let server = try await RedisServer()
        let group = EventLoopGroup(loopCount: 2)
        defer { group.shutdown() }
        let lines = Recorder<String>()
        let client = RedisClient(configuration: testConfiguration(port: server.port, log: lines), loop: group.loops[0])
        let subscriber = RedisSubscriber(configuration: testConfiguration(port: server.port, log: lines), loop: group.loops[1])
        defer { client.close(); subscriber.close() }
        let clientStates = Recorder<RedisConnectionState>()
        let subscriberStates = Recorder<RedisConnectionState>()
        client.onStateChange = { clientStates.append($0) }
        subscriber.onStateChange = { subscriberStates.append($0) }
        let messages = Recorder<(String, String?, [UInt8])>()
        subscriber.onMessage = { channel, pattern, payload in
            messages.append((String(decoding: channel, as: UTF8.self), pattern.map { String(decoding: $0, as: UTF8.self) }, payload))
        }
        #expect(await client.connectAndWait())
        #expect(await subscriber.connectAndWait())
        try await subscriber.subscribe(["events"])
        try await subscriber.psubscribe(["room.*"])
        client.publish(channel: "events", message: [1])
        #expect(await eventually { messages.count == 1 })

        server.kill()
        #expect(await eventually { client.state != .connected && subscriber.state != .connected })
        let (result, took) = await client.timedSend(["PING"])
        #expect(result == .failure(.notConnected))
        #expect(took < .milliseconds(100), "failing while down must not wait")
        await #expect(throws: RedisError.notConnected) { try await subscriber.subscribe(["late-joiner"]) }
        client.publish(channel: "events", message: [2])
        #expect(await eventually { client.droppedPublishes == 1 })
        // Down for a while: many attempts at 20–200 ms, but not one report per attempt.
        try await Task.sleep(for: .milliseconds(700))

        try await server.start()
        #expect(await eventually { client.state == .connected && subscriber.state == .connected })
        #expect(await eventually {
            let events = try? await client.pubsubNumsub("events")
            let late = try? await client.pubsubNumsub("late-joiner")
            return events == 1 && late == 1
        })
        #expect(try await client.send(["PUBLISH", "events", "after"]) == .integer(1))
        #expect(try await client.send(["PUBLISH", "room.7", "pattern after"]) == .integer(1))
        #expect(await eventually { messages.count == 3 })
        #expect(messages.all.map(\.0) == ["events", "events", "room.7"])
        #expect(messages.all.map(\.1) == [nil, nil, "room.*"])
        #expect(messages.all.map(\.2) == [[1], Array("after".utf8), Array("pattern after".utf8)])

        for states in [clientStates.all, subscriberStates.all] {
            #expect(states.first == .connecting)
            #expect(states.last == .connected)
            #expect(states.filter { $0 == .connected }.count == 2)
            // The loss, then at most a change of reason (reset → refused), not one per attempt.
            #expect((2...3).contains(states.filter { $0 != .connected && $0 != .connecting }.count), "\(states)")
        }
        #expect(lines.count == clientStates.count + subscriberStates.count, "one log line per state change")
    }

    /// Redis closes idle or killed clients itself (`CLIENT KILL`): the client reconnects and pending
    /// commands of the dead connection fail instead of hanging.
    @Test func aKilledConnectionFailsItsPendingCommandsAndComesBack() async throws {
        let server = try await RedisServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let client = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        let admin = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        defer { client.close(); admin.close() }
        #expect(await client.connectAndWait())
        admin.connect()
        // A blocking command keeps a reply pending while the connection is killed under it.
        let blocked = Recorder<Result<RESPValue, RedisError>>()
        client.send(["BLPOP", "nothing", "0"], timeout: .seconds(30)) { blocked.append($0) }
        #expect(await eventually { ((try? await admin.send(["CLIENT", "LIST", "TYPE", "normal"]))?.string ?? "").contains("cmd=blpop") })
        #expect(try await admin.send(["CLIENT", "KILL", "SKIPME", "yes", "TYPE", "normal"]).integer ?? 0 >= 1)
        #expect(await eventually { blocked.count == 1 })
        #expect(await eventually { client.state == .connected })
        #expect(blocked.all == [.failure(.notConnected)])
        #expect(await eventually { (try? await client.send(["PING"])) == .simpleString("PONG") })
    }
}
