import Foundation
import Synchronization
import Testing
@testable import EngineIO

/// The polling → WebSocket upgrade as Node's engine.io runs it, checked on the wire.
private func pollingTarget(_ sid: String) -> String { "/engine.io/?EIO=4&transport=polling&sid=\(sid)" }
private func webSocketTarget(_ sid: String) -> String { "/engine.io/?EIO=4&transport=websocket&sid=\(sid)" }
private let badRequestBody = "{\"code\":3,\"message\":\"Bad request\"}"

/// Runs a GET on its own thread so the test can act while the server holds it.
private final class HeldPoll: @unchecked Sendable {
    private let result = Mutex<TestHTTPClient.Response?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(_ client: TestHTTPClient, _ target: String) {
        Thread { [self] in
            result.withLock { $0 = try? client.get(target) }
            done.signal()
        }.start()
    }

    func wait(seconds: Double = 3) -> TestHTTPClient.Response? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return result.withLock { $0 }
    }
}

@Test func upgradeProbeReleasesThePollThenSwitchesAndLocksOutHTTPAndOtherWebSockets() throws {
    let server = try EchoEngine { $0.pingInterval = .seconds(10) }
    defer { server.stop() }
    let sid = try handshake(server.client).sid
    let poll = HeldPoll(server.client, pollingTarget(sid))
    Thread.sleep(forTimeInterval: 0.1)

    let ws = try TestWebSocketClient(port: server.http.port, target: webSocketTarget(sid))
    #expect(ws.status == 101)
    ws.sendText("2probe")
    #expect(ws.readFrame()?.text == "3probe")
    // The held poll is answered with a noop so the client can pause polling.
    let released = poll.wait()
    #expect(released?.status == 200)
    #expect(released?.text == "6")

    ws.sendText("5")
    ws.sendText("4over websocket")
    #expect(ws.readMessage()?.text == "4over websocket")

    // After the upgrade, HTTP with that sid is a transport mismatch: 400, code 3, for GET and POST.
    let get = try server.client.get(pollingTarget(sid))
    #expect(get.status == 400 && get.text == badRequestBody)
    let post = try server.client.post(pollingTarget(sid), body: "4x")
    #expect(post.status == 400 && post.text == badRequestBody)

    // A second WebSocket with the same sid is switched, then closed before any packet.
    let second = try TestWebSocketClient(port: server.http.port, target: webSocketTarget(sid))
    #expect(second.status == 101)
    let refused = second.readUntilClose()
    #expect(refused.messages.isEmpty)
    #expect(refused.code != nil)

    // The session itself is untouched and still on its WebSocket.
    ws.sendText("4still here")
    #expect(ws.readMessage()?.text == "4still here")
    #expect(server.engine.clientsCount == 1)
}

@Test func aSecondWebSocketDuringAnUpgradeIsRefusedAndTheFirstCompletes() throws {
    let server = try EchoEngine { $0.pingInterval = .seconds(10) }
    defer { server.stop() }
    let sid = try handshake(server.client).sid
    let first = try TestWebSocketClient(port: server.http.port, target: webSocketTarget(sid))
    first.sendText("2probe")
    #expect(first.readFrame()?.text == "3probe")

    let second = try TestWebSocketClient(port: server.http.port, target: webSocketTarget(sid))
    let refused = second.readUntilClose()
    #expect(refused.ended && refused.messages.isEmpty)

    first.sendText("5")
    first.sendText("4upgraded")
    #expect(first.readMessage()?.text == "4upgraded")
}

@Test func aWebSocketWithTheSidOfADirectWebSocketSessionIsRefused() throws {
    let server = try EchoEngine { $0.pingInterval = .seconds(10) }
    defer { server.stop() }
    let direct = try TestWebSocketClient(port: server.http.port, target: "/engine.io/?EIO=4&transport=websocket")
    let open = try #require(direct.readFrame())
    let sid = try JSONDecoder().decode(OpenPacket.self, from: Data(open.payload.dropFirst())).sid

    let intruder = try TestWebSocketClient(port: server.http.port, target: webSocketTarget(sid))
    let refused = intruder.readUntilClose()
    #expect(refused.ended && refused.messages.isEmpty)
    let get = try server.client.get(pollingTarget(sid))
    #expect(get.status == 400 && get.text == badRequestBody)
    direct.sendText("4mine")
    #expect(direct.readMessage()?.text == "4mine")
}

