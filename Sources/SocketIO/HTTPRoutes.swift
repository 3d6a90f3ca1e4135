import EngineIO
import HTTP1
import HTTPServer
import Synchronization

/// An HTTP request as an extra route (or `allowRequest`) sees it.
public struct IncomingRequest: Sendable {
    public var method: String
    /// The percent-decoded path, without the query.
    public var path: String
    /// The raw request target, with the query.
    public var target: String
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var remoteAddress: String

    init(_ request: HTTPRequest) {
        method = request.method
        path = request.path
        target = request.target
        query = request.queryItems
        headers = request.headers.map { ($0.name, $0.value) }
        body = request.body
        remoteAddress = request.remoteAddress
    }

    /// The first value of a query parameter.
    public func query(_ name: String) -> String? { query.first { $0.name == name }?.value }
    /// The first value of a header, case-insensitive.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) }?.value
    }
    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// The answer of an extra route.
public struct RouteResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status; self.headers = headers; self.body = body
    }

    /// A `text/plain` response.
    public static func text(_ text: String, status: Int = 200) -> RouteResponse {
        RouteResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }
}

public typealias RouteHandler = @Sendable (IncomingRequest) async -> RouteResponse

private extension String {
    func caseInsensitiveCompare(_ other: String) -> Bool { lowercased() == other.lowercased() }
}

/// Sends the client's files and the Engine.IO path to their handlers, everything else to the app's
/// routes, then to its static directories (or 404).
final class Router: HTTPRequestHandler, Sendable {
    private let engine: EngineServer
    private let routes = Mutex<[String: RouteHandler]>([:])
    /// The browser client, when `serveClient` is on.
    let clientFiles: ClientFiles?
    /// Longest prefix first, so a more specific directory wins.
    private let statics = Mutex<[StaticFileHandler]>([])
    /// Plain WebSocket endpoints by exact path.
    private let webSockets = Mutex<[String: WebSocketEndpoint]>([:])

    init(engine: EngineServer, clientFiles: ClientFiles? = nil) {
        self.engine = engine
        self.clientFiles = clientFiles
    }

    func addStatic(_ handler: StaticFileHandler) {
        statics.withLock { mounts in
            mounts.append(handler)
            mounts.sort { $0.urlPrefix.count > $1.urlPrefix.count }
        }
    }

    private func staticHandler(for request: HTTPRequest) -> StaticFileHandler? {
        guard request.method == "GET" || request.method == "HEAD" else { return nil }
        return statics.withLock { mounts in
            mounts.first { $0.urlPrefix.isEmpty || request.path == $0.urlPrefix || request.path.hasPrefix($0.urlPrefix + "/") }
        }
    }

    /// False when the path is taken.
    func add(_ endpoint: WebSocketEndpoint) -> Bool {
        webSockets.withLock { endpoints in
            guard endpoints[endpoint.path] == nil else { return false }
            endpoints[endpoint.path] = endpoint
            return true
        }
    }

    var webSocketEndpoints: [WebSocketEndpoint] { webSockets.withLock { Array($0.values) } }

    func add(method: String, path: String, handler: @escaping RouteHandler) {
        routes.withLock { $0[method.uppercased() + " " + path] = handler }
    }

    func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        if let clientFiles, clientFiles.handles(request) { return responder.send(clientFiles.response(for: request)) }
        if engine.matches(request) { return engine.handle(request, responder: responder) }
        if let endpoint = webSockets.withLock({ $0[request.path] }) { return endpoint.handle(request, responder: responder) }
        if request.isWebSocketUpgrade {
            return responder.send(HTTPResponse(status: 404, body: Array("No WebSocket endpoint at \(request.path)".utf8)))
        }
        guard let handler = routes.withLock({ $0[request.method.uppercased() + " " + request.path] }) else {
            if let files = staticHandler(for: request) { return files.handle(request, responder: responder) }
            responder.send(HTTPResponse(status: 404, body: Array("Not Found".utf8)))
            return
        }
        let incoming = IncomingRequest(request)
        Task {
            let reply = await handler(incoming)
            var headers = HTTPHeaders()
            for field in reply.headers { headers.add(name: field.name, value: field.value) }
            responder.send(HTTPResponse(status: reply.status, headers: headers, body: reply.body, compressible: true))
        }
    }
}
