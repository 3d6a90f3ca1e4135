import Foundation
import Glibc
import Synchronization
import Testing
import TestSupport
@testable import EngineIO

/// IPv6 where asked, and `localhost` meaning 127.0.0.1 (IPv4 only), for a whole Engine.IO session.
/// Serialized: the localhost test probes ::1 at its port, which only these tests ever listen on.
@Suite(.serialized) struct ListenAddressTests {

@Test(arguments: ["::1", "[::1]"])
func anEngineListeningOnIPv6LoopbackServesASession(_ host: String) throws {
    let server = try EchoEngine(host: host) { $0.pingInterval = .seconds(10) }
    defer { server.stop() }
    let remote = Mutex<String?>(nil)
    server.engine.onConnection = { socket in
        remote.withLock { $0 = socket.handshake.remoteAddress }
        socket.onMessage = { [unowned socket] message in socket.send(message) }
    }
    let ws = try TestWebSocketClient(port: server.http.port, target: "/engine.io/?EIO=4&transport=websocket", host: "::1")
    #expect(ws.status == 101)
    #expect(ws.readFrame()?.text.hasPrefix("0{\"sid\":") == true)
    ws.sendText("4over IPv6")
    #expect(ws.readMessage()?.text == "4over IPv6")
    #expect(remote.withLock { $0 } == "::1")
}

@Test func localhostMeansIPv4Loopback() throws {
    let server = try EchoEngine(host: "localhost") { $0.pingInterval = .seconds(10) }
    defer { server.stop() }
    let remote = Mutex<String?>(nil)
    server.engine.onConnection = { socket in remote.withLock { $0 = socket.handshake.remoteAddress } }
    let open = try handshake(server.client)          // over 127.0.0.1
    #expect(!open.sid.isEmpty)
    #expect(remote.withLock { $0 } == "127.0.0.1")
    do {
        _ = try BlockingSocket.connect(host: "::1", port: server.http.port, timeoutSeconds: 2)
        Issue.record("localhost must not listen on ::1")
    } catch BlockingSocket.Failure.connect(let code) {
        #expect(code == ECONNREFUSED)
    }
}
}
