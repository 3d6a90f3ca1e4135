import Foundation
import TestSupport
import WebSocketCodec

/// A blocking raw client for live Engine.IO tests: an HTTP upgrade, then masked frames out and raw
/// frames in, so a test sees exactly what the server put on the wire (close codes included).
final class TestWebSocketClient {
    typealias Frame = BlockingSocket.Frame

    private let socket: BlockingSocket
    /// The status of the upgrade answer (101 when the server switched protocols).
    private(set) var status = 0

    /// Connects to `host` (IPv4 or IPv6 literal) and sends the upgrade for `target`.
    /// `earlyText` frames go out in the same write as the upgrade request, before any answer.
    init(port: Int, target: String, host: String = "127.0.0.1", extraHeaders: String = "", earlyText: [String] = []) throws {
        socket = try BlockingSocket.connect(host: host, port: port)
        var request = Array(("GET \(target) HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\(extraHeaders)\r\n").utf8)
        for text in earlyText {
            request += WebSocketFrameEncoder.encodeMasked(opcode: .text, payload: Array(text.utf8), maskKey: 0x0BAD_CAFE, fin: true)
        }
        socket.send(request)
        if let head = socket.readUntil([13, 10, 13, 10]) {
            let parts = String(decoding: head, as: UTF8.self).split(separator: " ", maxSplits: 2)
            status = parts.count >= 2 ? Int(parts[1]) ?? 0 : 0
        }
    }

    func send(_ bytes: [UInt8]) { socket.send(bytes) }

    func sendFrame(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true) {
        send(WebSocketFrameEncoder.encodeMasked(opcode: opcode, payload: payload, maskKey: 0x0BAD_CAFE, fin: fin))
    }

    func sendText(_ text: String) { sendFrame(.text, Array(text.utf8)) }

    /// The next frame, or nil on EOF, reset or timeout.
    func readFrame() -> Frame? { socket.readFrame() }

    /// The next text or binary frame, answering pings ("2") on the way; nil if the connection ends.
    func readMessage() -> Frame? {
        while let frame = readFrame() {
            if frame.opcode == 1, frame.payload == [UInt8(ascii: "2")] { sendText("3"); continue }
            if frame.opcode == 1 || frame.opcode == 2 || frame.opcode == 8 { return frame }
        }
        return nil
    }

    /// Reads until the server's close frame; returns its code (nil if the TCP connection ended without
    /// one) and whether the server ended the connection at all (false: the read timed out first).
    func readUntilClose() -> (code: UInt16?, messages: [Frame], ended: Bool) {
        var messages: [Frame] = []
        while let frame = readFrame() {
            if frame.opcode == 8 { return (frame.closeCode, messages, true) }
            messages.append(frame)
        }
        return (nil, messages, !socket.timedOut)
    }
}
