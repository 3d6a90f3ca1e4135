import TestSupport
import Foundation
import Reactor
import Redis
import RESP
import Testing

/// The commands the streams adapter needs, and transactions, against a real Redis.
@Suite(.enabled(if: RedisServer.shouldRun, "redis-server is not installed (scripts/setup-redis installs it)"), .timeLimit(.minutes(1)))
struct RedisCommandsTests {
    @Test func transactionsRunTogether() async throws {
        let server = try await RedisServer()
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let client = RedisClient(configuration: testConfiguration(port: server.port), loop: group.loops[0])
        defer { client.close() }
        client.connect()
        let replies = try await client.transaction([["INCR", "n"], ["SET", "k", "v", "PX", "60000"], ["PTTL", "k"], ["LPUSH", "k", "x"]])
        #expect(replies.count == 4)
        #expect(replies[0] == .integer(1))
        #expect(replies[1] == .simpleString("OK"))
        #expect((replies[2].integer ?? 0) > 59_000)
        guard case .error(let message) = replies[3] else { Issue.record("\(replies[3])"); return }
        #expect(message.hasPrefix("WRONGTYPE"))
        // Refused while queueing: nothing runs.
        await #expect(throws: RedisError.server("EXECABORT Transaction discarded because of previous errors.")) {
            try await client.transaction([["INCR", "n"], ["NOSUCHCOMMAND"]])
        }
        #expect(try await client.send(["GET", "n"]) == .bulkString(Array("1".utf8)))
        // And the connection is still in step.
        #expect(try await client.send(["ECHO", "in step"]) == .bulkString(Array("in step".utf8)))
    }

    @Test func streamCommands() async throws {
        let server = try await RedisServer()
        let group = EventLoopGroup(loopCount: 2)
        defer { group.shutdown() }
        // Reached by name: the resolver runs (localhost may list ::1 first; IPv4 is preferred).
        var configuration = testConfiguration(port: server.port)
        configuration.host = "localhost"
        let client = RedisClient(configuration: configuration, loop: group.loops[0])
        // XREAD BLOCK holds its connection: the reader has its own.
        let reader = RedisClient(configuration: configuration, loop: group.loops[1])
        defer { client.close(); reader.close() }
        client.connect()
        reader.connect()

        let payload: [UInt8] = [0x82, 0xa3, 0x75, 0x69, 0x64, 0x00, 0xff]
        let id = try await client.send([Array("XADD".utf8), Array("socket.io".utf8), Array("MAXLEN".utf8), Array("~".utf8),
                                        Array("10000".utf8), Array("*".utf8), Array("msg".utf8), payload])
        #expect(id.string?.contains("-") == true)
        let range = try await client.send(["XRANGE", "socket.io", "-", "+"])
        #expect(range == .array([.array([id, .array([.bulkString(Array("msg".utf8)), .bulkString(payload)])])]))

        // Nothing new: XREAD BLOCK times out on the server and answers nil.
        let empty = try await reader.send(["XREAD", "BLOCK", "100", "STREAMS", "socket.io", "$"], timeout: .seconds(5))
        #expect(empty.isNull)
        // Blocked, then woken by an XADD from the other connection.
        let woken = Recorder<Result<RESPValue, RedisError>>()
        reader.send(["XREAD", "BLOCK", "5000", "COUNT", "10", "STREAMS", "socket.io", id.string!], timeout: .seconds(10)) { woken.append($0) }
        try await Task.sleep(for: .milliseconds(50))
        let second = try await client.send(["XADD", "socket.io", "*", "msg", "two"])
        #expect(await eventually { woken.count == 1 })
        let entries = try woken.all[0].get()
        #expect(entries == .array([.array([.bulkString(Array("socket.io".utf8)),
                                           .array([.array([second, .array([.bulkString(Array("msg".utf8)), .bulkString(Array("two".utf8))])])])])]))
        #expect(try await client.send(["SET", "session", "x", "PX", "60000", "NX"]) == .simpleString("OK"))
        #expect(try await client.send(["SET", "session", "y", "PX", "60000", "NX"]) == .bulkString(nil))
        #expect((try await client.send(["PTTL", "session"]).integer ?? 0) > 50_000)
    }

    @Test func overAUnixSocket() async throws {
        let path = NSTemporaryDirectory() + "redis-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let server = try await RedisServer(["--unixsocket", path, "--unixsocketperm", "700", "--requirepass", "pw"])
        defer { unlink(path) }
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var configuration = try RedisConfiguration(url: "unix://:pw@\(path)?db=1")
        configuration.log = { _ in }
        let client = RedisClient(configuration: configuration, loop: group.loops[0])
        let subscriber = RedisSubscriber(configuration: configuration, loop: group.loops[0])
        defer { client.close(); subscriber.close() }
        let messages = Recorder<[UInt8]>()
        subscriber.onMessage = { _, _, payload in messages.append(payload) }
        client.connect()
        subscriber.connect()
        let info = try await client.send(["CLIENT", "INFO"]).string ?? ""
        #expect(info.contains(" db=1 ") && info.contains("laddr=\(path)"), "\(info)")
        try await subscriber.subscribe(["local"])
        client.publish(channel: "local", message: allBytes)
        #expect(await eventually { messages.count == 1 })
        #expect(messages.all == [allBytes])
        _ = server
    }

    @Test func anUnknownHostIsReported() async throws {
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var configuration = testConfiguration(port: 6379)
        configuration.host = "no-such-host.invalid"
        let client = RedisClient(configuration: configuration, loop: group.loops[0])
        defer { client.close() }
        client.connect()
        #expect(await eventually {
            if case .disconnected(let reason) = client.state { reason.contains("cannot resolve \"no-such-host.invalid\"") } else { false }
        })
    }
}
