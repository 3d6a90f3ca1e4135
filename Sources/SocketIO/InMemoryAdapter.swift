import Synchronization

/// The default adapter: rooms live in this process, broadcasts reach this server's sockets.
///
/// Open so a multi-server adapter can subclass it: override `broadcast` etc. to publish to peers,
/// then call `super` for the local part (as socket.io's Redis adapter extends the in-memory one).
open class InMemoryAdapter: Adapter, @unchecked Sendable {
    /// The namespace this adapter serves; it owns the adapter, hence unowned.
    public unowned let namespace: Namespace
    private let state = Mutex(State())

    struct State {
        var index = RoomIndex()
        /// Resolved recipients of single-room targets (and of the whole namespace), dropped when that
        /// membership changes. Only broadcasts fill it.
        var byRoom: [Room: RecipientGroups] = [:]
        var everyone: RecipientGroups?
        /// Bumped by every membership change, so a cache entry resolved outside the lock is stored
        /// only if nothing changed meanwhile.
        var version: UInt64 = 0

        mutating func membershipChanged(rooms: some Sequence<Room>, sockets: Bool) {
            version &+= 1
            if sockets { everyone = nil }
            guard !byRoom.isEmpty else { return }
            for room in rooms { byRoom[room] = nil }
        }
    }

    /// Present when the server has `connectionStateRecovery` and this class recovers sessions.
    let recovery: RecoveryStore?

    /// False in adapters that keep no sessions here (the classic Redis adapter, as Node's: with recovery
    /// on, its sockets get a `pid` but never an offset, and every recovery fails with `unsupported`),
    /// and in subclasses that persist and restore sessions themselves (their own offsets and store).
    open class var recoversSessions: Bool { true }

    public init(namespace: Namespace) {
        self.namespace = namespace
        recovery = Self.recoversSessions ? namespace.server.options.connectionStateRecovery.map(RecoveryStore.init) : nil
    }

    open func addAll(_ id: SocketID, rooms: Set<Room>) {
        state.withLock { state in
            state.membershipChanged(rooms: rooms, sockets: !state.index.contains(id))
            state.index.addAll(id, rooms: rooms)
        }
    }

    open func del(_ id: SocketID, room: Room) {
        state.withLock { state in
            state.membershipChanged(rooms: CollectionOfOne(room), sockets: false)
            state.index.del(id, room: room)
        }
    }

    open func delAll(_ id: SocketID) {
        state.withLock { state in
            guard let rooms = state.index.rooms(of: id) else { return }
            state.membershipChanged(rooms: rooms, sockets: true)
            state.index.delAll(id)
        }
    }

    open func sockets(_ rooms: Set<Room>) -> Set<SocketID> { state.withLock { $0.index.sockets(rooms) } }
    open func socketRooms(_ id: SocketID) -> Set<Room>? { state.withLock { $0.index.rooms(of: id) } }
    open var rooms: [Room: Set<SocketID>] { state.withLock { $0.index.rooms } }
    /// True when some socket of this server is in `room` (cheaper than `rooms`: no snapshot).
    public func hasRoom(_ room: Room) -> Bool { state.withLock { $0.index.members[room] != nil } }

    /// Ids matched by `options`, computed under the lock and returned as a copy.
    public func recipients(_ options: BroadcastOptions) -> [SocketID] {
        state.withLock { $0.index.recipients(options) }
    }

    open func broadcast(_ packet: OutgoingPacket, options: BroadcastOptions) {
        if let recovery, packet.isRecoverable, !options.flags.volatile {
            return recovery.record(packet, options: options) { tagged, prepared in
                let (recipients, excluded) = recipientTargets(options)
                namespace.deliver(tagged, prepared: prepared, to: recipients, excluding: excluded, flags: options.flags, ack: nil)
            }
        }
        // The exceptions (usually the sender) are skipped during delivery: no filtered copy of the
        // room per message.
        let (recipients, excluded) = recipientTargets(options)
        namespace.deliver(packet, to: recipients, excluding: excluded, flags: options.flags, ack: nil)
    }

    open func broadcastWithAck(_ packet: OutgoingPacket, options: BroadcastOptions,
                               clientCount: @escaping @Sendable (Int) -> Void,
                               ack: @escaping @Sendable (AckResult) -> Void) {
        // The exact count is needed first (replies may arrive on other loops before delivery
        // returns), so the exceptions are filtered out up front here.
        let (targets, excluded) = recipientTargets(options)
        let recipients = targets.excluding(excluded)
        clientCount(recipients.count)
        namespace.deliver(packet, to: recipients, excluding: .none, flags: options.flags, ack: ack)
    }

    /// The cached groups of a room (or of everyone) and the sockets `except` leaves out; a union of
    /// several rooms is resolved afresh, exceptions included.
    func recipientTargets(_ options: BroadcastOptions) -> (RecipientGroups, SocketExclusion) {
        guard options.rooms.count <= 1 else {
            return (RecipientGroups(namespace.localSockets(recipients(options))), .none)
        }
        let room = options.rooms.first
        let (cached, ids, excludedIDs, version) = state.withLock { state in
            let cached = if let room { state.byRoom[room] } else { state.everyone }
            var ids: [SocketID] = []
            if cached == nil {
                ids = if let room { state.index.members[room].map(Array.init) ?? [] } else { Array(state.index.socketIDs) }
            }
            let excluded = options.except.isEmpty ? [] : Array(state.index.sockets(options.except))
            return (cached, ids, excluded, state.version)
        }
        let excluded = SocketExclusion(excludedIDs.isEmpty ? [] : namespace.localSockets(excludedIDs))
        if let cached { return (cached, excluded) }

        let resolved = RecipientGroups(namespace.localSockets(ids))
        state.withLock { state in
            guard state.version == version else { return }
            if let room { state.byRoom[room] = resolved } else { state.everyone = resolved }
        }
        return (resolved, excluded)
    }

    open func fetchSockets(_ options: BroadcastOptions) async throws(SocketIOError) -> [RemoteSocket] {
        localFetchSockets(options)
    }

    /// This server's sockets matched by `options`.
    public func localFetchSockets(_ options: BroadcastOptions) -> [RemoteSocket] {
        namespace.localSockets(recipients(options)).map { RemoteSocket($0) }
    }

    open func serverCount() async -> Int { 1 }

    open func allRooms() async throws(SocketIOError) -> Set<Room> { Set(rooms.keys) }

    /// There is no other server: nothing to send.
    open func serverSideEmit(_ packet: [JSONValue]) {}

    open func serverSideEmitWithAck(_ packet: [JSONValue], timeout: Duration) async throws(SocketIOError) -> [JSONValue] { [] }

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

    // MARK: Connection state recovery

    open func currentOffset() -> String? { recovery?.currentOffset }

    open func persistSession(_ session: PersistedSession) { recovery?.persist(session) }

    open func restoreSession(pid: String, offset: String?) async throws(RecoveryFailure) -> RestoredSession {
        guard let recovery else { throw .unsupported }
        let restored = try recovery.restore(pid: pid, offset: offset).get()
        return RestoredSession(session: restored.session, missedPackets: restored.missed.map(MissedPacket.init(prepared:)),
                               horizon: restored.horizon)
    }

    /// Packets and sessions the recovery buffer holds now; zeros without recovery.
    package var recoveryCounts: (packets: Int, bytes: Int, sessions: Int) { recovery?.counts ?? (0, 0, 0) }
}
