import Reactor
import Redis
import RESP
import Testing

/// Timeouts, back-pressure and closing, against a server that never answers (no redis-server needed)
/// and against a paused real one.
@Suite(.timeLimit(.minutes(1)))
struct RedisTimeoutTests {
    @Test func aCommandWithoutReplyTimesOut() async throws {
        let silent = try SilentServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var configuration = testConfiguration(port: silent.port)
        configuration.commandTimeout = .milliseconds(200)
        let client = RedisClient(configuration: configuration, loop: group.loops[0])
        defer { client.close() }
        #expect(await client.connectAndWait())
        let clock = ContinuousClock()
        let started = clock.now
        await #expect(throws: RedisError.timeout) { try await client.send(["PING"]) }
        let waited = clock.now - started
        #expect(waited >= .milliseconds(190) && waited < .seconds(2), "waited \(waited)")
        // A per-command timeout overrides the configured one.
        let shortStart = clock.now
        await #expect(throws: RedisError.timeout) { try await client.send(["PING"], timeout: .milliseconds(50)) }
        #expect(clock.now - shortStart < .milliseconds(180))
        #expect(silent.bytesReceived == 2 * RESPEncoder.command(["PING"]).count)
        // Timed out is not down: the connection stays.
        #expect(client.state == .connected)
    }

    @Test func closeFailsEveryPendingCommandOnce() async throws {
        let silent = try SilentServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let client = RedisClient(configuration: testConfiguration(port: silent.port), loop: group.loops[0])
        #expect(await client.connectAndWait())
        let results = Recorder<(Int, Result<RESPValue, RedisError>)>()
        for i in 0..<5 { client.send(["GET", "k\(i)"]) { results.append((i, $0)) } }
        #expect(await eventually { silent.bytesReceived > 0 })
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

    @Test func pendingCommandsAtTheLimitAndOnePast() async throws {
        let silent = try SilentServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var configuration = testConfiguration(port: silent.port)
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
        let silent = try SilentServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var configuration = testConfiguration(port: silent.port)
        configuration.password = "pw"
        configuration.connectTimeout = .milliseconds(150)
        let client = RedisClient(configuration: configuration, loop: group.loops[0])
        defer { client.close() }
        client.connect()
        #expect(await eventually { if case .disconnected(let reason) = client.state { reason.contains("connectTimeout") } else { false } })
    }

    /// A reply that arrives after its command timed out is matched to that command and dropped: the
    /// next command gets its own reply, not the late one.
    @Test(.enabled(if: RedisServer.shouldRun, "redis-server is not installed (scripts/setup-redis installs it)"))
    func aLateReplyDoesNotShiftTheQueue() async throws {
        let server = try RedisServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var configuration = testConfiguration(port: server.port)
        configuration.commandTimeout = .milliseconds(150)
        let client = RedisClient(configuration: configuration, loop: group.loops[0])
        let admin = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        defer { client.close(); admin.close() }
        #expect(await client.connectAndWait())
        admin.connect()
        #expect(try await admin.send(["CLIENT", "PAUSE", "600", "ALL"]) == .simpleString("OK"))
        await #expect(throws: RedisError.timeout) { try await client.send(["ECHO", "late"]) }
        let next = try await client.send(["ECHO", "next"], timeout: .seconds(5))
        #expect(next == .bulkString(Array("next".utf8)))
        #expect(try await client.send(["ECHO", "after"]) == .bulkString(Array("after".utf8)))
    }
}
