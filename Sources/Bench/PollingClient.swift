import Foundation
import Reactor

/// One full handshake over HTTP long-polling on a keep-alive connection: open (GET), CONNECT to `/`
/// (POST `40`), the CONNECT answer (GET), then a close packet (POST `1`) so the server can forget the
/// session. Confined to one loop; `onDone` gets nil on success or why it failed.
final class PollingClient {
    private let loop: EventLoop
    private let host: String
    private let port: Int
    private let path: String
    private var tcp: TCPConnection?
    private var step = 0
    private var sid = ""
    private var input: [UInt8] = []
    private var finished = false
    var onDone: ((String?) -> Void)?

    init(loop: EventLoop, host: String, port: Int, path: String) {
        self.loop = loop
        self.host = host
        self.port = port
        self.path = path
    }

    func start() {
        TCPConnection.connect(host: host, port: port, on: loop) { [self] result in
            switch result {
            case .failure(let error): finish("connect: \(error)")
            case .success(let connection):
                tcp = connection
                connection.onRead = { [unowned self] chunk in received(chunk) }
                connection.onClose = { [unowned self] reason in finish("connection closed (\(reason)) at step \(step)") }
                request("GET", query: "", body: nil)
            }
        }
    }

    private func request(_ method: String, query: String, body: String?) {
        var head = "\(method) \(path)?EIO=4&transport=polling\(query) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        if let body { head += "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: \(body.utf8.count)\r\n" }
        tcp?.write(Array((head + "\r\n" + (body ?? "")).utf8))
    }

    private func received(_ chunk: UnsafeRawBufferPointer) {
        input.append(contentsOf: chunk)
        guard let (status, body) = HTTPResponseScan.complete(&input) else { return }
        guard status == 200 else { return finish("HTTP \(status) at step \(step): \(String(decoding: body, as: UTF8.self))") }
        step += 1
        switch step {
        case 1:
            guard body.first == UInt8(ascii: "0"), let id = HTTPResponseScan.sid(in: body) else {
                return finish("bad open packet")
            }
            sid = id
            request("POST", query: "&sid=\(sid)", body: "40")
        case 2:
            request("GET", query: "&sid=\(sid)", body: nil)
        case 3:
            guard body.starts(with: Array("40".utf8)) else { return finish("no CONNECT answer") }
            request("POST", query: "&sid=\(sid)", body: "1")
        default:
            finish(nil)
        }
    }

    private func finish(_ failure: String?) {
        guard !finished else { return }
        finished = true
        let connection = tcp
        tcp = nil
        connection?.onClose = nil
        connection?.close()
        onDone?(failure)
    }
}

/// Just enough HTTP/1.1 response parsing for the polling handshake: status, Content-Length, body.
enum HTTPResponseScan {
    /// Removes and returns one complete response from the front of `buffer`, or nil if incomplete.
    static func complete(_ buffer: inout [UInt8]) -> (status: Int, body: [UInt8])? {
        guard let headEnd = buffer.withUnsafeBytes(httpHeadEnd) else { return nil }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.count >= 12,
              let status = Int(statusLine.dropFirst(9).prefix(3)) else { return (0, []) }
        var length = 0
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" {
                length = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
            }
        }
        guard buffer.count >= headEnd + length else { return nil }
        let body = Array(buffer[headEnd..<(headEnd + length)])
        buffer.removeFirst(headEnd + length)
        return (status, body)
    }

    /// The `"sid":"…"` value of an open packet.
    static func sid(in body: [UInt8]) -> String? {
        let text = String(decoding: body, as: UTF8.self)
        guard let start = text.range(of: "\"sid\":\"") else { return nil }
        let rest = text[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }
}
