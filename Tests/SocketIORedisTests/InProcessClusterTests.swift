import Synchronization
import Testing
import SocketIO
import SocketIOParser
@testable import SocketIORedis

/// Several servers in one process over `LocalPubSub`: the adapter's cross-server logic without Redis
/// (Tests/Interop/test_cluster.py runs it on a real redis-server with real clients).
@Suite struct InProcessClusterTests {
    /// `count` servers whose main namespace shares `bus`; they are not listening (no clients needed).
    func servers(_ count: Int, bus: LocalPubSub = LocalPubSub()) async -> [SocketIOServer] {
        let servers = (0..<count).map { _ in
            var options = ServerOptions()
            let connection = bus.connection()
            options.adapter = { RedisAdapter(namespace: $0, transport: connection, options: RedisAdapterOptions()) }
            return SocketIOServer(options)
        }
        for server in servers { await (server.sockets.adapter as! RedisAdapter).subscribe() }
        return servers
    }

    @Test func serverSideEmitReachesEveryOtherServerOnce() async throws {
        let cluster = await servers(3)
        let heard = Mutex<[Int: [JSONValue]]>([:])
        for (i, server) in cluster.enumerated() {
            server.onServerSideEmit("hello") { args, reply in
                heard.withLock { $0[i, default: []].append(.array(args)) }
                #expect(reply == nil)
            }
        }
        #expect(await cluster[0].serverCount() == 3)
        cluster[0].serverSideEmit("hello", "world", 1)
        try await eventually { heard.withLock { $0.count } == 2 }
        try await Task.sleep(for: .milliseconds(100))
        #expect(heard.withLock { $0 } == [1: [["world", 1]], 2: [["world", 1]]])
    }

    @Test func serverSideEmitWithAckCollectsTheOthersFirstArguments() async throws {
        let cluster = await servers(3)
        for (i, server) in cluster.enumerated() {
            server.onServerSideEmit("ping?") { args, reply in reply?(.int(i), "ignored") }
        }
        let answers = try await cluster[1].serverSideEmitWithAck("ping?", "x")
        #expect(Set(answers) == [0, 2])
    }

    @Test func aSilentServerMakesTheRequestTimeOutWithWhatCame() async throws {
        let cluster = await servers(3)
        cluster[1].onServerSideEmit("ping?") { _, reply in reply?("one") }
        // cluster[2] has no handler: it never answers.
        await #expect(throws: SocketIOError.clusterTimeout(operation: "serverSideEmit", received: 1, expected: 2, responses: ["one"])) {
            _ = try await cluster[0].serverSideEmitWithAck("ping?", timeout: .milliseconds(300))
        }
    }

    @Test func withTheBusDownRequestsFailFastAndPublishesAreCounted() async throws {
        let bus = LocalPubSub()
        let cluster = await servers(2, bus: bus)
        bus.setUp(false)
        let clock = ContinuousClock()
        let started = clock.now
        await #expect(throws: SocketIOError.self) { _ = try await cluster[0].fetchSockets() }
        await #expect(throws: SocketIOError.self) { _ = try await cluster[0].sockets.allRooms() }
        #expect(clock.now - started < .seconds(1))
        #expect(await cluster[0].serverCount() == 1)
        let adapter = cluster[0].sockets.adapter as! RedisAdapter
        let before = adapter.stats.dropped
        cluster[0].emit("lost", 1)
        cluster[0].serverSideEmit("lost")
        #expect(adapter.stats.dropped == before + 2)
    }

    @Test func aSingleServerAnswersAtOnce() async throws {
        let cluster = await servers(1)
        #expect(try await cluster[0].fetchSockets().isEmpty)
        #expect(try await cluster[0].serverSideEmitWithAck("anyone?").isEmpty)
    }
}

func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while !condition() {
        if clock.now > deadline { Issue.record("condition not met in time"); return }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Options that change where messages go.
@Suite struct InProcessClusterOptionTests {
    func server(_ bus: LocalPubSub, _ options: RedisAdapterOptions) async -> SocketIOServer {
        var serverOptions = ServerOptions()
        let connection = bus.connection()
        serverOptions.adapter = { RedisAdapter(namespace: $0, transport: connection, options: options) }
        let io = SocketIOServer(serverOptions)
        await (io.sockets.adapter as! RedisAdapter).subscribe()
        return io
    }

    @Test func answersGoToTheRequestersOwnChannelWhenAsked() async throws {
        let bus = LocalPubSub()
        let options = RedisAdapterOptions(publishOnSpecificResponseChannel: true)
        let asker = await server(bus, options)
        let responder = await server(bus, options)
        let heard = Mutex<[String]>([])
        let tap = bus.connection()
        try await tap.subscribe(channels: [], patterns: ["socket.io-response#*"]) { channel, _ in
            heard.withLock { $0.append(channel) }
        }
        #expect(try await asker.sockets.allRooms().isEmpty)
        let uid = (asker.sockets.adapter as! RedisAdapter).uid
        try await eventually { heard.withLock { !$0.isEmpty } }
        #expect(heard.withLock { $0 } == ["socket.io-response#/#\(uid)#"])
        withExtendedLifetime(responder) {}
    }

    @Test func serversWithAnotherKeyAreAnotherCluster() async throws {
        let bus = LocalPubSub()
        let a = await server(bus, RedisAdapterOptions(key: "app-a"))
        let b = await server(bus, RedisAdapterOptions(key: "app-b"))
        let heard = Mutex(0)
        b.onServerSideEmit("hello") { _, _ in heard.withLock { $0 += 1 } }
        #expect(await a.serverCount() == 1)
        a.serverSideEmit("hello")
        try await Task.sleep(for: .milliseconds(100))
        #expect(heard.withLock { $0 } == 0)
        let a2 = await server(bus, RedisAdapterOptions(key: "app-a"))
        #expect(await a2.serverCount() == 2)
    }
}
