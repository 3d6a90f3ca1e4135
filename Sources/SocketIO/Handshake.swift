import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HTTP1
import HTTPServer
import SocketIOParser

/// What the client sent when it connected, as Node's `socket.handshake`.
public struct Handshake: Sendable {
    /// Request headers with lowercased names; repeated headers are joined with ", ".
    public var headers: [String: String]
    /// Query parameters of the Engine.IO handshake request (the first value of each name).
    public var query: [String: String]
    /// Every value of each query parameter, in order: Node gives an array for a repeated name.
    public var queryValues: [String: [String]] = [:]
    /// The `auth` object from the namespace CONNECT packet (an empty object when none was sent).
    public var auth: JSONValue
    /// The peer's IP address.
    public var address: String
    /// When the handshake happened, formatted like JavaScript's `Date.toString()`.
    public var time: String
    /// When the handshake happened, in milliseconds since 1970.
    public var issued: Int
    /// The request target of the handshake, e.g. `/socket.io/?EIO=4&transport=polling`.
    public var url: String
    /// True when the connection is encrypted (this server speaks plain HTTP, so behind a TLS proxy
    /// it reflects `X-Forwarded-Proto: https`).
    public var secure: Bool
    /// True when the request came from another origin (it carried an `Origin` header).
    public var xdomain: Bool

    public init(headers: [String: String] = [:], query: [String: String] = [:], auth: JSONValue = .null,
                address: String = "", time: String = "", issued: Int = 0, url: String = "",
                secure: Bool = false, xdomain: Bool = false) {
        self.headers = headers; self.query = query; self.auth = auth; self.address = address
        self.time = time; self.issued = issued; self.url = url; self.secure = secure; self.xdomain = xdomain
    }

    init(request: HTTPRequest, auth: JSONValue?, now: Date = Date()) {
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.lowercased()
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        var query: [String: String] = [:]
        let items = request.queryItems.isEmpty ? (try? HTTPTarget.parse(request.target).queryItems) ?? [] : request.queryItems
        var values: [String: [String]] = [:]
        for item in items {
            if query[item.name] == nil { query[item.name] = item.value }
            values[item.name, default: []].append(item.value)
        }
        self.init(headers: headers, query: query, auth: auth ?? .object(JSONObject()),
                  address: request.remoteAddress, time: Handshake.format(now),
                  issued: Int((now.timeIntervalSince1970 * 1000).rounded()), url: request.target,
                  secure: headers["x-forwarded-proto"]?.lowercased() == "https",
                  xdomain: headers["origin"] != nil)
        queryValues = values
    }

    /// `Date.toString()` in UTC, built by hand: a DateFormatter per connection costs more than the rest
    /// of the handshake.
    static func format(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]) \(months[Int(parts.tm_mon)]) \(two(parts.tm_mday)) \(1900 + parts.tm_year) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT+0000 (Coordinated Universal Time)"
    }
}
