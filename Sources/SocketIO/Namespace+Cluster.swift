import SocketIOParser

/// Handles an event another server sent with `serverSideEmit`; `reply` is set when that server waits
/// for an answer (`serverSideEmitWithAck`).
public typealias ServerSideHandler = @Sendable (_ args: [JSONValue], _ reply: ServerSideReply?) -> Void

/// The answer to one `serverSideEmitWithAck`: the first call is sent, later ones are ignored (as Node).
public struct ServerSideReply: Sendable {
    private let send: @Sendable ([JSONValue]) -> Void
    private let sent = SentFlag()

    package init(_ send: @escaping @Sendable ([JSONValue]) -> Void) { self.send = send }

    /// Replies with these arguments; the requesting server collects the first of them.
    public func callAsFunction(_ args: JSONValue...) { send(arguments: args) }
    public func send(arguments args: [JSONValue]) { if sent.claim() { send(args) } }
}

extension Namespace {
    /// How many servers share this namespace (Node's `adapter.serverCount()`); 1 without a cluster.
    public func serverCount() async -> Int { await adapter.serverCount() }
    /// Every room of this namespace on every server (Node's `adapter.allRooms()`).
    public func allRooms() async throws(SocketIOError) -> Set<Room> { try await adapter.allRooms() }

    /// Sends an event to the other servers of the cluster (never to clients, never to this server),
    /// as Node's `io.serverSideEmit("hello", "world")`. A single server has no one to tell.
    public func serverSideEmit(_ event: String, _ args: JSONValue...) {
        serverSideEmit(event, arguments: args)
    }

    public func serverSideEmit(_ event: String, arguments args: [JSONValue]) {
        guard checkEventName(event) else { return }
        adapter.serverSideEmit([.string(event)] + args)
    }

    /// Sends an event to the other servers and waits for each one's reply (its first argument).
    /// Throws `SocketIOError.clusterTimeout` with the replies so far when some server does not answer in
    /// `timeout`, `.clusterUnavailable` when the others cannot be reached.
    public func serverSideEmitWithAck(_ event: String, _ args: JSONValue..., timeout: Duration = .seconds(5))
        async throws(SocketIOError) -> [JSONValue] {
        guard checkEventName(event) else { throw .reservedEventName(event) }
        return try await adapter.serverSideEmitWithAck([.string(event)] + args, timeout: timeout)
    }

    /// Registers a handler for events other servers send with `serverSideEmit` (Node's
    /// `io.on("hello", ...)` on the server). It runs on the adapter's thread.
    @discardableResult
    public func onServerSideEmit(_ event: String, _ handler: @escaping ServerSideHandler) -> Self {
        state.withLock { $0.serverSideHandlers[event, default: []].append(handler) }
        return self
    }

    /// Called by an adapter with `[event, args...]` from another server.
    package func receiveServerSideEmit(_ packet: [JSONValue], reply: ServerSideReply?) {
        guard case .string(let event)? = packet.first else { return }
        let handlers = state.withLock { $0.serverSideHandlers[event] ?? [] }
        let args = Array(packet.dropFirst())
        for handler in handlers { handler(args, reply) }
    }
}

extension SocketIOServer {
    /// `serverSideEmit` on the main namespace.
    public func serverSideEmit(_ event: String, _ args: JSONValue...) { sockets.serverSideEmit(event, arguments: args) }
    public func serverSideEmit(_ event: String, arguments args: [JSONValue]) { sockets.serverSideEmit(event, arguments: args) }
    public func serverSideEmitWithAck(_ event: String, _ args: JSONValue..., timeout: Duration = .seconds(5))
        async throws(SocketIOError) -> [JSONValue] {
        guard checkEventName(event) else { throw .reservedEventName(event) }
        return try await sockets.adapter.serverSideEmitWithAck([.string(event)] + args, timeout: timeout)
    }
    @discardableResult
    public func onServerSideEmit(_ event: String, _ handler: @escaping ServerSideHandler) -> Self {
        sockets.onServerSideEmit(event, handler)
        return self
    }
    /// How many servers share the main namespace.
    public func serverCount() async -> Int { await sockets.adapter.serverCount() }
}
