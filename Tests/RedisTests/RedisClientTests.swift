import Foundation
import Reactor
import Redis
import RESP
import Testing
import TestSupport

@Suite(.enabled(if: RedisServer.shouldRun, "redis-server is not installed (scripts/setup-redis installs it)"), .timeLimit(.minutes(1)))
struct RedisClientTests {
    @Test func pipelinesAThousandCommandsRepliesInOrder() async throws {
        let server = try await RedisServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let client = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        defer { client.close() }
        #expect(await client.connectAndWait())

        // Sent from one thread without waiting: they are all in flight together, and each completion
        // must get its own reply (INCR counts them in the order Redis ran them).
        let replies = Recorder<(Int, Int64?)>()
        for i in 0..<1000 {
            client.send(["INCR", "counter"]) { result in replies.append((i, try? result.get().integer)) }
        }
        #expect(await eventually { replies.count == 1000 })
        let all = replies.all
        #expect(all.map(\.0) == Array(0..<1000), "completions ran in the order sent")
        #expect(all.map(\.1) == (1...1000).map { Int64($0) }, "each got the reply to its own command")
    }

    /// Eight threads sending at once: every command answered once, each thread's completions in
    /// the order it sent them.
    @Test func sendsFromManyThreads() async throws {
        let server = try await RedisServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let client = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        defer { client.close() }
        #expect(await client.connectAndWait())
        let threads = 8, perThread = 500
        let seen = Recorder<(Int, Int, Int64?)>()
        for t in 0..<threads {
            Thread {
                for i in 0..<perThread {
                    client.send(["INCR", "shared"]) { seen.append((t, i, try? $0.get().integer)) }
                }
            }.start()
        }
        #expect(await eventually { seen.count == threads * perThread })
        let all = seen.all
        for t in 0..<threads { #expect(all.filter { $0.0 == t }.map(\.1) == Array(0..<perThread)) }
        #expect(all.compactMap(\.2) == (1...(threads * perThread)).map { Int64($0) })
        #expect(try await client.send(["GET", "shared"]) == .bulkString(Array(String(threads * perThread).utf8)))
    }

    @Test func binaryArgumentsAndErrorsGoToTheirOwnWaiter() async throws {
        let server = try await RedisServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let client = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        defer { client.close() }
        client.connect()

        let key: [UInt8] = [0, 13, 10, 255, 36, 42]
        let results = Recorder<Result<RESPValue, RedisError>>()
        client.send([Array("SET".utf8), key, allBytes]) { results.append($0) }
        client.send([Array("INCR".utf8), key]) { results.append($0) }
        client.send([Array("GET".utf8), key]) { results.append($0) }
        #expect(await eventually { results.count == 3 })
        #expect(results.all == [.success(.simpleString("OK")),
                                .failure(.server("ERR value is not an integer or out of range")),
                                .success(.bulkString(allBytes))])
        #expect(try await client.send(["GET", "missing"]) == .bulkString(nil))
        await #expect(throws: RedisError.server("ERR unknown command 'NOSUCH', with args beginning with: ")) {
            try await client.send(["NOSUCH"])
        }
    }

    @Test func selectsTheDatabaseOnConnect() async throws {
        let server = try await RedisServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var onThree = testConfiguration(port: server.port)
        onThree.database = 3
        let three = RedisClient(configuration: onThree, loop: group.loops[0])
        let zero = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        defer { three.close(); zero.close() }
        three.connect()
        zero.connect()
        #expect(try await three.send(["SET", "where", "three"]) == .simpleString("OK"))
        #expect(try await zero.send(["GET", "where"]) == .bulkString(nil))
        #expect(try await zero.send(["SELECT", "3"]) == .simpleString("OK"))
        #expect(try await zero.send(["GET", "where"]) == .bulkString(Array("three".utf8)))
        let info = try await three.send(["CLIENT", "INFO"]).string ?? ""
        #expect(info.contains(" db=3 "))
    }

    @Test func aBadDatabaseIsReportedClearly() async throws {
        let server = try await RedisServer(["--databases", "4"])
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var configuration = testConfiguration(port: server.port)
        configuration.database = 9
        let client = RedisClient(configuration: configuration, loop: group.loops[0])
        defer { client.close() }
        client.connect()
        #expect(await eventually { if case .disconnected(let reason) = client.state { reason.contains("SELECT refused") } else { false } })
        await #expect(throws: RedisError.notConnected) { try await client.send(["PING"]) }
    }

    @Test func numsubCountsSubscribers() async throws {
        let server = try await RedisServer()
        let group = EventLoopGroup(loopCount: 2)
        defer { group.shutdown() }
        let client = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        let first = RedisSubscriber(configuration: testConfiguration(port: server.port), loop: group.loops[1])
        let second = RedisSubscriber(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        defer { client.close(); first.close(); second.close() }
        client.connect(); first.connect(); second.connect()

        #expect(try await client.pubsubNumsub("socket.io-request#/#") == 0)
        // subscribe returns once Redis confirmed it: NUMSUB counts it at once, no waiting.
        try await first.subscribe(["socket.io-request#/#"])
        #expect(try await client.pubsubNumsub("socket.io-request#/#") == 1)
        try await second.subscribe(["socket.io-request#/#", "other"])
        #expect(try await client.pubsubNumsub("socket.io-request#/#") == 2)
        try await first.unsubscribe(["socket.io-request#/#"])
        #expect(try await client.pubsubNumsub("socket.io-request#/#") == 1)
        // Patterns are not channels: NUMSUB does not count them.
        try await first.psubscribe(["socket.io-request#*"])
        #expect(try await client.pubsubNumsub("socket.io-request#/#") == 1)
    }
}
