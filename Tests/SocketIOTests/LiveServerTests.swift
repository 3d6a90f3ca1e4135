import Foundation
import Synchronization
import Testing
import SocketIOParser
@testable import SocketIO

/// Starts a server on a free port with short timers and tears it down after `body`.
func withServer(_ configure: (inout ServerOptions) -> Void = { _ in },
                _ setup: (SocketIOServer) throws -> Void = { _ in },
                _ body: (SocketIOServer, Int) async throws -> Void) async throws {
    var options = ServerOptions()
    // Generous heartbeats: the whole test run shares two cores, and a starved poll must not look
    // like a dead client. No test here depends on the heartbeat.
    options.pingInterval = .seconds(5)
    options.pingTimeout = .seconds(10)
    options.connectTimeout = .seconds(20)
    options.loops = 2
    configure(&options)
    let io = SocketIOServer(options)
    try setup(io)
    let port = try io.listen(host: "127.0.0.1", port: 0)
    do { try await body(io, port) } catch {
        await io.close()
        throw error
    }
    await io.close()
}

/// Opens a session and connects it to `namespace`, returning the client and the socket id.
func connectedClient(_ port: Int, namespace: String = "/", auth: JSONValue? = nil) async throws -> (TestClient, String) {
    let client = TestClient(port: port)
    try await client.open()
    try await client.connect(namespace, auth: auth)
    let reply = try await client.next { $0.namespace == namespace && $0.type == .connect }
    let sid = try #require(reply.data?["sid"]?.stringValue)
    return (client, sid)
}

@Suite(.serialized) struct LiveConnectionTests {
    @Test func connectAnswersSidAndRunsTheConnectionHandler() async throws {
        let seen = Recorder<String>()
        try await withServer({ _ in }, { io in
            io.onConnection { socket in
                seen.record(socket.id)
                socket.emit("auth", socket.handshake.auth)
            }
        }) { _, port in
            let (client, sid) = try await connectedClient(port, auth: ["token": "abc"])
            #expect(sid.count == 20)
            let auth = try await client.nextEvent("auth")
            #expect(auth.args == [["token": "abc"]])
            #expect(seen.all == [sid])
            client.close()
        }
    }

    @Test func unknownNamespaceIsRefused() async throws {
        try await withServer { _, port in
            let client = TestClient(port: port)
            try await client.open()
            try await client.connect("/nowhere")
            let reply = try await client.next()
            #expect(reply.type == .connectError)
            #expect(reply.namespace == "/nowhere")
            #expect(reply.data == ["message": "Invalid namespace"])
            client.close()
        }
    }

    @Test func dynamicNamespacesByPatternAndPredicate() async throws {
        let names = Recorder<String>()
        try await withServer({ _ in }, { io in
            try io.of(matching: "^/team-\\d+$").onConnection { names.record($0.namespace.name) }
            io.of { name, auth in name == "/vip" && auth?["pass"] == "yes" }.onConnection { names.record($0.namespace.name) }
        }) { io, port in
            let (a, _) = try await connectedClient(port, namespace: "/team-12")
            let (b, _) = try await connectedClient(port, namespace: "/vip", auth: ["pass": "yes"])
            let c = TestClient(port: port)
            try await c.open()
            try await c.connect("/team-x")
            #expect(try await c.next().type == .connectError)
            #expect(Set(names.all) == ["/team-12", "/vip"])
            #expect(io.of("/team-12").sockets.count == 1)
            [a, b, c].forEach { $0.close() }
        }
    }

    @Test func middlewareRejectionBecomesConnectError() async throws {
        try await withServer({ _ in }, { io in
            io.of("/admin").use { socket in
                try await Task.sleep(for: .milliseconds(10))
                guard socket.handshake.auth["token"] == "secret" else {
                    throw ConnectionRejected("not authorized", data: ["code": 401])
                }
                socket.data = ["role": "admin"]
            }
        }) { io, port in
            let bad = TestClient(port: port)
            try await bad.open()
            try await bad.connect("/admin", auth: ["token": "wrong"])
            let refused = try await bad.next()
            #expect(refused.type == .connectError)
            #expect(refused.data == ["message": "not authorized", "data": ["code": 401]])

            let (good, sid) = try await connectedClient(port, namespace: "/admin", auth: ["token": "secret"])
            #expect(io.of("/admin").sockets[sid]?.data == ["role": "admin"])
            bad.close(); good.close()
        }
    }

    /// Node lets a middleware join rooms; a socket that then never connects must not stay in them.
    @Test func roomsJoinedByMiddlewareAreLeftWhenTheSocketNeverConnects() async throws {
        try await withServer({ _ in }, { io in
            io.use { socket in
                socket.join("pending")
                if socket.handshake.auth["slow"] == true { try await Task.sleep(for: .milliseconds(300)) }
            }
            io.use { socket in
                if socket.handshake.auth["refuse"] == true { throw ConnectionRejected("no") }
            }
        }) { io, port in
            let refused = TestClient(port: port)
            try await refused.open()
            try await refused.connect("/", auth: ["refuse": true])
            #expect(try await refused.next().type == .connectError)
            #expect(io.sockets.adapter.rooms.isEmpty)

            let gone = TestClient(port: port)
            try await gone.open()
            try await gone.connect("/", auth: ["slow": true])
            try await eventually { io.sockets.adapter.rooms["pending"] != nil }
            gone.close()
            try await eventually { io.sockets.adapter.rooms.isEmpty }
            #expect(io.sockets.sockets.isEmpty)
            refused.close()
        }
    }

    @Test func noConnectWithinTimeoutClosesTheSession() async throws {
        try await withServer({ $0.connectTimeout = .milliseconds(200) }) { _, port in
            let client = TestClient(port: port)
            try await client.open()
            try await client.waitClosed()
        }
    }

    @Test func invalidPacketClosesWithParseError() async throws {
        let reasons = Recorder<DisconnectReason>()
        try await withServer({ _ in }, { io in
            io.onConnection { socket in socket.onDisconnect { reasons.record($0) } }
        }) { _, port in
            let (client, _) = try await connectedClient(port)
            try await client.sendRaw("2[\"unterminated")
            try await client.waitClosed()
            try await eventually { reasons.all == [.parseError] }
        }
    }
}

/// Polls `condition` until it holds (or fails the test after `timeout`).
func eventually(timeout: Duration = .seconds(10), _ condition: @escaping @Sendable () -> Bool,
                sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline || condition() else {
            Issue.record("condition not met within \(timeout)", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}
