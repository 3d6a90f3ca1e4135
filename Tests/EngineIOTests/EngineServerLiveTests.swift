import Foundation
import Synchronization
import Testing
import TestSupport
import Reactor
import HTTPServer
@testable import EngineIO

/// An echo server on 127.0.0.1 with short heartbeat times, torn down by `stop`.
final class EchoEngine: @unchecked Sendable {
    let group: EventLoopGroup
    let engine: EngineServer
    let http: HTTPServer

    init(host: String = "127.0.0.1", loops: Int = 2, perMessageDeflate: Bool = false,
         configure: (inout EngineOptions) -> Void = { _ in }) throws {
        group = EventLoopGroup(loopCount: loops)
        var options = EngineOptions()
        options.path = "/engine.io/"
        options.pingInterval = .milliseconds(300)
        options.pingTimeout = .milliseconds(200)
        configure(&options)
        engine = EngineServer(options: options)
        engine.onConnection = { socket in
            socket.onMessage = { [unowned socket] message in socket.send(message) }
        }
        var httpOptions = HTTPServerOptions()
        httpOptions.host = host
        httpOptions.port = 0
        httpOptions.perMessageDeflate = perMessageDeflate
        options.apply(to: &httpOptions)
        http = HTTPServer(options: httpOptions, group: group, handler: engine)
        try http.start()
    }

    var client: TestHTTPClient { TestHTTPClient(port: http.port) }

    func stop() {
        http.stop()
        group.shutdown()
    }

    /// A direct WebSocket session, past its open packet.
    func openWebSocket() throws -> TestWebSocketClient {
        let ws = try TestWebSocketClient(port: http.port, target: "/engine.io/?EIO=4&transport=websocket")
        #expect(ws.status == 101)
        #expect(ws.readFrame()?.text.hasPrefix("0{") == true)
        return ws
    }
}

struct OpenPacket: Decodable {
    var sid: String
    var upgrades: [String]
    var pingInterval: Int
    var pingTimeout: Int
    var maxPayload: Int
}

func handshake(_ client: TestHTTPClient) throws -> OpenPacket {
    let response = try client.get("/engine.io/?EIO=4&transport=polling")
    #expect(response.status == 200)
    #expect(response.text.hasPrefix("0{"))
    return try JSONDecoder().decode(OpenPacket.self, from: Data(response.body.dropFirst()))
}

@Test func handshakeSendsOpenPacketWithNodeFields() throws {
    let server = try EchoEngine()
    defer { server.stop() }
    let response = try server.client.get("/engine.io/?EIO=4&transport=polling")
    #expect(response.headers["content-type"] == "text/plain; charset=UTF-8")
    let json = try JSONSerialization.jsonObject(with: Data(response.body.dropFirst())) as! [String: Any]
    #expect(Set(json.keys) == ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"])
    let open = try handshake(server.client)
    #expect(open.sid.count == 20)
    #expect(open.upgrades == ["websocket"])
    #expect(open.pingInterval == 300 && open.pingTimeout == 200 && open.maxPayload == 1_000_000)
}

@Test func pollingEchoesEveryPacketOfAPayload() throws {
    let server = try EchoEngine()
    defer { server.stop() }
    let sid = try handshake(server.client).sid
    let post = try server.client.post("/engine.io/?EIO=4&transport=polling&sid=\(sid)", body: "4hello\u{1E}bAQIDBA==")
    #expect(post.status == 200 && post.text == "ok")
    let poll = try server.client.get("/engine.io/?EIO=4&transport=polling&sid=\(sid)")
    #expect(poll.text == "4hello\u{1E}bAQIDBA==")
}

@Test func errorsMatchNodeEngineIO() throws {
    let server = try EchoEngine { $0.allowRequest = { $0.headers["X-Deny"] == nil } }
    defer { server.stop() }
    let client = server.client
    func expectError(_ response: TestHTTPClient.Response, _ status: Int, _ code: Int, _ message: String) {
        #expect(response.status == status)
        #expect(response.text == "{\"code\":\(code),\"message\":\"\(message)\"}")
    }
    expectError(try client.get("/engine.io/?EIO=4&transport=carrier-pigeon"), 400, 0, "Transport unknown")
    expectError(try client.get("/engine.io/?EIO=4"), 400, 0, "Transport unknown")
    expectError(try client.get("/engine.io/?EIO=4&transport=polling&sid=nope"), 400, 1, "Session ID unknown")
    expectError(try client.post("/engine.io/?EIO=4&transport=polling", body: "4x"), 400, 2, "Bad handshake method")
    expectError(try client.get("/engine.io/?EIO=4&transport=websocket"), 400, 3, "Bad request")
    expectError(try client.get("/engine.io/?EIO=4&transport=polling", headers: ["X-Deny": "1"]), 403, 4, "Forbidden")
    expectError(try client.get("/engine.io/?EIO=3&transport=polling"), 400, 5, "Unsupported protocol version")
    expectError(try client.get("/engine.io/?transport=polling"), 400, 5, "Unsupported protocol version")
}

