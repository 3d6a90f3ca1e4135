import Foundation
import Synchronization
import Testing
import TestSupport
import WebSocketCodec
@testable import HTTPServer

/// Sends far more than the client reads as soon as it is told to.
private final class FloodHandler: WebSocketHandler, @unchecked Sendable {
    let closeCode = Mutex<[UInt16?]>([])
    let closed = DispatchSemaphore(value: 0)
    func webSocket(_ socket: WebSocketConnection, didReceive message: WebSocketMessage) {
        let chunk = WebSocketConnection.prepareFrame(binary: [UInt8](repeating: 7, count: 64 * 1024))
        for _ in 0..<400 { socket.send(preparedFrame: chunk) }
    }
    func webSocketDidClose(_ socket: WebSocketConnection, code: UInt16?) {
        closeCode.withLock { $0.append(code) }
        closed.signal()
    }
}

/// A server whose WebSocket floods on request, and a client that has asked for the flood.
private func startFlood(limit: Int, _ handler: FloodHandler) throws -> (LiveServer, BlockingSocket) {
    let server = try LiveServer(configure: { $0.maxWebSocketBufferedBytes = limit }) { _, responder in
        _ = responder.upgradeToWebSocket(handler: handler)
    }
    let client = try server.client()
    client.send(upgradeRequest + "\r\n")
    #expect(client.readResponse()?.status == 101)
    client.sendFrame(.text, Array("flood".utf8))
    return (server, client)
}

@Test func aWebSocketThatStopsReadingIsDroppedPastTheBufferLimit() throws {
    let handler = FloodHandler()
    // Ask for 25 MiB and read none of it: the server must give up instead of queueing it all.
    let (server, _) = try startFlood(limit: 1024 * 1024, handler)
    defer { server.stop() }
    #expect(handler.closed.wait(timeout: .now() + 5) == .success)
    #expect(handler.closeCode.withLock { $0 } == [WebSocketConnection.slowConsumerCloseCode])
}

@Test func aReadingClientUnderTheLimitKeepsItsConnection() throws {
    let handler = FloodHandler()
    let (server, client) = try startFlood(limit: 64 * 1024 * 1024, handler)
    defer { server.stop() }
    var received = 0
    while received < 400, let frame = client.readFrame() {
        #expect(frame.payload.count == 64 * 1024)
        received += 1
    }
    #expect(received == 400)
    #expect(handler.closeCode.withLock { $0 }.isEmpty)
}
