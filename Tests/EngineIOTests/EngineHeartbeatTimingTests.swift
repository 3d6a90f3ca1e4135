import Foundation
import Glibc
import Synchronization
import Testing
import TestSupport
import Reactor
@testable import EngineIO

/// A session nobody answers ends `pingInterval + pingTimeout` after it opened, to the millisecond
/// rather than "eventually": measured on the session's own loop clock, from open to close.
private final class LifetimeRecorder: @unchecked Sendable {
    private let state = Mutex<(opened: UInt64?, closed: UInt64?, reason: EngineCloseReason?)>((nil, nil, nil))
    private let done = DispatchSemaphore(value: 0)

    func attach(to engine: EngineServer) {
        engine.onConnection = { [self] socket in
            let loop = socket.loop
            state.withLock { $0.opened = loop.now() }
            socket.onClose = { [self] reason in
                state.withLock { $0.closed = loop.now(); $0.reason = reason }
                done.signal()
            }
        }
    }

    /// Milliseconds from open to close, and why; nil if the session did not close in time.
    func lifetime(waitingUpTo seconds: Double) -> (ms: Double, reason: EngineCloseReason)? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return state.withLock { s in
            guard let opened = s.opened, let closed = s.closed, let reason = s.reason else { return nil }
            return (Double(closed - opened) / 1_000_000, reason)
        }
    }
}

/// Timers may be a little late on a loaded 2-core machine, never early; "a few ms" is the bar,
/// this bound leaves room for a busy CI run while still catching a whole extra interval or rounding.
private let allowedLatenessMs = 30.0

@Test func idlePollingSessionEndsExactlyPingIntervalPlusPingTimeoutAfterOpening() throws {
    let server = try EchoEngine()        // 300 ms + 200 ms
    defer { server.stop() }
    let recorder = LifetimeRecorder()
    recorder.attach(to: server.engine)
    _ = try handshake(server.client)
    let lifetime = try #require(recorder.lifetime(waitingUpTo: 3))
    #expect(lifetime.reason == .pingTimeout)
    #expect(lifetime.ms >= 500 && lifetime.ms <= 500 + allowedLatenessMs, "lived \(lifetime.ms) ms")
}

@Test func silentWebSocketSessionEndsExactlyPingIntervalPlusPingTimeoutAfterOpening() throws {
    let server = try EchoEngine()
    defer { server.stop() }
    let recorder = LifetimeRecorder()
    recorder.attach(to: server.engine)
    let ws = try server.openWebSocket()
    let lifetime = try #require(recorder.lifetime(waitingUpTo: 3))
    #expect(lifetime.reason == .pingTimeout)
    #expect(lifetime.ms >= 500 && lifetime.ms <= 500 + allowedLatenessMs, "lived \(lifetime.ms) ms")
    // What the client saw: one ping, then the close.
    let rest = ws.readUntilClose()
    #expect(rest.messages.map(\.text) == ["2"])
}

@Test func aPongRestartsTheIntervalSoTheNextDeadlineCountsFromIt() throws {
    let server = try EchoEngine()
    defer { server.stop() }
    let recorder = LifetimeRecorder()
    recorder.attach(to: server.engine)
    let ws = try server.openWebSocket()
    #expect(ws.readFrame()?.text == "2")            // at 300 ms
    ws.sendText("3")
    // The next ping goes 300 ms after the pong; unanswered, the session ends 200 ms after that:
    // 300 + 300 + 200 ms from the open, plus the pong's round trip.
    let lifetime = try #require(recorder.lifetime(waitingUpTo: 3))
    #expect(lifetime.reason == .pingTimeout)
    #expect(lifetime.ms >= 800 && lifetime.ms <= 800 + 3 * allowedLatenessMs, "lived \(lifetime.ms) ms")
}

/// Reads one Content-Length framed response from a keep-alive connection.
private func readResponse(_ socket: BlockingSocket) throws -> TestHTTPClient.Response {
    guard let head = socket.readUntil([13, 10, 13, 10]) else { throw BlockingSocket.Failure.timeout }
    var response = try TestHTTPClient.parse(head + [13, 10, 13, 10])
    guard let body = socket.read(Int(response.headers["content-length"] ?? "0") ?? 0) else { throw BlockingSocket.Failure.timeout }
    response.body = body
    return response
}

@Test func aPongThatArrivesAfterTheDeadlineDoesNotReviveTheSessionEvenBeforeItsTimerRan() throws {
    // One loop, so the connection's read and the session's timer compete on the same thread: the loop
    // handles socket events before due timers, so only the deadline check on arrival can refuse the pong.
    let server = try EchoEngine(loops: 1)
    defer { server.stop() }
    let sid = try handshake(server.client).sid
    let socket = try BlockingSocket.connect(port: server.http.port)
    defer { socket.close() }
    let target = "/engine.io/?EIO=4&transport=polling&sid=\(sid)"
    try socket.write(Array("GET \(target) HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
    #expect(try readResponse(socket).text == "2")                        // the ping, ~300 ms after opening

    // Hold the loop past the deadline (ping + 200 ms); the pong waits in the socket meanwhile.
    server.group.loops[0].execute { Thread.sleep(forTimeInterval: 0.4) }
    Thread.sleep(forTimeInterval: 0.05)
    try socket.write(Array("POST \(target) HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\n3".utf8))
    let answer = try readResponse(socket)
    #expect(answer.status == 400)
    #expect(answer.text == "{\"code\":1,\"message\":\"Session ID unknown\"}")
    #expect(server.engine.clientsCount == 0)
}

@Test func aLatePongOverWebSocketDoesNotReviveTheSessionEvenBeforeItsTimerRan() throws {
    // As above, over WebSocket: the pong is read before the due timer runs, so the check on arrival decides.
    let server = try EchoEngine(loops: 1)
    defer { server.stop() }
    let recorder = LifetimeRecorder()
    recorder.attach(to: server.engine)
    let ws = try server.openWebSocket()
    #expect(ws.readFrame()?.text == "2")
    server.group.loops[0].execute { Thread.sleep(forTimeInterval: 0.4) }
    Thread.sleep(forTimeInterval: 0.05)
    ws.sendText("3")
    let lifetime = try #require(recorder.lifetime(waitingUpTo: 3))
    #expect(lifetime.reason == .pingTimeout)
    // What decides: a revived session would have sent its next ping ("2") before closing.
    let closed = ws.readUntilClose()
    #expect(closed.ended && closed.messages.isEmpty)
}
