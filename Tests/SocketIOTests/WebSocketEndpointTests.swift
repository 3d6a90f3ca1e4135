import Foundation
import Synchronization
import Testing
@testable import SocketIO

/// The plain WebSocket endpoint against a raw client: what the handlers hear and what reaches the wire.
@Suite(.serialized) struct WebSocketEndpointTests {
    /// A server with an echo endpoint at /ws; every close is recorded as "code reason".
    func withEchoEndpoint(_ configure: (inout WebSocketOptions) -> Void = { _ in },
                          server: (inout ServerOptions) -> Void = { _ in },
                          _ body: (SocketIOServer, WebSocketEndpoint, Recorder<String>, Int) async throws -> Void) async throws {
        var options = WebSocketOptions()
        configure(&options)
        let closes = Recorder<String>()
        let endpoint = Mutex<WebSocketEndpoint?>(nil)
        try await withServer(server, { io in
            let made = try io.webSocket("/ws", options: options) { ws in
                ws.onMessage { message in
                    switch message {
                    case .text(let text): ws.send(text: text)
                    case .binary(let bytes): ws.send(binary: bytes)
                    }
                }
                ws.onClose { code, reason in closes.record("\(code) \(reason)") }
            }
            endpoint.withLock { $0 = made }
        }) { io, port in
            try await body(io, endpoint.withLock { $0! }, closes, port)
        }
    }

    @Test func echoesTextAndBinaryAndHearsTheClientsClose() async throws {
        try await withEchoEndpoint { _, endpoint, closes, port in
            let client = try PlainWebSocketClient(port: port)
            #expect(client.status == 101)
            let frames = try await offPool {
                client.send(text: "héllo")
                let text = client.message()
                client.send(.binary, [0, 1, 255])
                let binary = client.message()
                client.close(code: 4000, reason: "done here")
                return (text, binary, client.frame())
            }
            #expect(frames.0 == .init(opcode: 1, payload: Array("héllo".utf8)))
            #expect(frames.1 == .init(opcode: 2, payload: [0, 1, 255]))
            #expect(frames.2?.closeCode == 4000)  // echoed
            try await eventually { closes.all == ["4000 done here"] }
            try await eventually { endpoint.connectionCount == 0 }
        }
    }

    @Test func aClosedConnectionIsReleased() async throws {
        final class Weak: @unchecked Sendable { weak var socket: WebSocket? }
        let weak = Weak()
        try await withEchoEndpoint { _, endpoint, closes, port in
            let client = try PlainWebSocketClient(port: port)
            try await eventually { endpoint.connectionCount == 1 }
            weak.socket = endpoint.connections.first
            #expect(weak.socket != nil)
            client.close(code: 1000, reason: "")
            try await eventually { closes.all == ["1000 "] }
            // Its handlers captured it; closing dropped them, so nothing holds it any more.
            try await eventually { weak.socket == nil }
        }
    }

    @Test func broadcastFromAnyThreadReachesEveryConnectionButTheExcepted() async throws {
        try await withEchoEndpoint { _, endpoint, _, port in
            let clients = try (0..<4).map { _ in try PlainWebSocketClient(port: port) }
            try await eventually { endpoint.connectionCount == 4 }
            let excepted = try #require(endpoint.connections.first)
            endpoint.broadcast(text: "to all but one", except: excepted)
            endpoint.broadcast(binary: [7, 7, 7])
            endpoint.broadcast(text: "end")
            let received = try await offPool {
                clients.map { client in
                    var frames: [PlainWebSocketClient.Frame] = []
                    while let frame = client.message(), frame.text != "end" { frames.append(frame) }
                    return frames
                }
            }
            let text = PlainWebSocketClient.Frame(opcode: 1, payload: Array("to all but one".utf8))
            let binary = PlainWebSocketClient.Frame(opcode: 2, payload: [7, 7, 7])
            #expect(received.filter { $0 == [text, binary] }.count == 3)
            #expect(received.filter { $0 == [binary] }.count == 1)
        }
    }

    @Test func broadcastsKeepTheirOrderWhileConnectionsComeAndGo() async throws {
        try await withEchoEndpoint({ _ in }, server: { $0.loops = 2 }) { _, endpoint, _, port in
            let stable = try (0..<3).map { _ in try PlainWebSocketClient(port: port) }
            try await eventually { endpoint.connectionCount == 3 }
            let count = 300
            // Churn on other threads: connections opening and closing (some without a close frame).
            let churned = Atomic<Bool>(false)
            let churn = Thread {
                for round in 0..<40 {
                    guard let client = try? PlainWebSocketClient(port: port) else { continue }
                    if round % 2 == 0 { client.close(code: 1000, reason: "") } else { client.socket.close() }
                }
                churned.store(true, ordering: .releasing)
            }
            churn.start()
            for index in 0..<count { endpoint.broadcast(text: "\(index)") }
            let received = try await offPool {
                stable.map { client in (0..<count).compactMap { _ in client.message()?.text } }
            }
            let expected = (0..<count).map { "\($0)" }
            #expect(received.allSatisfy { $0 == expected })
            try await eventually { churned.load(ordering: .acquiring) && endpoint.connectionCount == 3 }
        }
    }

