import Foundation
import TestSupport

/// A minimal blocking HTTP/1.1 client for live tests: one request per connection, `Connection: close`.
struct TestHTTPClient {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct Malformed: Error { var reason: String }

    let port: Int

    func get(_ target: String, headers: [String: String] = [:]) throws -> Response {
        try request("GET", target, headers: headers, body: [])
    }

    func post(_ target: String, body: String, headers: [String: String] = [:]) throws -> Response {
        try request("POST", target, headers: headers, body: Array(body.utf8))
    }

    func request(_ method: String, _ target: String, headers: [String: String], body: [UInt8]) throws -> Response {
        let socket = try BlockingSocket.connect(port: port)
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try socket.write(Array(head.utf8) + body)
        let raw = socket.readToEnd()
        if socket.timedOut { throw BlockingSocket.Failure.timeout }
        return try Self.parse(raw)
    }

    static func parse(_ raw: [UInt8]) throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = raw.firstRange(of: separator) else { throw Malformed(reason: "no header end") }
        let head = String(decoding: raw[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Malformed(reason: head[0]) }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: status, headers: headers, body: Array(raw[end.upperBound...]))
    }
}
