import Foundation
import HTTP1
import Synchronization
import TestSupport
@testable import HTTPServer
@testable import Reactor

extension BlockingSocket {
    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Reads one response (Content-Length framed, or to EOF without one). nil on EOF/timeout first.
    func readResponse(headRequest: Bool = false) -> Response? {
        guard let headBytes = readUntil([13, 10, 13, 10]) else { return nil }
        var lines = String(decoding: headBytes, as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(name: String(line[..<colon]), value: String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        if status == 101 || status == 304 || status == 204 || headRequest { return Response(status: status, headers: headers, body: []) }
        if let length = headers["content-length"].flatMap(Int.init) {
            guard let body = read(length) else { return nil }
            return Response(status: status, headers: headers, body: body)
        }
        return Response(status: status, headers: headers, body: readToEnd())
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

    func client() throws -> BlockingSocket { try BlockingSocket.connect(port: port) }

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