    @Test func misuseThrowsTypedErrors() async throws {
        try await withEchoEndpoint { io, endpoint, _, port in
            #expect(throws: WebSocketError.invalidPath("ws")) { try io.webSocket("ws") { _ in } }
            #expect(throws: WebSocketError.pathInUse("/ws")) { try io.webSocket("/ws") { _ in } }
            #expect(throws: WebSocketError.pathInUse("/socket.io")) { try io.webSocket("/socket.io") { _ in } }
            #expect(throws: WebSocketError.pathInUse("/socket.io/x")) { try io.webSocket("/socket.io/x") { _ in } }
            let client = try PlainWebSocketClient(port: port)
            try await eventually { endpoint.connectionCount == 1 }
            let ws = try #require(endpoint.connections.first)
            #expect(throws: WebSocketError.invalidCloseCode(1006)) { try ws.close(code: 1006) }
            #expect(throws: WebSocketError.invalidCloseCode(5000)) { try ws.close(code: 5000) }
            #expect(throws: WebSocketError.closeReasonTooLong(bytes: 124)) { try ws.close(reason: String(repeating: "r", count: 124)) }
            #expect(throws: WebSocketError.pingPayloadTooLong(bytes: 126)) { try ws.ping(Array(repeating: 1, count: 126)) }
            #expect(ws.isOpen)
            // The largest of each still goes out, from this (non-loop) thread.
            try ws.ping(Array(repeating: 1, count: 125))
            try ws.close(code: 3000, reason: String(repeating: "é", count: 61) + "x")
            #expect(!ws.isOpen)
            let frames = try await offPool { (client.frame(), client.readClose()) }
            #expect(frames.0 == .init(opcode: 9, payload: Array(repeating: 1, count: 125)))
            #expect(frames.1?.code == 3000)
            #expect(frames.1?.reason == String(repeating: "é", count: 61) + "x")
        }
    }

    @Test func messageAtTheLimitPassesAndOneByteMoreCloses1009() async throws {
        try await withEchoEndpoint({ $0.maxMessageBytes = 1000 }) { _, _, closes, port in
            let client = try PlainWebSocketClient(port: port)
            let (echo, close) = try await offPool {
                client.send(.binary, Array(repeating: 1, count: 1000))
                let echo = client.message()
                client.send(.binary, Array(repeating: 2, count: 1001))
                return (echo, client.readClose())
            }
            #expect(echo?.payload.count == 1000)
            #expect(close?.code == 1009)
            try await eventually { closes.all == ["1009 message exceeds the 1000-byte limit"] }
        }
    }

    @Test func heartbeatClosesAPeerThatDoesNotPong() async throws {
        try await withEchoEndpoint({ $0.heartbeat = WebSocketHeartbeat(interval: .milliseconds(100), timeout: .milliseconds(300)) }) { _, endpoint, closes, port in
            let silent = try PlainWebSocketClient(port: port)
            let answering = try PlainWebSocketClient(port: port)
            // Answers every ping for a while, so it outlives several deadlines.
            let answered = try await offPool {
                var pongs = 0
                while pongs < 6, let frame = answering.frame() {
                    if frame.opcode == 9 { answering.send(.pong, frame.payload); pongs += 1 }
                }
                return pongs
            }
            #expect(answered == 6)
            try await eventually { closes.all == ["1001 ping timeout"] }
            let close = try await offPool { silent.readClose() }
            #expect(close?.code == 1001)
            #expect(endpoint.connectionCount == 1)
        }
    }

    @Test func maxConnectionsRefusesOnePastTheLimitAndFreesSlots() async throws {
        try await withEchoEndpoint({ $0.maxConnections = 2 }) { _, endpoint, _, port in
            let first = try PlainWebSocketClient(port: port)
            let second = try PlainWebSocketClient(port: port)
            #expect([first.status, second.status] == [Int]([101, 101]))
            let third = try PlainWebSocketClient(port: port)
            #expect(third.status == 503)
            first.close(code: 1000, reason: "")
            try await eventually { endpoint.connectionCount == 1 }
            let again = try PlainWebSocketClient(port: port)
            #expect(again.status == 101)
        }
    }

    @Test func originCheckAndAllowRequest() async throws {
        try await withEchoEndpoint({ options in
            options.allowedOrigins = ["https://app.example"]
            options.allowRequest = { $0.query("token") != "bad" }
        }) { _, _, _, port in
            let statuses = try [
                PlainWebSocketClient(port: port, headers: ["Origin: https://app.example"]),
                PlainWebSocketClient(port: port, headers: ["Origin: https://evil.example"]),
                PlainWebSocketClient(port: port),
                PlainWebSocketClient(port: port, path: "/ws?token=bad"),
                PlainWebSocketClient(port: port, path: "/elsewhere"),
            ].map(\.status)
            #expect(statuses == [Int]([101, 403, 101, 403, 404]))
        }
    }

    @Test func serverCloseTellsEveryConnection() async throws {
        let closes = Recorder<String>()
        var options = ServerOptions()
        options.loops = 2
        let io = SocketIOServer(options)
        try io.webSocket("/ws") { ws in ws.onClose { code, reason in closes.record("\(code) \(reason)") } }
        let port = try io.listen(host: "127.0.0.1", port: 0)
        let clients = try (0..<3).map { _ in try PlainWebSocketClient(port: port) }
        await io.close()
        #expect(closes.all == Array(repeating: "1001 server shutting down", count: 3))
        let codes = try await offPool { clients.map { $0.readClose()?.code } }
        #expect(codes == [1001, 1001, 1001])
    }
}
