import TestSupport
import Reactor
import Redis
import RESP
import Testing

/// Timeouts, back-pressure and closing, against a server that never answers (no redis-server needed)
/// and against a paused real one.
@Suite(.timeLimit(.minutes(1)))
struct RedisTimeoutTests {
    @Test func aCommandWithoutReplyTimesOut() async throws {
        let server = try FakeServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var configuration = testConfiguration(port: server.port)
        configuration.commandTimeout = .milliseconds(200)
        let client = RedisClient(configuration: configuration, loop: group.loops[0])
        defer { client.close() }
        #expect(await client.connectAndWait())
        let (result, waited) = await client.timedSend(["PING"])
        #expect(result == .failure(.timeout))
        #expect(waited >= .milliseconds(190) && waited < .seconds(2), "waited \(waited)")
        // A per-command timeout overrides the configured one.
        let (short, shortWait) = await client.timedSend(["PING"], timeout: .milliseconds(50))
        #expect(short == .failure(.timeout))
        #expect(shortWait >= .milliseconds(45) && shortWait < .milliseconds(180), "waited \(shortWait)")
        #expect(server.bytesReceived == 2 * RESPEncoder.command(["PING"]).count)
        // Timed out is not down: the connection stays.
        #expect(client.state == .connected)
    }

    @Test func closeFailsEveryPendingCommandOnce() async throws {
        let server = try FakeServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let client = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        #expect(await client.connectAndWait())
        let results = Recorder<(Int, Result<RESPValue, RedisError>)>()
        for i in 0..<5 { client.send(["GET", "k\(i)"]) { results.append((i, $0)) } }
        #expect(await eventually { server.bytesReceived > 0 })
        client.close()
        #expect(await eventually { results.count == 5 })
        #expect(results.all.map(\.0) == Array(0..<5))
        #expect(results.all.allSatisfy { (try? $0.1.get()) == nil && $0.1 == .failure(.closed) })
        await #expect(throws: RedisError.closed) { try await client.send(["PING"]) }
        client.publish(channel: "x", message: [1])
        #expect(await eventually { client.droppedPublishes == 1 })
        // Nothing completes a second time, however long we wait.
        try await Task.sleep(for: .milliseconds(100))
        #expect(results.count == 5)
        #expect(client.state == .disconnected(reason: "closed by the application"))
    }

    /// Closed while the first connection is still authenticating: the commands held for it fail
    /// with `.closed`, once, and nothing is sent after the handshake.
    @Test func closeWhileConnectingFailsHeldCommands() async throws {
        let server = try FakeServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var configuration = testConfiguration(port: server.port)
        configuration.password = "pw"
        configuration.connectTimeout = .seconds(30)
        let client = RedisClient(configuration: configuration, loop: group.loops[0])
        let results = Recorder<Result<RESPValue, RedisError>>()
        client.connect()
        client.send(["GET", "a"]) { results.append($0) }
        client.send(["GET", "b"]) { results.append($0) }
        let auth = RESPEncoder.command(["AUTH", "pw"]).count
        #expect(await eventually { server.bytesReceived == auth })
        #expect(client.state == .connecting)
        client.close()
        #expect(await eventually { results.count == 2 })
        #expect(results.all == [.failure(.closed), .failure(.closed)])
        server.answer(Array("+OK\r\n".utf8))
        try await Task.sleep(for: .milliseconds(100))
        #expect(server.bytesReceived == auth)
        #expect(results.count == 2)
    }

    @Test func pendingCommandsAtTheLimitAndOnePast() async throws {
        let server = try FakeServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var configuration = testConfiguration(port: server.port)
        configuration.maxPendingCommands = 3
        let client = RedisClient(configuration: configuration, loop: group.loops[0])
        defer { client.close() }
        #expect(await client.connectAndWait())
        let results = Recorder<Result<RESPValue, RedisError>>()
        for _ in 0..<3 { client.send(["PING"]) { results.append($0) } }
        client.send(["PING"]) { results.append($0) }
        client.publish(channel: "c", message: [1, 2])
        #expect(await eventually { results.count == 1 })
        #expect(results.all == [.failure(.tooManyPending(limit: 3))])
        #expect(client.droppedPublishes == 1)
    }

    @Test func nothingListeningFailsFastAndReportsWhy() async throws {
        let port = try freePort()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let client = RedisClient(configuration: testConfiguration(port: port), loop: group.loops[0])
        defer { client.close() }
        // Before connect() nothing is attempted.
        await #expect(throws: RedisError.notConnected) { try await client.send(["PING"]) }
        client.connect()
        #expect(await eventually { if case .disconnected(let reason) = client.state { reason.contains("refused") } else { false } })
        await #expect(throws: RedisError.notConnected) { try await client.send(["PING"]) }
        client.publish(channel: "c", message: [])
        #expect(await eventually { client.droppedPublishes == 1 })
    }

    @Test func aHungConnectAttemptTimesOut() async throws {
        // The connect timeout covers the handshake too: a server that accepts but never answers AUTH.
        let server = try FakeServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var configuration = testConfiguration(port: server.port)
        configuration.password = "pw"
        configuration.connectTimeout = .milliseconds(150)
        let client = RedisClient(configuration: configuration, loop: group.loops[0])
        defer { client.close() }
        client.connect()
        #expect(await eventually { if case .disconnected(let reason) = client.state { reason.contains("connectTimeout") } else { false } })
    }

    /// A reply that arrives after its command timed out is matched to that command and dropped: the
    /// next command gets its own reply, not the late one. The peer answers only when the test says.
    @Test func aLateReplyDoesNotShiftTheQueue() async throws {
        let server = try FakeServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var configuration = testConfiguration(port: server.port)
        configuration.commandTimeout = .milliseconds(100)
        let client = RedisClient(configuration: configuration, loop: group.loops[0])
        defer { client.close() }
        #expect(await client.connectAndWait())
        let late = await client.timedSend(["ECHO", "late"])
        #expect(late.0 == .failure(.timeout))
        let results = Recorder<Result<RESPValue, RedisError>>()
        client.send(["ECHO", "next"], timeout: .seconds(10)) { results.append($0) }
        let sent = RESPEncoder.command(["ECHO", "late"]).count + RESPEncoder.command(["ECHO", "next"]).count
        #expect(await eventually { server.bytesReceived == sent })
        server.answer(Array("$4\r\nlate\r\n$4\r\nnext\r\n".utf8))
        #expect(await eventually { results.count == 1 })
        #expect(results.all == [.success(.bulkString(Array("next".utf8)))])
        #expect(client.state == .connected)
    }
}
