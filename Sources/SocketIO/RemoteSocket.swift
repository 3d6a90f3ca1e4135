import SocketIOParser

/// A socket as `fetchSockets()` returns it: a snapshot of its state plus the operations that still
/// make sense from afar. It may live on this server (`local` is set) or on another server of the
/// cluster, where `emit`, `join`, `leave` and `disconnect` travel through the adapter, as Node's
/// `RemoteSocket` does.
public struct RemoteSocket: Sendable {
    public let id: SocketID
    public let namespace: String
    public let handshake: Handshake
    public let rooms: Set<Room>
    public let data: JSONValue
    /// The live socket when it is on this server.
    public let local: Socket?
    /// Targets exactly this socket, wherever it is.
    private let target: BroadcastOperator

    /// A socket of another server, reached through `namespace`'s adapter.
    public init(id: SocketID, namespace: Namespace, handshake: Handshake, rooms: Set<Room>, data: JSONValue) {
        self.id = id; self.namespace = namespace.name; self.handshake = handshake; self.rooms = rooms
        self.data = data; self.local = nil
        self.target = namespace.to(id)
    }

    init(_ socket: Socket) {
        id = socket.id
        namespace = socket.namespace.name
        handshake = socket.handshake
        rooms = socket.rooms
        data = socket.data
        local = socket
        target = socket.namespace.to(socket.id)
    }

    public func emit(_ event: String, _ args: JSONValue...) { emit(event, arguments: args) }
    public func emit(_ event: String, arguments args: [JSONValue]) {
        if let local { local.emit(event, arguments: args) } else { target.emit(event, arguments: args) }
    }
    public func join(_ rooms: Room...) { join(rooms) }
    public func join(_ rooms: some Sequence<Room>) {
        if let local { local.join(rooms) } else { target.socketsJoin(rooms) }
    }
    public func leave(_ rooms: Room...) { leave(rooms) }
    public func leave(_ rooms: some Sequence<Room>) {
        if let local { local.leave(rooms) } else { target.socketsLeave(rooms) }
    }
    public func disconnect(close: Bool = false) {
        if let local { local.disconnect(close: close) } else { target.disconnectSockets(close: close) }
    }

    /// Node's `remoteSocket.timeout(ms)`: an operator aimed at this socket, so
    /// `try await remote.timeout(.seconds(5)).emitWithAck("q")` collects its reply (as an array, like
    /// any broadcast), on this server or another.
    public func timeout(_ duration: Duration) -> BroadcastOperator { target.timeout(duration) }
}
