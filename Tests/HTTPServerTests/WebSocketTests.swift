import Deflate
import Foundation
import Synchronization
import Testing
import TestSupport
import HTTP1
import WebSocketCodec
@testable import HTTPServer
@testable import Reactor

/// Echoes every message and records what happened.
final class EchoSocketHandler: WebSocketHandler, @unchecked Sendable {
    /// What a "broadcast" message makes the handler send as a prepared frame: over the deflate threshold.
    static let prepared = Array(String(repeating: "prepared ", count: 200).utf8)
    let closeCode = Mutex<[UInt16?]>([])
    let closed = DispatchSemaphore(value: 0)
    func webSocket(_ socket: WebSocketConnection, didReceive message: WebSocketMessage) {
        switch message {
        case .text(let bytes):
            if bytes == Array("broadcast".utf8) {
                socket.send(preparedFrame: WebSocketConnection.prepareFrame(text: EchoSocketHandler.prepared))
            } else if bytes == Array("bye".utf8) {
                socket.close(code: 4000, reason: "bye")
            } else {
                socket.send(text: String(decoding: bytes, as: UTF8.self))
            }
        case .binary(let bytes):
            socket.send(binary: bytes)
        }
    }
    func webSocketDidClose(_ socket: WebSocketConnection, code: UInt16?) {
        closeCode.withLock { $0.append(code) }
        closed.signal()
    }
}

extension BlockingSocket {
    func sendFrame(_ opcode: WebSocketOpcode, _ payload: [UInt8], rsv1: Bool = false) {
        var frame = WebSocketFrameEncoder.encodeMasked(opcode: opcode, payload: payload, maskKey: 0x1234_5678)
        if rsv1 { frame[0] |= 0x40 }
        send(frame)
    }
}

let upgradeRequest = "GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"

@Suite struct WebSocketTests {
    func startServer(_ handler: EchoSocketHandler, deflate: Bool = false, maxMessageBytes: Int = 1000) throws -> LiveServer {
        try LiveServer(configure: { $0.perMessageDeflate = deflate; $0.maxWebSocketMessageBytes = maxMessageBytes }) { request, responder in
            guard request.isWebSocketUpgrade else {
                responder.send(text(200, "plain"))
                return
            }
            _ = responder.upgradeToWebSocket(handler: handler, extraHeaders: ["X-Extra": "1"])
        }
    }

    @Test func upgradeEchoPingAndCloseHandshake() throws {
        let handler = EchoSocketHandler()
        let server = try startServer(handler)
        defer { server.stop() }
        let client = try server.client()
        client.send(upgradeRequest + "\r\n")
        let response = client.readResponse()
        #expect(response?.status == 101)
        #expect(response?.headers["sec-websocket-accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(response?.headers["x-extra"] == "1")
        #expect(response?.headers["sec-websocket-extensions"] == nil)

        client.sendFrame(.text, Array("hello".utf8))
        #expect(client.readFrame() == .init(fin: true, rsv1: false, opcode: 1, payload: Array("hello".utf8)))
        let big = (0..<700).map { UInt8($0 % 256) }
        client.sendFrame(.binary, big)
        #expect(client.readFrame()?.payload == big)
        client.sendFrame(.ping, [1, 2, 3])
        #expect(client.readFrame() == .init(fin: true, rsv1: false, opcode: 0xA, payload: [1, 2, 3]))
        client.sendFrame(.text, Array("broadcast".utf8))
        #expect(client.readFrame()?.payload == EchoSocketHandler.prepared)
        client.sendFrame(.close, WebSocketFrameEncoder.closePayload(code: 1000, reason: "done"))
        let close = client.readFrame()
        #expect(close?.opcode == 8)
        #expect(close?.payload.prefix(2) == [0x03, 0xE8])
        #expect(client.waitForClose())
        #expect(handler.closed.wait(timeout: .now() + 3) == .success)
        #expect(handler.closeCode.withLock { $0 } == [1000])
    }

    @Test func framesSentRightBehindTheUpgradeAreNotLost() throws {
        let handler = EchoSocketHandler()
        let server = try startServer(handler)
        defer { server.stop() }
        let client = try server.client()
        client.send(Array((upgradeRequest + "\r\n").utf8)
            + WebSocketFrameEncoder.encodeMasked(opcode: .text, payload: Array("early".utf8), maskKey: 7))
        #expect(client.readResponse()?.status == 101)
        #expect(client.readFrame()?.payload == Array("early".utf8))
    }

