import TestSupport
import WebSocketCodec

/// A blocking client of a plain WebSocket endpoint for live tests: the upgrade, masked frames out and
/// raw frames in (pings are not answered unless asked), so a test sees exactly what the server sent.
final class PlainWebSocketClient: @unchecked Sendable {
    typealias Frame = BlockingSocket.Frame
    let socket: BlockingSocket
    /// The upgrade answer's status (101 when switched).
    private(set) var status = 0

    init(port: Int, path: String = "/ws", headers: [String] = [], timeoutSeconds: Int = 5) throws {
        socket = try BlockingSocket.connect(port: port, timeoutSeconds: timeoutSeconds)
        let head = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + headers.map { $0 + "\r\n" }.joined() + "\r\n"
        _ = socket.send(head)
        if let answer = socket.readUntil([13, 10, 13, 10]) {
            let parts = String(decoding: answer, as: UTF8.self).split(separator: " ", maxSplits: 2)
            status = parts.count >= 2 ? Int(parts[1]) ?? 0 : 0
        }
    }

    func send(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true) {
        _ = socket.send(WebSocketFrameEncoder.encodeMasked(opcode: opcode, payload: payload, maskKey: 0x1234_5678, fin: fin))
    }
    func send(text: String) { send(.text, Array(text.utf8)) }
    func close(code: UInt16, reason: String) { send(.close, WebSocketFrameEncoder.closePayload(code: code, reason: reason)) }

    /// The next frame, or nil on EOF, reset or timeout.
    func frame() -> Frame? { socket.readFrame() }

    /// The next text or binary frame, skipping pings (unanswered) and pongs.
    func message() -> Frame? {
        while let frame = socket.readFrame() {
            if frame.opcode == 9 || frame.opcode == 10 { continue }
            return frame
        }
        return nil
    }

    /// Reads until the close frame: its code and reason (nil if the connection ended without one).
    func readClose() -> (code: UInt16, reason: String)? {
        while let frame = socket.readFrame() {
            if frame.opcode == 8, let code = frame.closeCode {
                return (code, String(decoding: frame.payload.dropFirst(2), as: UTF8.self))
            }
        }
        return nil
    }
}
