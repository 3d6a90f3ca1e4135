// CONTRACT (transport helper implements; may add API, must keep these signatures).
import HTTP1

/// A complete request as the handler sees it.
package struct HTTPRequest: Sendable {
    package var method: String
    /// The raw request-target, e.g. `/socket.io/?EIO=4&transport=polling`.
    package var target: String
    /// The percent-decoded path, without the query.
    package var path: String
    /// Percent-decoded query items in order (`+` is a space).
    package var queryItems: [(name: String, value: String)]
    package var headers: HTTPHeaders
    package var body: [UInt8]
    /// The peer's IP address, e.g. `127.0.0.1` or `::1`.
    package var remoteAddress: String
    /// True for a GET that carries a valid RFC 6455 upgrade (the server has already checked version 13,
    /// the key and the `Connection`/`Upgrade` tokens, and answered 400/426 to bad ones).
    package var isWebSocketUpgrade: Bool

    package init(method: String, target: String, path: String, queryItems: [(name: String, value: String)],
                 headers: HTTPHeaders, body: [UInt8], remoteAddress: String, isWebSocketUpgrade: Bool) {
        self.method = method; self.target = target; self.path = path; self.queryItems = queryItems
        self.headers = headers; self.body = body; self.remoteAddress = remoteAddress
        self.isWebSocketUpgrade = isWebSocketUpgrade
    }

    /// The first value of the query item `name`.
    package func query(_ name: String) -> String? { queryItems.first { $0.name == name }?.value }
}

package struct HTTPResponse: Sendable {
    package var status: Int
    package var headers: HTTPHeaders
    package var body: [UInt8]
    /// The server may gzip the body when the request accepts gzip and the body reaches the threshold.
    package var compressible: Bool

    package init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], compressible: Bool = false) {
        self.status = status; self.headers = headers; self.body = body; self.compressible = compressible
    }
}