    @Test func serverInitiatedCloseAndProtocolErrors() throws {
        let handler = EchoSocketHandler()
        let server = try startServer(handler)
        defer { server.stop() }
        let a = try server.client()
        a.send(upgradeRequest + "\r\n")
        #expect(a.readResponse()?.status == 101)
        a.sendFrame(.text, Array("bye".utf8))
        let close = a.readFrame()
        #expect(close?.opcode == 8)
        #expect(close?.payload.prefix(2) == [0x0F, 0xA0])
        #expect(a.waitForClose())

        let b = try server.client()
        b.send(upgradeRequest + "\r\n")
        #expect(b.readResponse()?.status == 101)
        b.send(WebSocketFrameEncoder.encode(opcode: .text, payload: Array("unmasked".utf8)))
        let protocolClose = b.readFrame()
        #expect(protocolClose?.opcode == 8)
        #expect(protocolClose?.payload.prefix(2) == [0x03, 0xEA]) // 1002
        #expect(b.waitForClose())

        let c = try server.client()
        c.send(upgradeRequest + "\r\n")
        #expect(c.readResponse()?.status == 101)
        c.sendFrame(.binary, [UInt8](repeating: 1, count: 1001))
        #expect(c.readFrame()?.payload.prefix(2) == [0x03, 0xF1]) // 1009
        #expect(c.waitForClose())

        for _ in 0..<3 { _ = handler.closed.wait(timeout: .now() + 3) }
        #expect(handler.closeCode.withLock { $0 }.sorted { ($0 ?? 0) < ($1 ?? 0) } == [1002, 1009, 4000])
    }

    /// The connection is dead once we sent 1002: the handler must hear it then, not when a peer that
    /// never answers the close frame finally goes (the linger time, 2 s), or an Engine.IO session on
    /// top keeps the socket "connected" meanwhile and reports "ping timeout" instead of "transport error".
    @Test func protocolErrorIsReportedWithoutWaitingForThePeer() throws {
        let handler = EchoSocketHandler()
        let server = try startServer(handler)
        defer { server.stop() }
        let client = try server.client()
        client.send(upgradeRequest + "\r\n")
        #expect(client.readResponse()?.status == 101)
        client.send(WebSocketFrameEncoder.encode(opcode: .text, payload: Array("unmasked".utf8)))
        #expect(client.readFrame()?.payload.prefix(2) == [0x03, 0xEA]) // 1002
        // The client stays silent and keeps its side open.
        #expect(handler.closed.wait(timeout: .now() + 1.2) == .success)
        #expect(handler.closeCode.withLock { $0 } == [1002])
        withExtendedLifetime(client) {}
    }

    @Test func tcpDropWithoutCloseFrameReportsNil() throws {
        let handler = EchoSocketHandler()
        let server = try startServer(handler)
        defer { server.stop() }
        do {
            let client = try server.client()
            client.send(upgradeRequest + "\r\n")
            #expect(client.readResponse()?.status == 101)
        }
        #expect(handler.closed.wait(timeout: .now() + 3) == .success)
        #expect(handler.closeCode.withLock { $0 } == [nil])
    }

    @Test func badHandshakesAreRefused() throws {
        let server = try startServer(EchoSocketHandler())
        defer { server.stop() }
        let old = try server.client()
        old.send(upgradeRequest.replacingOccurrences(of: "Version: 13", with: "Version: 12") + "\r\n")
        let refused = old.readResponse()
        #expect(refused?.status == 426)
        #expect(refused?.headers["sec-websocket-version"] == "13")
        #expect(old.waitForClose())
        let noKey = try server.client()
        noKey.send("GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n")
        #expect(noKey.readResponse()?.status == 400)
    }

    @Test func perMessageDeflateIsNegotiatedAndUsedBothWays() throws {
        let handler = EchoSocketHandler()
        let server = try startServer(handler, deflate: true, maxMessageBytes: 1 << 16)
        defer { server.stop() }
        let client = try server.client()
        client.send(upgradeRequest + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
        let response = client.readResponse()
        #expect(response?.status == 101)
        #expect(response?.headers["sec-websocket-extensions"]?.hasPrefix("permessage-deflate") == true)

        // Over Node's 1 KiB threshold, so the echo is deflated too.
        let message = Array(String(repeating: "compress me ", count: 100).utf8)
        let deflater = RawDeflater(windowBits: 15)
        var compressed = deflater.compress(message)
        compressed.removeLast(4) // RFC 7692 §7.2.1: drop the 00 00 FF FF tail
        client.sendFrame(.text, compressed, rsv1: true)
        let echoed = client.readFrame()
        #expect(echoed?.rsv1 == true)
        let inflater = RawInflater(windowBits: 15)
        #expect(echoed.flatMap { inflater.decompress($0.payload + [0, 0, 0xFF, 0xFF], maxOutput: 1 << 16) } == message)

        client.sendFrame(.text, Array("broadcast".utf8))
        let prepared = client.readFrame()
        #expect(prepared?.rsv1 == true)
        #expect(prepared.flatMap { inflater.decompress($0.payload + [0, 0, 0xFF, 0xFF], maxOutput: 1 << 16) } == EchoSocketHandler.prepared)

        // Under the threshold a message goes out plain, as Node's engine.io does.
        client.sendFrame(.text, Array("small".utf8))
        let small = client.readFrame()
        #expect(small?.rsv1 == false)
        #expect(small?.payload == Array("small".utf8))
    }
}
