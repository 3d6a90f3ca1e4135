import Synchronization

/// The default adapter: rooms live in this process, broadcasts reach this server's sockets.
///
/// Open so a multi-server adapter can subclass it: override `broadcast` etc. to publish to peers,
/// then call `super` for the local part (as socket.io's Redis adapter extends the in-memory one).
open class InMemoryAdapter: Adapter, @unchecked Sendable {
    /// The namespace this adapter serves; it owns the adapter, hence unowned.
    public unowned let namespace: Namespace
    private let index = Mutex(RoomIndex())

    public required init(namespace: Namespace) { self.namespace = namespace }

    open func addAll(_ id: SocketID, rooms: Set<Room>) { index.withLock { $0.addAll(id, rooms: rooms) } }
    open func del(_ id: SocketID, room: Room) { index.withLock { $0.del(id, room: room) } }
    open func delAll(_ id: SocketID) { index.withLock { $0.delAll(id) } }

    open func sockets(_ rooms: Set<Room>) -> Set<SocketID> { index.withLock { $0.sockets(rooms) } }
    open func socketRooms(_ id: SocketID) -> Set<Room>? { index.withLock { $0.sids[id] } }
    open var rooms: [Room: Set<SocketID>] { index.withLock { $0.rooms } }

    /// Ids matched by `options`, computed under the lock and returned as a copy.
    public func recipients(_ options: BroadcastOptions) -> [SocketID] {
        index.withLock { $0.recipients(options) }
    }

    open func broadcast(_ packet: OutgoingPacket, options: BroadcastOptions) {
        namespace.deliver(packet, to: recipients(options), flags: options.flags, ack: nil)
    }

    open func broadcastWithAck(_ packet: OutgoingPacket, options: BroadcastOptions,
                               clientCount: @escaping @Sendable (Int) -> Void,
                               ack: @escaping @Sendable (AckResult) -> Void) {
        let sockets = namespace.localSockets(recipients(options))
        // Count first: replies may arrive on other loops before delivery returns.
        clientCount(sockets.count)
        namespace.deliver(packet, to: sockets, flags: options.flags, ack: ack)
    }

    open func fetchSockets(_ options: BroadcastOptions) async -> [RemoteSocket] {
        namespace.localSockets(recipients(options)).map { RemoteSocket($0) }
    }

    open func addSockets(_ options: BroadcastOptions, rooms: Set<Room>) {
        for socket in namespace.localSockets(recipients(options)) { socket.join(rooms) }
    }

    open func delSockets(_ options: BroadcastOptions, rooms: Set<Room>) {
        for socket in namespace.localSockets(recipients(options)) { socket.leave(rooms) }
    }

    open func disconnectSockets(_ options: BroadcastOptions, close: Bool) {
        for socket in namespace.localSockets(recipients(options)) { socket.disconnect(close: close) }
    }

    open func close() {}
}
