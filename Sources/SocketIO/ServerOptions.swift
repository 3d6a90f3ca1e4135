import Foundation
import EngineIO
import HTTPServer

/// A transport the client may use.
public enum Transport: String, Sendable {
    case polling, websocket
}

/// Cross-origin settings for the Engine.IO endpoint.
public struct CORS: Sendable {
    /// Allowed origins; `["*"]` allows any (echoed back when `credentials` is true).
    public var origins: [String]
    public var credentials: Bool
    public var methods: [String] = ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"]
    public var allowedHeaders: [String]? = nil

    public init(origins: [String], credentials: Bool = false) {
        self.origins = origins
        self.credentials = credentials
    }

    /// Any origin, without credentials.
    public static let anyOrigin = CORS(origins: ["*"])
}

/// Server settings, named and defaulted like Node's `new Server(options)`.
public struct ServerOptions: Sendable {
    /// Where the Engine.IO endpoint lives.
    public var path = "/socket.io/"
    public var pingInterval: Duration = .seconds(25)
    public var pingTimeout: Duration = .seconds(20)
    public var upgradeTimeout: Duration = .seconds(10)
    /// The largest message (and polling request body) accepted, in bytes.
    public var maxHttpBufferSize = 1_000_000
    /// A session that has joined no namespace within this is closed.
    public var connectTimeout: Duration = .seconds(45)
    public var transports: [Transport] = [.polling, .websocket]
    public var allowUpgrades = true
    public var cors: CORS? = nil
    /// Vetoes a handshake (answered 403); gets the handshake request.
    public var allowRequest: (@Sendable (IncomingRequest) -> Bool)? = nil
    /// Serve the stock browser client (the socket.io-client `dist/` files found in `clientDirectory`) at
    /// `<path>socket.io.js`, `<path>socket.io.min.js`, ..., like Node's `serveClient`.
    public var serveClient = true
    /// Where the client's files are; relative to the working directory. See `SocketIOServer.clientBundle`.
    public var clientDirectory = "vendor/client"
    /// RFC 7692 compression of WebSocket messages.
    public var perMessageDeflate = false
    /// gzip polling responses of 1 KiB and more when the client accepts it.
    public var httpCompression = true
    /// Event loop threads; one per core by default.
    public var loops = ProcessInfo.processInfo.activeProcessorCount
    /// Slow-consumer policy: a WebSocket client whose unsent data passes this many bytes is
    /// disconnected (`transport error`) rather than buffered without bound.
    public var maxBufferedBytes = 16 * 1024 * 1024
    /// TCP connections held at once (HTTP and WebSocket); extra ones get 503 and are closed.
    public var maxConnections = 10_000
    /// TCP connections at once from one remote address; extra ones get 503 and are closed. nil (the
    /// default): no limit, as clients behind one NAT or proxy share an address.
    public var maxConnectionsPerAddress: Int? = nil
    /// Engine.IO handshakes per second from one remote address; extra ones get 429 with
    /// `{"code":4,...}`. nil (the default): no limit.
    public var maxHandshakesPerSecondPerAddress: Int? = nil
    /// Engine.IO sessions open at once; extra handshakes get 503 with `{"code":4,...}`. Polling
    /// sessions hold no connection between polls, so `maxConnections` alone does not bound them.
    public var maxSessions = 100_000
    /// Request line plus headers; larger heads get 431.
    public var maxHeaderBytes = 16 * 1024
    /// A request head must arrive within this (slow-loris guard), a whole request within
    /// `requestTimeout`, and an idle keep-alive connection is closed after `keepAliveTimeout`.
    public var headerTimeout: Duration = .seconds(10)
    public var requestTimeout: Duration = .seconds(30)
    public var keepAliveTimeout: Duration = .seconds(5)
    /// A connection being closed (a session ended, a `Connection: close` answer) gets this long to
    /// take what is queued for it; a peer that reads nothing is then cut off. Node's `ws` waits 30 s.
    public var closeTimeout: Duration = .seconds(30)
    /// Binary attachments allowed per packet.
    public var maxAttachments = 10
    /// Connection state recovery (Node's option of that name); nil, the default, leaves it off.
    public var connectionStateRecovery: ConnectionStateRecovery? = nil
    /// Liveness: `GET` here answers 200 while the process serves HTTP. nil: no such route.
    public var healthPath: String? = "/healthz"
    /// Readiness: `GET` here answers 200, or 503 once `drain` started (a balancer then stops sending
    /// new clients). nil: no such route.
    public var readinessPath: String? = "/readyz"
    /// Creates each namespace's adapter; the in-memory one by default.
    public var adapter: @Sendable (Namespace) -> any Adapter = { InMemoryAdapter(namespace: $0) }

    public init() {}

    var engineOptions: EngineOptions {
        var engine = EngineOptions()
        engine.path = path.hasSuffix("/") ? path : path + "/"
        engine.pingInterval = pingInterval
        engine.pingTimeout = pingTimeout
        engine.upgradeTimeout = upgradeTimeout
        engine.maxPayload = maxHttpBufferSize
        engine.transports = transports.map { $0 == .polling ? .polling : .websocket }
        engine.allowUpgrades = allowUpgrades
        engine.maxHandshakesPerSecondPerAddress = maxHandshakesPerSecondPerAddress
        engine.maxSessions = maxSessions
        if let cors {
            var mapped = CORSOptions(origins: cors.origins, credentials: cors.credentials)
            mapped.methods = cors.methods
            mapped.allowedHeaders = cors.allowedHeaders
            engine.cors = mapped
        }
        if let allowRequest { engine.allowRequest = { allowRequest(IncomingRequest($0)) } }
        return engine
    }

    func httpOptions(host: String, port: Int) -> HTTPServerOptions {
        var http = HTTPServerOptions()
        http.host = host
        http.port = port
        http.maxBodyBytes = maxHttpBufferSize
        http.maxWebSocketMessageBytes = maxHttpBufferSize
        http.perMessageDeflate = perMessageDeflate
        http.maxWebSocketBufferedBytes = maxBufferedBytes
        http.maxConnections = maxConnections
        http.maxConnectionsPerAddress = maxConnectionsPerAddress
        http.maxHeaderBytes = maxHeaderBytes
        http.headerTimeout = headerTimeout
        http.requestTimeout = requestTimeout
        http.keepAliveTimeout = keepAliveTimeout
        http.closeTimeout = closeTimeout
        if !httpCompression { http.compressionThreshold = .max }
        return http
    }
}