@Test func unknownPacketClosesSessionWithParseError() throws {
    let server = try EchoEngine()
    defer { server.stop() }
    let sid = try handshake(server.client).sid
    #expect(try server.client.post("/engine.io/?EIO=4&transport=polling&sid=\(sid)", body: "9").status == 200)
    let after = try server.client.get("/engine.io/?EIO=4&transport=polling&sid=\(sid)")
    #expect(after.status == 400)
    #expect(server.engine.clientsCount == 0)
}

@Test func oversizedPostIsRefusedWith413() throws {
    let server = try EchoEngine { $0.maxPayload = 100 }
    defer { server.stop() }
    let sid = try handshake(server.client).sid
    let response = try server.client.post("/engine.io/?EIO=4&transport=polling&sid=\(sid)", body: "4" + String(repeating: "x", count: 200))
    #expect(response.status == 413)
}

@Test func idlePollingSessionExpiresAfterPingIntervalPlusTimeout() throws {
    let server = try EchoEngine()
    defer { server.stop() }
    let sid = try handshake(server.client).sid
    #expect(server.engine.clientsCount == 1)
    Thread.sleep(forTimeInterval: 0.2)
    #expect(server.engine.clientsCount == 1)
    Thread.sleep(forTimeInterval: 0.45)
    #expect(server.engine.clientsCount == 0)
    #expect(try server.client.get("/engine.io/?EIO=4&transport=polling&sid=\(sid)").status == 400)
}

@Test func pingIsSentAndPongKeepsSessionAlive() throws {
    let server = try EchoEngine()
    defer { server.stop() }
    let sid = try handshake(server.client).sid
    for _ in 0..<3 {
        let poll = try server.client.get("/engine.io/?EIO=4&transport=polling&sid=\(sid)")
        #expect(poll.text == "2")
        #expect(try server.client.post("/engine.io/?EIO=4&transport=polling&sid=\(sid)", body: "3").status == 200)
    }
    #expect(server.engine.clientsCount == 1)
}

@Test func concurrentPollsCloseTheSession() throws {
    let server = try EchoEngine { $0.pingInterval = .seconds(10) }
    defer { server.stop() }
    let sid = try handshake(server.client).sid
    let first = Mutex<TestHTTPClient.Response?>(nil)
    let thread = Thread { first.withLock { $0 = try? server.client.get("/engine.io/?EIO=4&transport=polling&sid=\(sid)") } }
    thread.start()
    Thread.sleep(forTimeInterval: 0.2)
    let second = try server.client.get("/engine.io/?EIO=4&transport=polling&sid=\(sid)")
    #expect(second.status == 400)
    Thread.sleep(forTimeInterval: 0.2)
    #expect(first.withLock { $0?.text } == "1")
    #expect(server.engine.clientsCount == 0)
}

@Test func corsAnswersPreflightAndTagsResponses() throws {
    let server = try EchoEngine { $0.cors = CORSOptions(origins: ["*"]) }
    defer { server.stop() }
    let preflight = try server.client.request("OPTIONS", "/engine.io/?EIO=4&transport=polling",
                                              headers: ["Origin": "http://example.com", "Access-Control-Request-Method": "POST"], body: [])
    #expect(preflight.status == 204)
    #expect(preflight.headers["access-control-allow-origin"] == "*")
    let get = try server.client.get("/engine.io/?EIO=4&transport=polling", headers: ["Origin": "http://example.com"])
    #expect(get.headers["access-control-allow-origin"] == "*")
}

