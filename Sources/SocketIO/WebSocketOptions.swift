/// Settings of one plain WebSocket endpoint (`io.webSocket(path, options:)`). Limits left nil take the
/// server's value from `ServerOptions`; permessage-deflate follows `ServerOptions.perMessageDeflate`.
public struct WebSocketOptions: Sendable {
    /// The largest message accepted (after reassembly and inflation); a larger one closes the
    /// connection with 1009. nil: `ServerOptions.maxHttpBufferSize`.
    public var maxMessageBytes: Int? = nil
    /// Slow-consumer policy: a peer whose unsent data passes this many bytes is dropped and reported
    /// with 1008. nil: `ServerOptions.maxBufferedBytes`.
    public var maxBufferedBytes: Int? = nil
    /// Connections open at once on this endpoint; extra upgrades get 503. nil: only the server's
    /// `maxConnections` (and `maxConnectionsPerAddress`) apply.
    public var maxConnections: Int? = nil
    /// Server pings to find peers that vanished without closing; nil (the default): none.
    public var heartbeat: WebSocketHeartbeat? = nil
    /// Browsers send `Origin` on every WebSocket and do not apply CORS to it, so a page on any site can
    /// open one to this endpoint with the user's cookies. With a list, an upgrade whose `Origin` is not
    /// in it (exact, e.g. `https://app.example`) gets 403; upgrades without `Origin` (not from a
    /// browser) are allowed. nil (the default): any origin.
    public var allowedOrigins: [String]? = nil
    /// Vetoes an upgrade (403), after the origin check: e.g. a token in the query.
    public var allowRequest: (@Sendable (IncomingRequest) -> Bool)? = nil

    public init() {}
}

/// Every `interval` the server pings each connection; one that has not answered with a pong within
/// `timeout` of the ping is closed (code 1001, reason `ping timeout`) without waiting for the peer.
/// Browsers and most clients answer pings by themselves.
public struct WebSocketHeartbeat: Sendable, Equatable {
    public var interval: Duration
    public var timeout: Duration

    public init(interval: Duration = .seconds(25), timeout: Duration = .seconds(20)) {
        self.interval = interval
        self.timeout = timeout
    }
}

/// Misuse of the WebSocket endpoint API, with what to do instead.
public enum WebSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An endpoint path must start with `/`.
    case invalidPath(String)
    /// Another endpoint, or the Socket.IO path (and the client files under it), already answers there.
    case pathInUse(String)
    /// `close(code:)` takes 1000–1003, 1007–1014 or 3000–4999 (RFC 6455 §7.4; 1005, 1006 and 1015 are
    /// only reported, never sent).
    case invalidCloseCode(UInt16)
    /// A close reason travels in a control frame: at most 123 bytes of UTF-8.
    case closeReasonTooLong(bytes: Int)
    /// A ping payload travels in a control frame: at most 125 bytes.
    case pingPayloadTooLong(bytes: Int)

    public var description: String {
        switch self {
        case .invalidPath(let path): "WebSocket endpoint path \"\(path)\" must start with /"
        case .pathInUse(let path): "\"\(path)\" is already served (by another WebSocket endpoint or the Socket.IO path); pick another path"
        case .invalidCloseCode(let code): "close code \(code) cannot be sent; use 1000, 1001–1003, 1007–1014 or 3000–4999"
        case .closeReasonTooLong(let bytes): "close reason is \(bytes) bytes of UTF-8; at most 123 fit in a close frame"
        case .pingPayloadTooLong(let bytes): "ping payload is \(bytes) bytes; at most 125 fit in a ping frame"
        }
    }
}
