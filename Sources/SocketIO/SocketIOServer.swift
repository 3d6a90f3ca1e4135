import EngineIO
import HTTPServer
import Reactor
import SocketIOParser
import Synchronization

/// A Socket.IO server: `let io = SocketIOServer(options); io.onConnection { socket in ... }; try io.listen(port: 3000)`.
///
/// Emitting on the server itself targets the main namespace `/`, like Node's `io.emit`.
public final class SocketIOServer: Broadcasting, @unchecked Sendable {
    public let options: ServerOptions
    let engine: EngineServer
    let router: Router

    private struct State {
        var namespaces: [String: Namespace] = [:]
        var parents: [ParentNamespace] = []
        var group: EventLoopGroup?
        var http: HTTPServer?
        var closed = false
    }
    private let state = Mutex(State())
    /// One per event loop, looked up once per connection.
    private let broadcastBatches = Mutex<[ObjectIdentifier: BroadcastBatch]>([:])

    public init(_ options: ServerOptions = ServerOptions()) {
        self.options = options
        engine = EngineServer(options: options.engineOptions)
        router = Router(engine: engine, clientFiles: options.serveClient
                        ? ClientFiles(directory: options.clientDirectory, path: options.path) : nil)
        engine.onConnection = { [weak self] session in
            guard let self else { return session.close() }
            Client(engine: session, server: self).start()
        }
        // The main namespace always exists, as in Node, even before anyone registers on it.
        _ = of("/")
    }

    /// The batch that delivers broadcasts to the clients of `loop`.
    func broadcastBatch(for loop: EventLoop) -> BroadcastBatch {
        broadcastBatches.withLock { batches in
            if let batch = batches[ObjectIdentifier(loop)] { return batch }
            let batch = BroadcastBatch(loop: loop)
            batches[ObjectIdentifier(loop)] = batch
            return batch
        }
    }

    // MARK: Namespaces

    /// The main namespace `/`.
    public var sockets: Namespace { of("/") }
    public var broadcastOperator: BroadcastOperator { sockets.broadcastOperator }

    /// The namespace called `name` (a leading `/` is added when missing), created on first use.
    public func of(_ name: String) -> Namespace {
        let name = name.hasPrefix("/") ? name : "/" + name
        if let existing = state.withLock({ $0.namespaces[name] }) { return existing }
        let created = Namespace(name: name, server: self)
        return state.withLock { state in
            if let raced = state.namespaces[name] { return raced }
            state.namespaces[name] = created
            return created
        }
    }

    /// Namespaces created when a client connects to a name matching this regular expression (whole
    /// name, e.g. `^/team-\\d+$`).
    public func of(matching pattern: String) throws(SocketIOError) -> ParentNamespace {
        let parent = try ParentNamespace(pattern: pattern)
        state.withLock { $0.parents.append(parent) }
        return parent
    }

    /// Namespaces created when `predicate` accepts a client's CONNECT (name and auth payload).
    public func of(_ predicate: @escaping NamespacePredicate) -> ParentNamespace {
        let parent = ParentNamespace(predicate: predicate)
        state.withLock { $0.parents.append(parent) }
        return parent
    }

    /// A middleware of the main namespace.
    @discardableResult
    public func use(_ middleware: @escaping NamespaceMiddleware) -> Self {
        sockets.use(middleware)
        return self
    }

    /// A connection handler of the main namespace.
    @discardableResult
    public func onConnection(_ handler: @escaping @Sendable (Socket) -> Void) -> Self {
        sockets.onConnection(handler)
        return self
    }

    /// An existing namespace, or one a parent namespace creates for this CONNECT; nil when unknown.
    func namespaceForConnect(_ name: String, auth: JSONValue?) -> Namespace? {
        let (existing, parents) = state.withLock { ($0.namespaces[name], $0.parents) }
        if let existing { return existing }
        // Predicates are user code: evaluated without the lock.
        guard let parent = parents.first(where: { $0.matches(name, auth: auth) }) else { return nil }
        let child = Namespace(name: name, server: self, parent: parent)
        let winner = state.withLock { state in
            if let raced = state.namespaces[name] { return raced }
            state.namespaces[name] = child
            return child
        }
        if winner === child { parent.adopt(child) }
        return winner
    }

    // MARK: HTTP

    /// Adds an HTTP route next to the Socket.IO endpoint, e.g. to emit from a webhook:
    /// `io.route("POST", "/notify") { req in io.emit("news", .string(req.text)); return .text("ok") }`.
    public func route(_ method: String, _ path: String, _ handler: @escaping RouteHandler) {
        router.add(method: method, path: path, handler: handler)
    }

    /// Starts the event loops and the HTTP server; returns the bound port (pass 0 for any free port).
    @discardableResult
    public func listen(host: String = "127.0.0.1", port: Int = 3000) throws(SocketIOError) -> Int {
        let group = EventLoopGroup(loopCount: max(1, options.loops))
        let http = HTTPServer(options: options.httpOptions(host: host, port: port), group: group, handler: router)
        do { try http.start() } catch {
            group.shutdown()
            throw .listenFailed("\(host):\(port): \(error)")
        }
        state.withLock { $0.group = group; $0.http = http }
        return http.port
    }

    /// The bound port, once listening.
    public var port: Int? { state.withLock { $0.http?.port } }

    /// Engine.IO sessions currently open.
    public var engineClientsCount: Int { engine.clientsCount }

    var anyLoop: EventLoop? { state.withLock { $0.group?.next() } }

    // MARK: Shutdown

    /// Disconnects every socket with `server shutting down`, closes the sessions, stops listening and
    /// stops the event loops. Call it from a task, not from a handler (it waits for the loops).
    public func close() async {
        let (namespaces, group, http, first) = state.withLock { state in
            defer { state.closed = true }
            return (Array(state.namespaces.values), state.group, state.http, !state.closed)
        }
        guard first else { return }
        var byLoop: [ObjectIdentifier: (loop: EventLoop, sockets: [Socket])] = [:]
        for namespace in namespaces {
            for socket in namespace.sockets.values {
                byLoop[ObjectIdentifier(socket.loop), default: (socket.loop, [])].sockets.append(socket)
            }
        }
        for (_, group) in byLoop {
            let sockets = group.sockets
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                group.loop.execute {
                    for socket in sockets { socket.onClose(.serverShuttingDown) }
                    done.resume()
                }
            }
        }
        for namespace in namespaces { namespace.adapter.close() }
        for endpoint in router.webSocketEndpoints { await endpoint.closeAll() }
        engine.closeAll()
        http?.stop()
        group?.shutdown()
    }
}
