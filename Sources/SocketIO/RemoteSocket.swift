import SocketIOParser

/// A socket as `fetchSockets()` returns it: a snapshot of its state plus the operations that still
/// make sense from afar. With the in-memory adapter every socket is local.
public struct RemoteSocket: Sendable {
    public let id: SocketID
    public let namespace: String
    public let handshake: Handshake
    public let rooms: Set<Room>
    public let data: JSONValue
    /// The live socket when it is on this server.
    public let local: Socket?

    public init(id: SocketID, namespace: String, handshake: Handshake, rooms: Set<Room>, data: JSONValue) {
        self.id = id; self.namespace = namespace; self.handshake = handshake; self.rooms = rooms
        self.data = data; self.local = nil
    }

    init(_ socket: Socket) {
        id = socket.id
        namespace = socket.namespace.name
        handshake = socket.handshake
        rooms = socket.rooms
        data = socket.data
        local = socket
    }

    public func emit(_ event: String, _ args: JSONValue...) { local?.emit(event, arguments: args) }
    public func emit(_ event: String, arguments args: [JSONValue]) { local?.emit(event, arguments: args) }
    public func join(_ rooms: Room...) { local?.join(rooms) }
    public func join(_ rooms: some Sequence<Room>) { local?.join(rooms) }
    public func leave(_ rooms: Room...) { local?.leave(rooms) }
    public func leave(_ rooms: some Sequence<Room>) { local?.leave(rooms) }
    public func disconnect(close: Bool = false) { local?.disconnect(close: close) }

    /// Node's `remoteSocket.timeout(ms)`: an operator aimed at this socket, so
    /// `try await remote.timeout(.seconds(5))?.emitWithAck("q")` collects its reply (as an array, like
    /// any broadcast). Nil for a socket on another server, which this adapter cannot reach.
    public func timeout(_ duration: Duration) -> BroadcastOperator? {
        local.map { $0.namespace.to($0.id).timeout(duration) }
    }
}
