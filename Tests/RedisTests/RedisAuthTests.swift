import TestSupport
import Reactor
import Redis
import RESP
import Testing

@Suite(.enabled(if: RedisServer.shouldRun, "redis-server is not installed (scripts/setup-redis installs it)"), .timeLimit(.minutes(1)))
struct RedisAuthTests {
    @Test func passwordAuthOnClientAndSubscriber() async throws {
        let server = try await RedisServer(["--requirepass", "s3cr:t@"])
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        // Percent-encoded in the URL, as a user would write it.
        var configuration = try RedisConfiguration(url: "redis://:s3cr%3At%40@127.0.0.1:\(server.port)")
        configuration.log = { _ in }
        let client = RedisClient(configuration: configuration, loop: group.loops[0])
        let subscriber = RedisSubscriber(configuration: configuration, loop: group.loops[0])
        defer { client.close(); subscriber.close() }
        client.connect()
        subscriber.connect()
        #expect(try await client.send(["ACL", "WHOAMI"]) == .bulkString(Array("default".utf8)))
        try await subscriber.subscribe(["secret-channel"])
        #expect(try await client.pubsubNumsub("secret-channel") == 1)

        // Without credentials Redis lets us connect but refuses every command: the caller hears why.
        let anonymous = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        defer { anonymous.close() }
        anonymous.connect()
        do {
            _ = try await anonymous.send(["GET", "k"])
            Issue.record("a command went through without AUTH")
        } catch {
            guard case .server(let message) = error else { Issue.record("\(error)"); return }
            #expect(message.hasPrefix("NOAUTH"))
        }
    }

    @Test func aclUserAuth() async throws {
        let server = try await RedisServer(["--user", "alice", "on", ">wonderland", "~*", "&*", "+@all"])
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var configuration = try RedisConfiguration(url: "redis://alice:wonderland@127.0.0.1:\(server.port)/2")
        configuration.log = { _ in }
        let client = RedisClient(configuration: configuration, loop: group.loops[0])
        defer { client.close() }
        client.connect()
        #expect(try await client.send(["ACL", "WHOAMI"]) == .bulkString(Array("alice".utf8)))
        #expect((try await client.send(["CLIENT", "INFO"]).string ?? "").contains(" db=2 "))
    }

    @Test func wrongPasswordIsReportedAndCallsFailFast() async throws {
        let server = try await RedisServer(["--requirepass", "right"])
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let lines = Recorder<String>()
        var configuration = testConfiguration(port: server.port, log: lines)
        configuration.password = "wrong"
        let client = RedisClient(configuration: configuration, loop: group.loops[0])
        let states = Recorder<RedisConnectionState>()
        client.onStateChange = { states.append($0) }
        defer { client.close() }
        client.connect()
        #expect(await eventually { states.count >= 2 })
        guard case .disconnected(let reason) = client.state else { Issue.record("state \(client.state)"); return }
        #expect(reason.contains("AUTH refused: WRONGPASS"))
        #expect(reason.contains("check the user name and password"))
        let (result, took) = await client.timedSend(["PING"])
        #expect(result == .failure(.notConnected))
        #expect(took < .milliseconds(100))
        // It keeps trying (the password may be fixed on the server), but says so once.
        try await Task.sleep(for: .milliseconds(600))
        #expect(states.all == [.connecting, .disconnected(reason: reason)])
        #expect(lines.all.filter { $0.contains("WRONGPASS") }.count == 1)
        #expect(lines.all.allSatisfy { $0.hasPrefix("[Redis] client ") })

        // Fixed on the server: the client gets in by itself.
        let admin = RedisClient(configuration: { var c = configuration; c.password = "right"; return c }(), loop: group.loops[0])
        defer { admin.close() }
        admin.connect()
        #expect(try await admin.send(["CONFIG", "SET", "requirepass", "wrong"]) == .simpleString("OK"))
        #expect(await eventually { client.state == .connected })
        #expect(try await client.send(["PING"]) == .simpleString("PONG"))
    }
}
