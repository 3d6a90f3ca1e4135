import Foundation
import Synchronization
import Testing
@testable import EngineIO

/// `maxPayload` at its edge and malformed input on either transport: each gets its specific answer
/// (413, close 1009 / 1007 / 1002, `parse error`) and the session ends the way Node's does.

/// Why sessions closed, in order.
private final class CloseLog: @unchecked Sendable {
    private let reasons = Mutex<[EngineCloseReason]>([])
    private let closedOne = DispatchSemaphore(value: 0)

    func record(_ reason: EngineCloseReason) {
        reasons.withLock { $0.append(reason) }
        closedOne.signal()
    }

    func next(seconds: Double) -> EngineCloseReason? {
        guard closedOne.wait(timeout: .now() + seconds) == .success else { return nil }
        return reasons.withLock { $0.removeFirst() }
    }
}

/// An echo engine that also records why sessions closed.
private final class RecordingEngine: @unchecked Sendable {
    let server: EchoEngine
    private let log = CloseLog()

    init(configure: (inout EngineOptions) -> Void = { _ in }) throws {
        server = try EchoEngine(configure: configure)
        let log = self.log
        server.engine.onConnection = { socket in
            socket.onMessage = { [unowned socket] message in socket.send(message) }
            socket.onClose = { reason in log.record(reason) }
        }
    }

    /// The close reason of the next session to end.
    func nextCloseReason(seconds: Double = 3) -> EngineCloseReason? { log.next(seconds: seconds) }

    func stop() { server.stop() }
}

@Test func pollingBodyOfExactlyMaxPayloadIsAcceptedAndOneByteMoreIs413() throws {
    let engine = try RecordingEngine { $0.maxPayload = 1000; $0.pingInterval = .seconds(10) }
    defer { engine.stop() }
    let client = engine.server.client
    let sid = try handshake(client).sid
    let target = "/engine.io/?EIO=4&transport=polling&sid=\(sid)"
    let atLimit = "4" + String(repeating: "a", count: 999)
    #expect(try client.post(target, body: atLimit).status == 200)
    #expect(try client.get(target).text == atLimit)

    let over = try client.post(target, body: atLimit + "b")
    #expect(over.status == 413)
    // As in Node, the refused body is dropped and the session lives on.
    #expect(try client.post(target, body: "4after").status == 200)
    #expect(try client.get(target).text == "4after")
}

@Test func webSocketMessageOfExactlyMaxPayloadIsEchoedAndOneByteMoreCloses1009() throws {
    let engine = try RecordingEngine { $0.maxPayload = 1000; $0.pingInterval = .seconds(10) }
    defer { engine.stop() }
    let ws = try engine.server.openWebSocket()
    let atLimit = "4" + String(repeating: "a", count: 999)
    ws.sendText(atLimit)
    #expect(ws.readMessage()?.text == atLimit)
    ws.sendFrame(.binary, [UInt8](repeating: 7, count: 1000))
    #expect(ws.readMessage()?.payload == [UInt8](repeating: 7, count: 1000))

    ws.sendText(atLimit + "b")
    #expect(ws.readUntilClose().code == 1009)
    #expect(engine.nextCloseReason() == .transportError)
    #expect(engine.server.engine.clientsCount == 0)
}

@Test func fragmentsAddingUpToOneOverMaxPayloadClose1009() throws {
    let engine = try RecordingEngine { $0.maxPayload = 1000; $0.pingInterval = .seconds(10) }
    defer { engine.stop() }
    let ws = try engine.server.openWebSocket()
    ws.sendFrame(.text, Array(("4" + String(repeating: "a", count: 599)).utf8), fin: false)
    ws.sendFrame(.continuation, Array(String(repeating: "a", count: 401).utf8))
    #expect(ws.readUntilClose().code == 1009)
    #expect(engine.nextCloseReason() == .transportError)
}

@Test func invalidUTF8InATextFrameCloses1007() throws {
    let engine = try RecordingEngine { $0.pingInterval = .seconds(10) }
    defer { engine.stop() }
    let ws = try engine.server.openWebSocket()
    ws.sendFrame(.text, [UInt8(ascii: "4"), 0xC3, 0x28])
    #expect(ws.readUntilClose().code == 1007)
    #expect(engine.nextCloseReason() == .transportError)
}

@Test func unmaskedFrameCloses1002() throws {
    let engine = try RecordingEngine { $0.pingInterval = .seconds(10) }
    defer { engine.stop() }
    let ws = try engine.server.openWebSocket()
    ws.send([0x81, 0x02, UInt8(ascii: "4"), UInt8(ascii: "x")])
    #expect(ws.readUntilClose().code == 1002)
    #expect(engine.nextCloseReason() == .transportError)
}

@Test(arguments: ["9", "b!!!", ""])
func badEnginePacketOverWebSocketClosesWithParseError(_ packet: String) throws {
    let engine = try RecordingEngine { $0.pingInterval = .seconds(10) }
    defer { engine.stop() }
    let ws = try engine.server.openWebSocket()
    // A record separator is plain data on a WebSocket (one packet per frame), so this one is valid.
    ws.sendText("4ok\u{1E}")
    #expect(ws.readMessage()?.text == "4ok\u{1E}")
    ws.sendText(packet)
    let closed = ws.readUntilClose()
    #expect(closed.messages.isEmpty)
    #expect(engine.nextCloseReason() == .parseError)
    #expect(engine.server.engine.clientsCount == 0)
}

@Test(arguments: ["9", "b!!!", "4ok\u{1E}", "4ok\u{1E}7"])
func badEnginePacketInAPollingPayloadClosesWithParseError(_ body: String) throws {
    let engine = try RecordingEngine { $0.pingInterval = .seconds(10) }
    defer { engine.stop() }
    let client = engine.server.client
    let sid = try handshake(client).sid
    #expect(try client.post("/engine.io/?EIO=4&transport=polling&sid=\(sid)", body: body).status == 200)
    #expect(engine.nextCloseReason() == .parseError)
    let after = try client.get("/engine.io/?EIO=4&transport=polling&sid=\(sid)")
    #expect(after.status == 400 && after.text == "{\"code\":1,\"message\":\"Session ID unknown\"}")
}

@Test func pollingAnswersOf1KiBAndMoreAreGzippedWhenAcceptedSmallerOnesAreNot() throws {
    let engine = try RecordingEngine { $0.pingInterval = .seconds(10) }
    defer { engine.stop() }
    let client = engine.server.client
    let sid = try handshake(client).sid
    let target = "/engine.io/?EIO=4&transport=polling&sid=\(sid)"
    for (size, gzipped) in [(1023, false), (1024, true)] {
        let packet = "4" + String(repeating: "z", count: size - 1)
        #expect(try client.post(target, body: packet).status == 200)
        let poll = try client.get(target, headers: ["Accept-Encoding": "gzip"])
        #expect((poll.headers["content-encoding"] == "gzip") == gzipped, "\(size) bytes")
        #expect((poll.text == packet) == !gzipped, "\(size) bytes")
    }
}