@Test func abandonedSessionsExpireWithoutLeakingSessionsOrDescriptors() throws {
    let server = try EchoEngine()
    defer { server.stop() }
    // 150 clients handshake, send a message, then vanish without closing.
    for _ in 0..<150 {
        let sid = try handshake(server.client).sid
        #expect(try server.client.post("/engine.io/?EIO=4&transport=polling&sid=\(sid)", body: "4x").status == 200)
    }
    #expect(server.engine.clientsCount == 150)
    // pingInterval 300 ms + pingTimeout 200 ms, plus slack for a loaded machine.
    let deadline = Date().addingTimeInterval(3)
    while server.engine.clientsCount > 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    #expect(server.engine.clientsCount == 0)
    // Keep-alive sockets the test client closed may take a moment to be reaped by the server; then
    // only the listener is left.
    let fdDeadline = Date().addingTimeInterval(3)
    while socketDescriptors(onLocalPort: server.http.port) > 1, Date() < fdDeadline { Thread.sleep(forTimeInterval: 0.05) }
    #expect(socketDescriptors(onLocalPort: server.http.port) == 1)
}

@Test func heldPollWhoseClientLeavesEndsTheSessionWithTransportError() throws {
    let server = try EchoEngine { $0.pingInterval = .seconds(10) }
    defer { server.stop() }
    let closed = Mutex<[EngineCloseReason]>([])
    server.engine.onConnection = { socket in
        socket.onClose = { reason in closed.withLock { $0.append(reason) } }
    }
    let sid = try handshake(server.client).sid
    // Hold a poll on a raw connection, then drop it.
    let socket = try BlockingSocket.connect(port: server.http.port)
    try socket.write(Array("GET /engine.io/?EIO=4&transport=polling&sid=\(sid) HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
    Thread.sleep(forTimeInterval: 0.1)
    socket.close()
    let deadline = Date().addingTimeInterval(3)
    while closed.withLock({ $0.isEmpty }), Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    #expect(closed.withLock { $0 } == [.transportError])
    #expect(server.engine.clientsCount == 0)
}

@Test func anEmptySidIsAHandshakeAsInNode() throws {
    // Node tests `if (sid)`, so `sid=` opens a new session rather than answering "Session ID unknown".
    let server = try EchoEngine()
    defer { server.stop() }
    let response = try server.client.get("/engine.io/?EIO=4&transport=polling&sid=")
    #expect(response.status == 200)
    #expect(response.text.hasPrefix("0{\"sid\":"))
    let post = try server.client.post("/engine.io/?EIO=4&transport=polling&sid=", body: "4x")
    #expect(post.status == 400 && post.text == "{\"code\":2,\"message\":\"Bad handshake method\"}")
}

@Test func corsWithAnOriginListAndCredentialsAsNodesCorsMiddleware() throws {
    let server = try EchoEngine { $0.cors = CORSOptions(origins: ["http://a.example"], credentials: true) }
    defer { server.stop() }
    let allowed = try server.client.get("/engine.io/?EIO=4&transport=polling", headers: ["Origin": "http://a.example"])
    #expect(allowed.headers["access-control-allow-origin"] == "http://a.example")
    #expect(allowed.headers["access-control-allow-credentials"] == "true")
    #expect(allowed.headers["vary"] == "Origin")
    let other = try server.client.get("/engine.io/?EIO=4&transport=polling", headers: ["Origin": "http://b.example"])
    #expect(other.status == 200)
    #expect(other.headers["access-control-allow-origin"] == nil)
    // Errors carry the headers too (the middleware runs before the request is verified).
    let error = try server.client.get("/engine.io/?EIO=4&transport=tobi", headers: ["Origin": "http://a.example"])
    #expect(error.status == 400 && error.headers["access-control-allow-origin"] == "http://a.example")
    let preflight = try server.client.request("OPTIONS", "/engine.io/?EIO=4&transport=polling", headers: [
        "Origin": "http://a.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type",
    ], body: [])
    #expect(preflight.status == 204)
    #expect(preflight.headers["access-control-allow-methods"] == "GET,HEAD,PUT,PATCH,POST,DELETE")
    #expect(preflight.headers["access-control-allow-headers"] == "content-type")
    #expect(preflight.headers["access-control-allow-credentials"] == "true")
}

@Test func corsIsOffByDefault() throws {
    let server = try EchoEngine()
    defer { server.stop() }
    let get = try server.client.get("/engine.io/?EIO=4&transport=polling", headers: ["Origin": "http://a.example"])
    #expect(get.status == 200 && get.headers["access-control-allow-origin"] == nil)
    // Without cors an OPTIONS request is just a handshake with the wrong method, as in Node.
    let options = try server.client.request("OPTIONS", "/engine.io/?EIO=4&transport=polling", headers: ["Origin": "http://a.example"], body: [])
    #expect(options.status == 400 && options.text == "{\"code\":2,\"message\":\"Bad handshake method\"}")
}
