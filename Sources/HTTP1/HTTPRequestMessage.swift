/// A complete request as the codec delivers it: head fields plus the whole body.
package struct HTTPRequestMessage: Sendable {
    package var method: String
    /// The raw request-target as sent.
    package var target: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    package var minorVersion: Int
    package var headers: HTTPHeaders
    package var body: [UInt8]
    /// Whether the connection may carry another request after this one's response.
    package var keepAlive: Bool

    package var versionString: String { "HTTP/1.\(minorVersion)" }

    /// RFC 7230 §6.3: HTTP/1.1 persists unless `Connection: close`; HTTP/1.0 only with `keep-alive`.
    static func keepAlive(minorVersion: Int, headers: HTTPHeaders) -> Bool {
        if headers.contains(name: "connection", token: "close") { return false }
        if minorVersion >= 1 { return true }
        return headers.contains(name: "connection", token: "keep-alive")
    }
}
