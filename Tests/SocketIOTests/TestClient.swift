import Foundation
import Glibc
import Synchronization
import EngineIOParser
import SocketIOParser

/// One blocking HTTP/1.1 exchange per TCP connection (`Connection: close`): enough for polling.
enum TinyHTTP {
    struct Response { var status: Int; var body: [UInt8] }

    static func exchange(port: Int, method: String, target: String, body: [UInt8] = [],
                         headers: [String] = []) throws -> Response {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestClientError.io("socket") }
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestClientError.io("connect") }
        var request = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for header in headers { request += header + "\r\n" }
        if method == "POST" { request += "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: \(body.count)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8) + body
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestClientError.io("send") }
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += buffer[0..<n]
            if let response = parse(received) { return response }
        }
        guard let response = parse(received) else { throw TestClientError.io("incomplete response") }
        return response
    }

    /// A full response (by Content-Length), or nil while bytes are missing.
    static func parse(_ bytes: [UInt8]) -> Response? {
        let marker: [UInt8] = [13, 10, 13, 10]
        guard let end = (0...max(0, bytes.count - 4)).first(where: { bytes.count >= 4 && Array(bytes[$0..<$0 + 4]) == marker }) else {
            return nil
        }
        let head = String(decoding: bytes[0..<end], as: UTF8.self).split(separator: "\r\n")
        let status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var length = 0
        for line in head.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" {
                length = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
            }
        }
        let body = Array(bytes[(end + 4)...])
        guard body.count >= length else { return nil }
        return Response(status: status, body: Array(body.prefix(length)))
    }
}

enum TestClientError: Error { case io(String), protocolError(String), timeout(String) }

/// Runs blocking socket I/O on its own thread so tests do not tie up the (small) cooperative pool.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

extension TinyHTTP {
    static func exchange(port: Int, method: String, target: String, body: [UInt8] = []) async throws -> Response {
        try await offPool { try exchange(port: port, method: method, target: target, body: body, headers: []) }
    }
}

/// A Socket.IO client over Engine.IO long-polling, made from our codecs: a background thread polls,
/// answers pings and queues decoded Socket.IO packets for the test to await.
final class TestClient: @unchecked Sendable {
    let port: Int
    let path: String
    private(set) var sid = ""
    private struct State {
        var packets: [SocketPacket] = []
        var closed = false
        var decoder = SocketPacketDecoder()
    }
    private let state = Mutex(State())
    private let sendLock = Mutex(())

    init(port: Int, path: String = "/socket.io/") { self.port = port; self.path = path }

    /// Engine.IO handshake, then starts the polling thread. `query` (e.g. `&room=x`) is appended to the
    /// handshake URL and `headers` (`"Name: value"`) sent with it.
    func open(query: String = "", headers: [String] = []) async throws {
        let (port, path) = (self.port, self.path)
        let response = try await offPool {
            try TinyHTTP.exchange(port: port, method: "GET", target: "\(path)?EIO=4&transport=polling\(query)", headers: headers)
        }
        guard response.status == 200, let open = EnginePayload.decode(response.body).packets.first, open.type == .open,
              case .object(let info)? = try? JSONCodec.decode(Array((open.text ?? "").utf8)),
              case .string(let sid)? = info["sid"] else {
            throw TestClientError.protocolError("bad handshake: \(String(decoding: response.body, as: UTF8.self))")
        }
        self.sid = sid
        let thread = Thread { [self] in pollLoop() }
        thread.start()
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    private func pollLoop() {
        while !isClosed {
            guard let response = try? TinyHTTP.exchange(port: port, method: "GET", target: target()),
                  response.status == 200 else {
                state.withLock { $0.closed = true }
                return
            }
            for packet in EnginePayload.decode(response.body).packets {
                switch packet.type {
                case .ping: try? sendEngine([EnginePacket(.pong)])
                case .close: state.withLock { $0.closed = true }
                case .message: receive(packet.data)
                default: break
                }
            }
        }
    }

    private func receive(_ data: EnginePacketData) {
        state.withLock { state in
            let decoded: SocketPacket?
            switch data {
            case .text(let text): decoded = try? state.decoder.decode(text: text)
            case .binary(let bytes): decoded = try? state.decoder.decode(binary: bytes)
            case .none: decoded = nil
            }
            if let decoded { state.packets.append(decoded) }
        }
    }

    private func target() -> String { "\(path)?EIO=4&transport=polling&sid=\(sid)" }

    func sendEngine(_ packets: [EnginePacket]) throws {
        try sendLock.withLock { _ in
            let response = try TinyHTTP.exchange(port: port, method: "POST", target: target(),
                                                 body: EnginePayload.encode(packets))
            guard response.status == 200 else {
                throw TestClientError.protocolError("POST \(response.status): \(String(decoding: response.body, as: UTF8.self))")
            }
        }
    }

    /// Sends raw Socket.IO text (e.g. `0/custom,` or a deliberately broken packet).
    func sendRaw(_ text: String) async throws { try await offPool { try self.sendEngine([.message(text)]) } }

    func send(_ packet: SocketPacket) async throws {
        let encoded = SocketPacketEncoder.encode(packet)
        try await offPool { try self.sendEngine([.message(encoded.text)] + encoded.attachments.map { .message($0) }) }
    }

    func connect(_ namespace: String = "/", auth: JSONValue? = nil) async throws {
        try await send(SocketPacket(type: .connect, namespace: namespace, data: auth))
    }

    func emit(_ event: String, _ args: [JSONValue], namespace: String = "/", ackID: Int? = nil) async throws {
        try await send(SocketPacket(type: .event, namespace: namespace, data: .array([.string(event)] + args), id: ackID))
    }

    /// Waits for the first queued packet matching `predicate` and removes it.
    func next(timeout: Duration = .seconds(10), where predicate: @escaping @Sendable (SocketPacket) -> Bool = { _ in true })
        async throws -> SocketPacket {
        let deadline = ContinuousClock.now + timeout
        // Check once more after the deadline: on a busy machine the task may wake up late.
        while true {
            let found = state.withLock { state -> SocketPacket? in
                guard let index = state.packets.firstIndex(where: predicate) else { return nil }
                return state.packets.remove(at: index)
            }
            if let found { return found }
            guard ContinuousClock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestClientError.timeout("no matching packet within \(timeout)")
    }

    /// The next EVENT named `event` in `namespace`: its arguments and ack id.
    func nextEvent(_ event: String, namespace: String = "/", timeout: Duration = .seconds(10)) async throws -> (args: [JSONValue], id: Int?) {
        let packet = try await next(timeout: timeout) { packet in
            guard packet.type == .event || packet.type == .binaryEvent, packet.namespace == namespace,
                  case .array(let items)? = packet.data else { return false }
            return items.first == .string(event)
        }
        guard case .array(let items)? = packet.data else { return ([], packet.id) }
        return (Array(items.dropFirst()), packet.id)
    }

    /// Waits until the server ends the session (the poll fails or carries a close packet).
    func waitClosed(timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !isClosed {
            guard ContinuousClock.now < deadline else { throw TestClientError.timeout("session still open") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func close() {
        state.withLock { $0.closed = true }
        try? sendEngine([EnginePacket(.close)])
    }
}
