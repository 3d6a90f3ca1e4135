import Foundation
import Testing
import Reactor
import Synchronization
@testable import EngineIO

/// An upgrade's WebSocket is accepted on whichever loop the listener picks; it moves to its session's
/// loop, so that the session reads and writes it without a hop between loops per message.
@Test func upgradedWebSocketsMoveToTheirSessionsLoop() throws {
    let server = try EchoEngine(loops: 2) { $0.pingInterval = .seconds(10) }
    defer { server.stop() }
    // Connections are handed to the loops in turn: over several sessions, some WebSockets are
    // accepted on another loop than their session's.
    for round in 0..<6 {
        let sid = try handshake(server.client).sid
        let ws = try TestWebSocketClient(port: server.http.port, target: "/engine.io/?EIO=4&transport=websocket&sid=\(sid)")
        #expect(ws.status == 101)
        ws.sendText("2probe")
        #expect(ws.readFrame()?.text == "3probe")
        ws.sendText("5")
        ws.sendText("4round \(round)")
        #expect(ws.readMessage()?.text == "4round \(round)")

        let session = try #require(server.engine.session(sid))
        let onSessionLoop = DispatchSemaphore(value: 0)
        let sameLoop = Mutex(false)
        session.loop.execute {
            if case .webSocket(let transport) = session.activeTransport {
                sameLoop.withLock { $0 = transport.connection.loop === session.loop }
            }
            onSessionLoop.signal()
        }
        onSessionLoop.wait()
        #expect(sameLoop.withLock { $0 }, "round \(round): the WebSocket stayed on another loop")
    }
}

/// A client may send its probe right behind the upgrade request: those frames reach the session on its
/// loop after it has heard of the socket, in order, whichever loop accepted the connection.
@Test func framesSentWithTheUpgradeRequestArriveInOrderAfterAMove() throws {
    let server = try EchoEngine(loops: 2) { $0.pingInterval = .seconds(10) }
    defer { server.stop() }
    for round in 0..<6 {
        let sid = try handshake(server.client).sid
        let ws = try TestWebSocketClient(port: server.http.port, target: "/engine.io/?EIO=4&transport=websocket&sid=\(sid)",
                                         earlyText: ["2probe", "5", "4early \(round)"])
        #expect(ws.status == 101)
        #expect(ws.readFrame()?.text == "3probe")
        #expect(ws.readMessage()?.text == "4early \(round)")
    }
}
