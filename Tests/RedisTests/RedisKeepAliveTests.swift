import TestSupport
import Reactor
import Redis
import RESP
import Testing

/// A connection that goes silent is found by a PING; a healthy one is pinged without harm.
@Suite(.timeLimit(.minutes(1)))
struct RedisKeepAliveTests {
    @Test func aSilentPeerIsDroppedAfterAnUnansweredPing() async throws {
        let server = try FakeServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var configuration = testConfiguration(port: server.port)
        configuration.pingInterval = .milliseconds(100)
        configuration.commandTimeout = .milliseconds(200)
        let client = RedisClient(configuration: configuration, loop: group.loops[0])
        let subscriber = RedisSubscriber(configuration: configuration, loop: group.loops[0])
        defer { client.close(); subscriber.close() }
        let clientStates = Recorder<RedisConnectionState>()
        let subscriberStates = Recorder<RedisConnectionState>()
        client.onStateChange = { clientStates.append($0) }
        subscriber.onStateChange = { subscriberStates.append($0) }
        client.connect()
        subscriber.connect()
        func droppedForPing(_ states: Recorder<RedisConnectionState>) -> Bool {
            states.all.contains { if case .disconnected(let reason) = $0 { reason.contains("no reply to PING") } else { false } }
        }
        #expect(await eventually { droppedForPing(clientStates) && droppedForPing(subscriberStates) })
        #expect(server.bytesReceived >= 2 * RESPEncoder.command(["PING"]).count)
    }

    /// Commands with the usual timeout keep coming and time out on a dead link: they must not keep
    /// the PING (and so the reconnect) away.
    @Test func waitingCommandsDoNotHideADeadLink() async throws {
        let server = try FakeServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var configuration = testConfiguration(port: server.port)
        configuration.pingInterval = .milliseconds(100)
        configuration.commandTimeout = .milliseconds(300)
        let client = RedisClient(configuration: configuration, loop: group.loops[0])
        defer { client.close() }
        let states = Recorder<RedisConnectionState>()
        client.onStateChange = { states.append($0) }
        #expect(await client.connectAndWait())
        let dropped = Task {
            while !Task.isCancelled {
                client.send(["GET", "k"]) { _ in }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        defer { dropped.cancel() }
        #expect(await eventually {
            states.all.contains { if case .disconnected(let reason) = $0 { reason.contains("no reply to PING") } else { false } }
        })
    }

    @Test(.enabled(if: RedisServer.shouldRun, "redis-server is not installed (scripts/setup-redis installs it)"))
    func aHealthyConnectionIsPingedWithoutHarm() async throws {
        let server = try await RedisServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var configuration = testConfiguration(port: server.port)
        configuration.pingInterval = .milliseconds(30)
        let client = RedisClient(configuration: configuration, loop: group.loops[0])
        let subscriber = RedisSubscriber(configuration: configuration, loop: group.loops[0])
        // Subscribed to nothing, Redis answers +PONG instead of ["pong", ""].
        let idle = RedisSubscriber(configuration: configuration, loop: group.loops[0])
        defer { client.close(); subscriber.close(); idle.close() }
        let states = Recorder<RedisConnectionState>()
        client.onStateChange = { states.append($0) }
        subscriber.onStateChange = { states.append($0) }
        idle.onStateChange = { states.append($0) }
        let messages = Recorder<[UInt8]>()
        subscriber.onMessage = { _, _, payload in messages.append(payload) }
        client.connect()
        subscriber.connect()
        idle.connect()
        try await subscriber.subscribe(["kept"])
        try await Task.sleep(for: .milliseconds(400))

        let stats = try await client.send(["INFO", "commandstats"]).string ?? ""
        let pings = stats.split(separator: "\r\n").first { $0.hasPrefix("cmdstat_ping:") }
        let calls = pings.flatMap { $0.split(separator: ",").first?.split(separator: "=").last.flatMap { Int($0) } } ?? 0
        #expect(calls >= 6, "\(pings ?? "no PING at all")")
        #expect(try await client.send(["ECHO", "still in step"]) == .bulkString(Array("still in step".utf8)))
        client.publish(channel: "kept", message: [42])
        #expect(await eventually { messages.count == 1 })
        #expect(states.all.allSatisfy { $0 == .connecting || $0 == .connected }, "\(states.all)")
    }

    /// A blocking command (given a longer timeout) is silent on purpose: no PING queues behind it
    /// (it would time out and drop the connection under the command).
    @Test(.enabled(if: RedisServer.shouldRun, "redis-server is not installed (scripts/setup-redis installs it)"))
    func noPingBehindABlockingCommand() async throws {
        let server = try await RedisServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var configuration = testConfiguration(port: server.port)
        configuration.pingInterval = .milliseconds(30)
        configuration.commandTimeout = .milliseconds(100)
        let reader = RedisClient(configuration: configuration, loop: group.loops[0])
        let writer = RedisClient(configuration: configuration, loop: group.loops[0])
        defer { reader.close(); writer.close() }
        reader.connect()
        writer.connect()
        let result = Recorder<Result<RESPValue, RedisError>>()
        reader.send(["BLPOP", "jobs", "0"], timeout: .seconds(10)) { result.append($0) }
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await writer.send(["RPUSH", "jobs", "one"]) == .integer(1))
        #expect(await eventually { result.count == 1 })
        #expect(result.all == [.success(.array([.bulkString(Array("jobs".utf8)), .bulkString(Array("one".utf8))]))])
        #expect(reader.state == .connected)
    }
}
