import Foundation
import Glibc
import WebSocketCodec

/// A blocking raw client for live Engine.IO tests: an HTTP upgrade, then masked frames out and raw
/// frames in, so a test sees exactly what the server put on the wire (close codes included).
final class TestWebSocketClient {
    struct Frame {
        var opcode: UInt8
        var payload: [UInt8]
        /// RSV1: set on a permessage-deflate compressed message.
        var compressed = false
        var text: String { String(decoding: payload, as: UTF8.self) }
        /// The close code of a close frame, nil for other frames or an empty close.
        var closeCode: UInt16? {
            guard opcode == 8, payload.count >= 2 else { return nil }
            return UInt16(payload[0]) << 8 | UInt16(payload[1])
        }
    }

    let fd: Int32
    private var buffer: [UInt8] = []
    /// The status of the upgrade answer (101 when the server switched protocols).
    private(set) var status = 0

    /// Connects to `host` (IPv4 or IPv6 literal) and sends the upgrade for `target`.
    /// `earlyText` frames go out in the same write as the upgrade request, before any answer.
    init(port: Int, target: String, host: String = "127.0.0.1", extraHeaders: String = "", earlyText: [String] = []) throws {
        fd = try TestWebSocketClient.connect(host: host, port: port, timeoutSeconds: 5)
        var request = Array(("GET \(target) HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\(extraHeaders)\r\n").utf8)
        for text in earlyText {
            request += WebSocketFrameEncoder.encodeMasked(opcode: .text, payload: Array(text.utf8), maskKey: 0x0BAD_CAFE, fin: true)
        }
        send(request)
        status = readStatus() ?? 0
    }

    deinit { Glibc.close(fd) }

    static func connect(host: String, port: Int, timeoutSeconds: Int) throws -> Int32 {
        var storage = sockaddr_storage()
        let length: Int
        if host.contains(":") {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET6, host, &sin6.sin6_addr)
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: sin6) { raw.copyMemory(from: $0) } }
            length = MemoryLayout<sockaddr_in6>.size
        } else {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, host, &sin.sin_addr)
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: sin) { raw.copyMemory(from: $0) } }
            length = MemoryLayout<sockaddr_in>.size
        }
        let fd = socket(Int32(storage.ss_family), Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(length)) }
        }
        guard rc == 0 else { let e = errno; Glibc.close(fd); throw TestSocket.Failure.connect(e) }
        return fd
    }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    func sendFrame(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true) {
        send(WebSocketFrameEncoder.encodeMasked(opcode: opcode, payload: payload, maskKey: 0x0BAD_CAFE, fin: fin))
    }

    func sendText(_ text: String) { sendFrame(.text, Array(text.utf8)) }

    /// The next frame, or nil on EOF, reset or timeout.
    func readFrame() -> Frame? {
        guard let head = read(2) else { return nil }
        var length = Int(head[1] & 0x7F)
        if length == 126 {
            guard let b = read(2) else { return nil }
            length = Int(b[0]) << 8 | Int(b[1])
        } else if length == 127 {
            guard let b = read(8) else { return nil }
            length = b.reduce(0) { $0 << 8 | Int($1) }
        }
        guard let payload = read(length) else { return nil }
        return Frame(opcode: head[0] & 0x0F, payload: payload, compressed: head[0] & 0x40 != 0)
    }

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
        return (nil, messages, !timedOut)
    }

    private func readStatus() -> Int? {
        while true {
            if let end = buffer.firstRange(of: [13, 10, 13, 10]) {
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                buffer.removeSubrange(..<end.upperBound)
                let parts = head.split(separator: " ", maxSplits: 2)
                return parts.count >= 2 ? Int(parts[1]) : nil
            }
            guard fill() else { return nil }
        }
    }

    private func read(_ count: Int) -> [UInt8]? {
        while buffer.count < count { guard fill() else { return nil } }
        defer { buffer.removeFirst(count) }
        return Array(buffer[..<count])
    }

    /// Set when a read ran into the receive timeout rather than the end of the connection.
    private var timedOut = false

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0, errno == EAGAIN || errno == EWOULDBLOCK { timedOut = true }
        guard n > 0 else { return false }
        buffer += chunk[..<n]
        return true
    }
}
