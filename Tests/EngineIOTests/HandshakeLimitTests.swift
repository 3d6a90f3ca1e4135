import Foundation
import Testing
import TestSupport
@testable import EngineIO

/// One raw polling handshake from `source`; the status and body it got.
private func handshakeFrom(_ server: EchoEngine, source: String) throws -> (status: Int, body: String, headers: [String: String]) {
    let socket = try BlockingSocket.connect(port: server.http.port, source: source)
    try socket.write(Array("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".utf8))
    let response = try TestHTTPClient.parse(socket.readToEnd())
    return (response.status, response.text, response.headers)
}

@Test func handshakesPerSecondPerAddressAtTheLimitAndOnePastAndFromAnotherAddress() throws {
    let server = try EchoEngine { $0.maxHandshakesPerSecondPerAddress = 3; $0.pingInterval = .seconds(10) }
    defer { server.stop() }
    // A burst of the limit passes (the bucket starts full), one more is refused with Node's body, code 4.
    for _ in 0..<3 { #expect(try handshakeFrom(server, source: "127.0.0.1").status == 200) }
    let refused = try handshakeFrom(server, source: "127.0.0.1")
    #expect(refused.status == 429)
    #expect(refused.headers["retry-after"] == "1")
    #expect(refused.body == "{\"code\":4,\"message\":\"Too many handshakes from your address (limit 3 per second); retry later\"}")
    #expect(server.engine.refusals == HandshakeRefusalCounts(tooManyHandshakes: 1, sessionLimit: 0))
    // Another address has a bucket of its own.
    #expect(try handshakeFrom(server, source: "127.0.0.2").status == 200)
    // A WebSocket handshake counts too, and is refused with the bare message.
    let ws = try TestWebSocketClient(port: server.http.port, target: "/engine.io/?EIO=4&transport=websocket")
    #expect(ws.status == 429)
    // A third of a second later one token has come back.
    Thread.sleep(forTimeInterval: 0.4)
    #expect(try handshakeFrom(server, source: "127.0.0.1").status == 200)
    #expect(server.engine.clientsCount == 5)
}

@Test func sessionsAreCappedAtMaxSessionsForEveryAddressAndAnEndedSessionFreesItsSlot() throws {
    let server = try EchoEngine { $0.maxSessions = 3; $0.pingInterval = .seconds(10) }
    defer { server.stop() }
    var sids: [String] = []
    for _ in 0..<3 { sids.append(try handshake(server.client).sid) }
    // One past the cap: 503, whatever the address (the cap is the server's).
    for source in ["127.0.0.1", "127.0.0.2"] {
        let refused = try handshakeFrom(server, source: source)
        #expect(refused.status == 503)
        #expect(refused.body == "{\"code\":4,\"message\":\"The server is at its session limit (3); retry later\"}")
    }
    let ws = try TestWebSocketClient(port: server.http.port, target: "/engine.io/?EIO=4&transport=websocket")
    #expect(ws.status == 503)
    #expect(server.engine.refusals == HandshakeRefusalCounts(tooManyHandshakes: 0, sessionLimit: 3))
    #expect(server.engine.clientsCount == 3)
    // The client closes one: its slot is free again.
    #expect(try server.client.post("/engine.io/?EIO=4&transport=polling&sid=\(sids[0])", body: "1").status == 200)
    #expect(eventually { server.engine.clientsCount == 2 })
    #expect(try handshakeFrom(server, source: "127.0.0.2").status == 200)
    #expect(try handshakeFrom(server, source: "127.0.0.1").status == 503)
}
