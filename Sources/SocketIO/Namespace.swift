import Reactor
import SocketIOParser
import Synchronization

/// Checks (or enriches) a socket before it joins a namespace. Throw `ConnectionRejected` to refuse it
/// with a message and data the client sees in `connect_error`; any other error is refused with its
/// description.
public typealias NamespaceMiddleware = @Sendable (Socket) async throws -> Void

/// A communication channel multiplexed over one connection (`/`, `/admin`, ...), with its own
/// middlewares, rooms and sockets.
public final class Namespace: Broadcasting, @unchecked Sendable {
    public let name: String
    /// The server this namespace belongs to; the server owns its namespaces, hence unowned.
    public unowned let server: SocketIOServer
    /// Set when the namespace was created on demand by a dynamic `ParentNamespace`.
    public private(set) weak var parent: ParentNamespace?

    struct State {
        var sockets: [SocketID: Socket] = [:]
        var middlewares: [NamespaceMiddleware] = []
        var connectionHandlers: [@Sendable (Socket) -> Void] = []
        var serverSideHandlers: [String: [ServerSideHandler]] = [:]
    }
    let state = Mutex(State())
    private let ackCounter = Atomic<Int>(0)
    // Assigned once at the end of init (the factory needs `self`), read-only afterwards.
    private var _adapter: (any Adapter)!

    init(name: String, server: SocketIOServer, parent: ParentNamespace? = nil) {
        self.name = name
        self.server = server
        self.parent = parent
        _adapter = server.options.adapter(self)
    }

    /// Where this namespace keeps rooms.
    public var adapter: any Adapter { _adapter }

    /// The connected sockets of this server, by id (a snapshot).
    public var sockets: [SocketID: Socket] { state.withLock { $0.sockets } }

    /// Registers a middleware that every incoming connection runs through, in order.
    @discardableResult
    public func use(_ middleware: @escaping NamespaceMiddleware) -> Self {
        state.withLock { $0.middlewares.append(middleware) }
        return self
    }

    /// Registers a handler for each socket that connects (after the middlewares accepted it). It runs on
    /// the socket's loop: set up `socket.on(...)` here.
    @discardableResult
    public func onConnection(_ handler: @escaping @Sendable (Socket) -> Void) -> Self {
        state.withLock { $0.connectionHandlers.append(handler) }
        return self
    }

    public var broadcastOperator: BroadcastOperator { BroadcastOperator(namespace: self) }

    /// Ack ids are per namespace, so a broadcast shares one id (and one encoding) across recipients.
    package func nextAckID() -> Int { ackCounter.wrappingAdd(1, ordering: .relaxed).oldValue }

    // MARK: Connection

    /// Restores the client's previous socket when its CONNECT carries a `pid` (and recovery is on),
    /// else makes a new one; then runs the middlewares and connects it. Client loop only.
    func add(_ client: Client, auth: JSONValue?) {
        guard let recovery = server.options.connectionStateRecovery, let (pid, offset) = Self.recoveryClaim(auth) else {
            return admit(Socket(namespace: self, client: client, auth: auth), client: client, runMiddlewares: true)
        }
        let adapter = self.adapter
        Task {
            let result: Result<RestoredSession, RecoveryFailure>
            do throws(RecoveryFailure) {
                result = .success(try await adapter.restoreSession(pid: pid, offset: offset))
            } catch { result = .failure(error) }
            client.loop.execute { [self] in
                server.recoveryCounters.count(success: (try? result.get()) != nil)
                switch result {
                case .success(let restored):
                    // The client left while we looked: keep the session for its next attempt.
                    guard client.isOpen else { return adapter.persistSession(restored.session) }
                    admit(Socket(namespace: self, client: client, auth: auth, restored: restored), client: client,
                          runMiddlewares: !recovery.skipMiddlewares)
                case .failure(let failure):
                    warn("connection state recovery failed in namespace \(name), new session instead: \(failure)")
                    guard client.isOpen else { return }
                    admit(Socket(namespace: self, client: client, auth: auth), client: client, runMiddlewares: true)
                }
            }
        }
    }

    /// The `pid` (and `offset`, if any) of a recovering client's CONNECT. Node requires both as
    /// strings; the stock client sends no `offset` before it received an event, and is recovered too.
    static func recoveryClaim(_ auth: JSONValue?) -> (pid: String, offset: String?)? {
        guard case .object(let fields)? = auth, case .string(let pid)? = fields["pid"] else { return nil }
        if case .string(let offset)? = fields["offset"] { return (pid, offset) }
        return (pid, nil)
    }

    private func admit(_ socket: Socket, client: Client, runMiddlewares: Bool) {
        let middlewares = (parent?.middlewares ?? []) + state.withLock { $0.middlewares }
        guard runMiddlewares, !middlewares.isEmpty else {
            finishConnect(socket)
            return
        }
        // Middlewares may await (a database, a token check); the socket's loop picks up the outcome.
        Task {
            var rejection: ConnectionRejected? = nil
            for middleware in middlewares {
                do { try await middleware(socket) } catch {
                    rejection = (error as? ConnectionRejected) ?? ConnectionRejected(String(describing: error))
                    break
                }
            }
            let outcome = rejection
            client.loop.execute { [self] in
                guard client.isOpen else { return socket.discardUnconnected() }
                if let outcome {
                    socket.discardUnconnected()
                    client.connectFailed(namespace: name)
                    var data = JSONObject()
                    data["message"] = .string(outcome.message)
                    if let extra = outcome.data { data["data"] = extra }
                    client.send(SocketPacket(type: .connectError, namespace: name, data: .object(data)))
                } else {
                    finishConnect(socket)
                }
            }
        }
    }

    private func finishConnect(_ socket: Socket) {
        guard socket.client.isOpen else { return socket.discardUnconnected() }
        state.withLock { $0.sockets[socket.id] = socket }
        socket.client.register(socket)
        socket.onConnect()
        let handlers = (parent?.connectionHandlers ?? []) + state.withLock { $0.connectionHandlers }
        for handler in handlers { handler(socket) }
    }

    func remove(_ socket: Socket) {
        _ = state.withLock { $0.sockets.removeValue(forKey: socket.id) }
    }

    // MARK: Delivery

    package func localSockets(_ ids: [SocketID]) -> [Socket] {
        state.withLock { state in ids.compactMap { state.sockets[$0] } }
    }

    /// Encodes once, then one task per loop hands the same prepared messages to each of its sockets.
    func deliver(_ packet: OutgoingPacket, to recipients: RecipientGroups, excluding excluded: SocketExclusion,
                 flags: BroadcastFlags, ack: (@Sendable (AckResult) -> Void)?) {
        guard recipients.count > 0 else { return }
        deliver(packet, prepared: packet.prepare(compress: flags.compress ?? true), to: recipients,
                excluding: excluded, flags: flags, ack: ack)
    }

    /// As above, with the packet already encoded (a recovery-tagged broadcast keeps its encoding).
    func deliver(_ packet: OutgoingPacket, prepared: PreparedPacket, to recipients: RecipientGroups,
                 excluding excluded: SocketExclusion, flags: BroadcastFlags, ack: (@Sendable (AckResult) -> Void)?) {
        guard recipients.count > 0 else { return }
        for index in recipients.groups.indices {
            let batch = recipients.groups[index].batch
            let entry = BroadcastBatch.Entry(prepared: prepared, packet: packet, recipients: recipients, group: index,
                                             excluded: excluded, flags: flags, ack: ack)
            if batch.loop.inEventLoop { batch.add(entry) } else { batch.loop.execute { batch.add(entry) } }
        }
    }
}
