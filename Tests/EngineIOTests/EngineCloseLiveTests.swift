import Foundation
import Synchronization
import Testing
@testable import EngineIO

private func pollingTarget(_ sid: String) -> String { "/engine.io/?EIO=4&transport=polling&sid=\(sid)" }

/// Waits for `condition`, polling every 10 ms, up to `seconds`.
func eventually(seconds: Double = 3, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline { return false }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return true
}

/// A GET on its own thread, so the test can act while the server holds it.
final class BackgroundPoll: @unchecked Sendable {
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

/// The client's close packet, POSTed while its poll is held: Node answers that poll with a noop and
/// ends the session ("transport close"); a close packet is the server's word only.
@Test func aClientCloseReleasesTheHeldPollWithANoop() throws {
    let server = try EchoEngine { $0.pingInterval = .seconds(10) }
    defer { server.stop() }
    let reasons = Mutex<[EngineCloseReason]>([])
    server.engine.onConnection = { socket in
        socket.onClose = { reason in reasons.withLock { $0.append(reason) } }
    }
    let sid = try handshake(server.client).sid
    let poll = BackgroundPoll(server.client, pollingTarget(sid))
    #expect(eventually { server.engine.session(sid).map(heldPoll) == true })
    #expect(try server.client.post(pollingTarget(sid), body: "1").status == 200)
    #expect(poll.wait()?.text == "6")
    #expect(reasons.withLock { $0 } == [.transportClose])
    #expect(try server.client.get(pollingTarget(sid)).status == 400)
}

/// The server closing a session with a held poll answers it with the close packet.
@Test func aServerCloseAnswersTheHeldPollWithAClosePacket() throws {
    let server = try EchoEngine { $0.pingInterval = .seconds(10) }
    defer { server.stop() }
    let sid = try handshake(server.client).sid
    let poll = BackgroundPoll(server.client, pollingTarget(sid))
    let session = try #require(server.engine.session(sid))
    #expect(eventually { heldPoll(session) })
    session.loop.execute { session.close() }
    #expect(poll.wait()?.text == "1")
}

/// Whether the session holds a poll now (read on its loop).
func heldPoll(_ session: EngineSocket) -> Bool {
    let held = Mutex(false)
    let done = DispatchSemaphore(value: 0)
    session.loop.execute {
        if case .polling(let polling) = session.activeTransport { held.withLock { $0 = polling.isPollPending } }
        done.signal()
    }
    done.wait()
    return held.withLock { $0 }
}
