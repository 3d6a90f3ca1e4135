import Foundation
import Synchronization
import Testing
import TestSupport
import WebSocketCodec
@testable import HTTPServer

/// A peer that reads nothing while we close: the queue cannot drain, so without a deadline the
/// connection would wait for writability forever, holding its descriptor, its queue and a slot.

private let bigBody = [UInt8](repeating: 0x61, count: 32 * 1024 * 1024)  // far more than loopback buffers hold

/// Waits until `server` has no connection left; returns the seconds it took, or nil past `seconds`.
/// `started` is signalled once the close has begun.
private func secondsUntilNoConnection(_ server: LiveServer, after started: DispatchSemaphore, within seconds: Double) -> Double? {
    guard started.wait(timeout: .now() + 5) == .success else { return nil }
    let start = Date()
    while server.server.connectionCount > 0 {
        if Date().timeIntervalSince(start) > seconds { return nil }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return Date().timeIntervalSince(start)
}

@Test func aClosingHTTPConnectionWhosePeerReadsNothingIsCutOffAtTheCloseTimeout() throws {
    let answered = DispatchSemaphore(value: 0)
    let server = try LiveServer(configure: { $0.closeTimeout = .milliseconds(300) }) { _, responder in
        responder.send(HTTPResponse(status: 200, headers: ["Connection": "close"], body: bigBody))
        answered.signal()
    }
    defer { server.stop() }
    let client = try server.client()
    client.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n")
    let waited = secondsUntilNoConnection(server, after: answered, within: 5)
    #expect(waited != nil, "the connection was still open 5 s after its close began")
    #expect((waited ?? 0) >= 0.2, "closed after \(waited ?? 0) s: before the deadline")
}

@Test func aReaderGetsTheWholeResponseBeforeTheCloseTimeout() throws {
    let body = [UInt8](repeating: 0x62, count: 8 * 1024 * 1024)
    let server = try LiveServer(configure: { $0.closeTimeout = .seconds(10) }) { _, responder in
        responder.send(HTTPResponse(status: 200, headers: ["Connection": "close"], body: body))
    }
    defer { server.stop() }
    let client = try server.client()
    client.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(client.readResponse()?.body == body)
}

/// Queues a few MB, then closes the WebSocket (as a session ending does).
private final class SendThenCloseHandler: WebSocketHandler, @unchecked Sendable {
    let closing = DispatchSemaphore(value: 0)
    let closed = DispatchSemaphore(value: 0)
    func webSocket(_ socket: WebSocketConnection, didReceive message: WebSocketMessage) {
        // 8 MiB: more than loopback's buffers take, less than the slow-consumer limit (16 MiB).
        let chunk = WebSocketConnection.prepareFrame(binary: [UInt8](repeating: 7, count: 64 * 1024))
        for _ in 0..<128 { socket.send(preparedFrame: chunk) }
        socket.close(code: 1000)
        closing.signal()
    }
    func webSocketDidClose(_ socket: WebSocketConnection, code: UInt16?) { closed.signal() }
}

@Test func aClosingWebSocketWhosePeerReadsNothingIsCutOffAtTheCloseTimeout() throws {
    let handler = SendThenCloseHandler()
    let server = try LiveServer(configure: { $0.closeTimeout = .milliseconds(300) }) { _, responder in
        _ = responder.upgradeToWebSocket(handler: handler)
    }
    defer { server.stop() }
    let client = try server.client()
    client.send(upgradeRequest + "\r\n")
    #expect(client.readResponse()?.status == 101)
    client.send(WebSocketFrameEncoder.encodeMasked(opcode: .text, payload: Array("go".utf8), maskKey: 1, fin: true))
    let waited = secondsUntilNoConnection(server, after: handler.closing, within: 5)
    #expect(waited != nil, "the WebSocket was still open 5 s after its close began")
    #expect((waited ?? 0) >= 0.2, "closed after \(waited ?? 0) s: before the deadline")
    #expect(handler.closed.wait(timeout: .now() + 1) == .success)
}
