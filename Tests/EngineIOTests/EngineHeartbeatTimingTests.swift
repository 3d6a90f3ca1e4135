import Foundation
import Synchronization
import Testing
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
    let ws = try TestWebSocketClient(port: server.http.port, target: "/engine.io/?EIO=4&transport=websocket")
    #expect(ws.readFrame()?.text.hasPrefix("0{") == true)
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
    let ws = try TestWebSocketClient(port: server.http.port, target: "/engine.io/?EIO=4&transport=websocket")
    #expect(ws.readFrame()?.text.hasPrefix("0{") == true)
    #expect(ws.readFrame()?.text == "2")            // at 300 ms
    ws.sendText("3")
    // The next ping goes 300 ms after the pong; unanswered, the session ends 200 ms after that:
    // 300 + 300 + 200 ms from the open, plus the pong's round trip.
    let lifetime = try #require(recorder.lifetime(waitingUpTo: 3))
    #expect(lifetime.reason == .pingTimeout)
    #expect(lifetime.ms >= 800 && lifetime.ms <= 800 + 3 * allowedLatenessMs, "lived \(lifetime.ms) ms")
}