@Test func aProbeThatNeverUpgradesIsClosedAfterUpgradeTimeoutAndPollingGoesOn() throws {
    let server = try EchoEngine {
        $0.pingInterval = .seconds(10)
        $0.upgradeTimeout = .milliseconds(300)
    }
    defer { server.stop() }
    let sid = try handshake(server.client).sid
    let ws = try TestWebSocketClient(port: server.http.port, target: webSocketTarget(sid))
    let start = Date()
    ws.sendText("2probe")
    #expect(ws.readFrame()?.text == "3probe")
    let closed = ws.readUntilClose()
    let elapsed = Date().timeIntervalSince(start)
    #expect(closed.messages.isEmpty)
    #expect(elapsed >= 0.29 && elapsed < 1.5, "closed after \(elapsed) s")

    // The session stayed on polling and still echoes there.
    #expect(try server.client.post(pollingTarget(sid), body: "4still polling").status == 200)
    #expect(try server.client.get(pollingTarget(sid)).text == "4still polling")
    #expect(server.engine.clientsCount == 1)
}

@Test func anythingButProbeOrUpgradeOnTheNewWebSocketAbandonsTheUpgrade() throws {
    let server = try EchoEngine { $0.pingInterval = .seconds(10) }
    defer { server.stop() }
    let sid = try handshake(server.client).sid
    let ws = try TestWebSocketClient(port: server.http.port, target: webSocketTarget(sid))
    ws.sendText("4too early")
    let abandoned = ws.readUntilClose()
    #expect(abandoned.ended && abandoned.messages.isEmpty)
    #expect(try server.client.post(pollingTarget(sid), body: "4polling").status == 200)
    #expect(try server.client.get(pollingTarget(sid)).text == "4polling")
}

@Test func aWebSocketUpgradeNamingThePollingTransportIsRefused() throws {
    // Node's polling transport does not handle upgrades: such a WebSocket never gets a session.
    let server = try EchoEngine { $0.pingInterval = .seconds(10) }
    defer { server.stop() }
    let fresh = try TestWebSocketClient(port: server.http.port, target: "/engine.io/?EIO=4&transport=polling")
    #expect(fresh.status == 400)
    #expect(server.engine.clientsCount == 0)

    let sid = try handshake(server.client).sid
    let onSession = try TestWebSocketClient(port: server.http.port, target: pollingTarget(sid))
    #expect(onSession.status == 400)
    #expect(try server.client.post(pollingTarget(sid), body: "4still polling").status == 200)
    #expect(try server.client.get(pollingTarget(sid)).text == "4still polling")
}

@Test func transportsAndAllowUpgradesShapeTheHandshakeAndRefuseTheRest() throws {
    let pollingOnly = try EchoEngine { $0.transports = [.polling] }
    defer { pollingOnly.stop() }
    #expect(try handshake(pollingOnly.client).upgrades == [])
    let ws = try TestWebSocketClient(port: pollingOnly.http.port, target: "/engine.io/?EIO=4&transport=websocket")
    #expect(ws.status == 400)
    let plain = try pollingOnly.client.get("/engine.io/?EIO=4&transport=websocket")
    #expect(plain.status == 400 && plain.text == "{\"code\":0,\"message\":\"Transport unknown\"}")

    let webSocketOnly = try EchoEngine { $0.transports = [.websocket] }
    defer { webSocketOnly.stop() }
    let polling = try webSocketOnly.client.get("/engine.io/?EIO=4&transport=polling")
    #expect(polling.status == 400 && polling.text == "{\"code\":0,\"message\":\"Transport unknown\"}")

    let noUpgrades = try EchoEngine { $0.allowUpgrades = false; $0.pingInterval = .seconds(10) }
    defer { noUpgrades.stop() }
    let opened = try handshake(noUpgrades.client)
    #expect(opened.upgrades == [])
    let sid = opened.sid
    let probe = try TestWebSocketClient(port: noUpgrades.http.port, target: webSocketTarget(sid))
    probe.sendText("2probe")
    let refused = probe.readUntilClose()
    #expect(refused.ended && refused.messages.isEmpty)
    #expect(try noUpgrades.client.post(pollingTarget(sid), body: "4polling").status == 200)
    #expect(try noUpgrades.client.get(pollingTarget(sid)).text == "4polling")
}

@Test func packetsQueuedWhileTheClientPausedPollingArriveOverTheWebSocketInOrder() throws {
    let server = try EchoEngine { $0.pingInterval = .seconds(10) }
    defer { server.stop() }
    let sid = try handshake(server.client).sid
    let ws = try TestWebSocketClient(port: server.http.port, target: webSocketTarget(sid))
    ws.sendText("2probe")
    #expect(ws.readFrame()?.text == "3probe")
    // Polling is paused now (no GET pending): the echoes of this POST wait in the session's buffer.
    #expect(try server.client.post(pollingTarget(sid), body: "4one\u{1E}4two\u{1E}bAQI=").status == 200)
    ws.sendText("5")
    #expect(ws.readMessage()?.text == "4one")
    #expect(ws.readMessage()?.text == "4two")
    let binary = ws.readMessage()
    #expect(binary?.opcode == 2 && binary?.payload == [1, 2])
}
