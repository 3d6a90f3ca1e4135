import Foundation
import Glibc
import HTTP1
import Synchronization
@testable import HTTPServer
@testable import Reactor

/// A blocking TCP client for live tests.
final class RawClient: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, host: String = "127.0.0.1", timeout: Int = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &sin.sin_addr)
        let rc = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 { let e = errno; Glibc.close(fd); throw ReactorError.systemCall("connect", errno: e) }
    }

    deinit { Glibc.close(fd) }

    func send(_ text: String) { send(Array(text.utf8)) }
    func send(_ bytes: [UInt8]) {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            off += n
        }
    }

    /// Reads more into the buffer; false on EOF, error or timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { return false }
        buffer += chunk[0..<n]
        return true
    }

    func readBytes(_ count: Int) -> [UInt8]? {
        while buffer.count < count { if !fill() { return nil } }
        let out = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return out
    }

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Reads one response (Content-Length framed, or to EOF without one). nil on EOF/timeout first.
    func readResponse(headRequest: Bool = false) -> Response? {
        var end: Int? = nil
        while end == nil {
            if let r = findCRLFCRLF() { end = r; break }
            if !fill() { return nil }
        }
        let head = String(decoding: buffer[0..<end!], as: UTF8.self)
        buffer.removeFirst(end! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(name: String(line[..<colon]), value: String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        if status == 101 || status == 304 || status == 204 || headRequest { return Response(status: status, headers: headers, body: []) }
        if let length = headers["content-length"].flatMap(Int.init) {
            guard let body = readBytes(length) else { return nil }
            return Response(status: status, headers: headers, body: body)
        }
        while fill() {}
        let body = buffer
        buffer = []
        return Response(status: status, headers: headers, body: body)
    }

    private func findCRLFCRLF() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }

    /// True if the server closed the connection (EOF or reset) within the receive timeout.
    func waitForClose() -> Bool {
        while true {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }
}

/// A handler built from a closure.
final class ClosureHandler: HTTPRequestHandler, @unchecked Sendable {
    let body: (HTTPRequest, HTTPResponder) -> Void
    init(_ body: @escaping (HTTPRequest, HTTPResponder) -> Void) { self.body = body }
    func handle(_ request: HTTPRequest, responder: HTTPResponder) { body(request, responder) }
}

/// Starts a server on 127.0.0.1:0 with `configure`d options; stop it with `stop()`.
final class LiveServer: @unchecked Sendable {
    let group: EventLoopGroup
    let server: HTTPServer
    var port: Int { server.port }

    init(loops: Int = 2, configure: (inout HTTPServerOptions) -> Void = { _ in }, handler: any HTTPRequestHandler) throws {
        var options = HTTPServerOptions()
        options.host = "127.0.0.1"
        options.port = 0
        configure(&options)
        group = EventLoopGroup(loopCount: loops)
        server = HTTPServer(options: options, group: group, handler: handler)
        try server.start()
    }

    convenience init(loops: Int = 2, configure: (inout HTTPServerOptions) -> Void = { _ in },
                     _ body: @escaping (HTTPRequest, HTTPResponder) -> Void) throws {
        try self.init(loops: loops, configure: configure, handler: ClosureHandler(body))
    }

    func client() throws -> RawClient { try RawClient(port: port) }

    func stop() {
        server.stop()
        group.shutdown()
    }
}

func text(_ status: Int, _ body: String, _ headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
    var h = headers
    if h["content-type"] == nil { h.add(name: "Content-Type", value: "text/plain") }
    return HTTPResponse(status: status, headers: h, body: Array(body.utf8))
}
