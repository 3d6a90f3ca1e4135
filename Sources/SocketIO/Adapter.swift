import SocketIOParser

/// A room name. Every socket is also in the room named after its id.
public typealias Room = String
/// A socket id, unique per namespace connection.
public typealias SocketID = String

/// Modifiers of a broadcast, as Node's `BroadcastFlags`.
public struct BroadcastFlags: Sendable, Equatable {
    /// Skip recipients whose transport cannot take the packet right now.
    public var volatile = false
    /// Per-message compression hint; nil keeps the transport's default.
    public var compress: Bool? = nil
    /// Only this server's sockets (meaningful once an adapter spans several servers).
    public var local = false
    /// How long to wait for acknowledgements.
    public var timeout: Duration? = nil
    public init() {}
}

/// Who a broadcast or a utility (`fetchSockets`, `socketsJoin`, ...) applies to.
public struct BroadcastOptions: Sendable {
    /// Target the union of these rooms; empty means every socket of the namespace.
    public var rooms: Set<Room> = []
    /// Leave out every socket in any of these rooms (a socket id works as a room).
    public var except: Set<Room> = []
    public var flags = BroadcastFlags()
    public init(rooms: Set<Room> = [], except: Set<Room> = [], flags: BroadcastFlags = BroadcastFlags()) {
        self.rooms = rooms; self.except = except; self.flags = flags
    }
}

/// Where a namespace keeps its rooms and how it reaches sockets, mirroring socket.io-adapter.
///
/// `InMemoryAdapter` serves one server; an adapter spanning servers (Redis, ...) subclasses it and
/// forwards what is not `local` to its peers. Every method is callable from any thread.
public protocol Adapter: AnyObject, Sendable {
    /// Adds the socket to the rooms.
    func addAll(_ id: SocketID, rooms: Set<Room>)
    /// Removes the socket from one room.
    func del(_ id: SocketID, room: Room)
    /// Removes the socket from every room (on disconnect).
    func delAll(_ id: SocketID)

    /// Sends the packet to every socket matched by `options`, each once.
    func broadcast(_ packet: OutgoingPacket, options: BroadcastOptions)
    /// Like `broadcast`, registering `packet.ackID` on each recipient: `clientCount` is called with the
    /// number of recipients (once per server), then `ack` once per recipient.
    func broadcastWithAck(_ packet: OutgoingPacket, options: BroadcastOptions,
                          clientCount: @escaping @Sendable (Int) -> Void,
                          ack: @escaping @Sendable (AckResult) -> Void)

    /// Ids of the sockets in any of `rooms` (every socket when `rooms` is empty).
    func sockets(_ rooms: Set<Room>) -> Set<SocketID>
    /// The rooms of one socket, or nil when the socket is unknown.
    func socketRooms(_ id: SocketID) -> Set<Room>?
    /// Every room with its members (a snapshot).
    var rooms: [Room: Set<SocketID>] { get }

    /// The sockets matched by `options`, with their handshake, rooms and data, on every server.
    /// Throws `SocketIOError.clusterUnavailable` / `.clusterTimeout` when other servers cannot be asked.
    func fetchSockets(_ options: BroadcastOptions) async throws(SocketIOError) -> [RemoteSocket]
    /// Makes the matched sockets join `rooms`.
    func addSockets(_ options: BroadcastOptions, rooms: Set<Room>)
    /// Makes the matched sockets leave `rooms`.
    func delSockets(_ options: BroadcastOptions, rooms: Set<Room>)
    /// Disconnects the matched sockets (closing their connection when `close`).
    func disconnectSockets(_ options: BroadcastOptions, close: Bool)

    /// How many servers share this namespace (1 for a single server).
    func serverCount() async -> Int
    /// The names of every room on every server.
    func allRooms() async throws(SocketIOError) -> Set<Room>
    /// Sends `[event, args...]` to the other servers' `onServerSideEmit` handlers (not to this one).
    func serverSideEmit(_ packet: [JSONValue])
    /// Like `serverSideEmit`, collecting the first argument of each other server's reply within `timeout`.
    func serverSideEmitWithAck(_ packet: [JSONValue], timeout: Duration) async throws(SocketIOError) -> [JSONValue]

    /// Releases resources (subscriptions, timers) when the server closes.
    func close()

    // MARK: Connection state recovery (Node's `persistSession` / `restoreSession`)

    /// The offset of the newest packet this adapter tagged, stored with a socket when it connects so a
    /// client that received nothing can be recovered too; nil when the adapter does not recover.
    func currentOffset() -> String?
    /// Keeps a disconnected socket's session for `maxDisconnectionDuration`.
    func persistSession(_ session: PersistedSession)
    /// The session of `pid` with the packets it missed after `offset` (after its connect offset when
    /// nil), or why not. A session is restored at most once.
    func restoreSession(pid: String, offset: String?) async throws(RecoveryFailure) -> RestoredSession
}

/// Node's base adapter: no recovery. The in-memory adapter (Node's `SessionAwareAdapter`) overrides these.
extension Adapter {
    public func currentOffset() -> String? { nil }
    public func persistSession(_ session: PersistedSession) {}
    public func restoreSession(pid: String, offset: String?) async throws(RecoveryFailure) -> RestoredSession {
        throw .unsupported
    }
}

/// The room ↔ socket index of the in-memory adapter: a value type so it can be tested on its own and
/// kept behind one lock.
struct RoomIndex: Sendable {
    private(set) var members: [Room: CompactSet<SocketID>] = [:]
    private var joined: [SocketID: CompactSet<Room>] = [:]

    /// Every room with its members (a snapshot).
    var rooms: [Room: Set<SocketID>] { members.mapValues(\.set) }
    /// The rooms of every socket (a snapshot).
    var sids: [SocketID: Set<Room>] { joined.mapValues(\.set) }

    func rooms(of id: SocketID) -> Set<Room>? { joined[id]?.set }
    func contains(_ id: SocketID) -> Bool { joined[id] != nil }
    /// Every socket with at least one room.
    var socketIDs: Dictionary<SocketID, CompactSet<Room>>.Keys { joined.keys }

    mutating func addAll(_ id: SocketID, rooms newRooms: Set<Room>) {
        joined[id, default: CompactSet()].formUnion(newRooms)
        for room in newRooms { members[room, default: CompactSet()].insert(id) }
    }

    mutating func del(_ id: SocketID, room: Room) {
        joined[id]?.remove(room)
        removeFromRoom(id, room)
    }

    mutating func delAll(_ id: SocketID) {
        guard let rooms = joined.removeValue(forKey: id) else { return }
        for room in rooms { removeFromRoom(id, room) }
    }

    private mutating func removeFromRoom(_ id: SocketID, _ room: Room) {
        guard members[room]?.remove(id) == true else { return }
        if members[room]?.isEmpty == true { members[room] = nil }
    }

    func sockets(_ selected: Set<Room>) -> Set<SocketID> {
        if selected.isEmpty { return Set(joined.keys) }
        var result = Set<SocketID>()
        for room in selected { if let ids = members[room] { result.formUnion(ids) } }
        return result
    }

    /// The union of `options.rooms` (or everyone) minus every member of `options.except`, each once.
    func recipients(_ options: BroadcastOptions) -> [SocketID] {
        // The common `to(room).emit`: members are unique already, so skip the dedup set.
        if options.except.isEmpty, options.rooms.count == 1, let room = options.rooms.first {
            return members[room].map { Array($0) } ?? []
        }
        var excluded = Set<SocketID>()
        for room in options.except { if let ids = members[room] { excluded.formUnion(ids) } }
        if options.rooms.isEmpty { return joined.keys.filter { !excluded.contains($0) } }
        var seen = Set<SocketID>()
        var result: [SocketID] = []
        for room in options.rooms {
            guard let ids = members[room] else { continue }
            for id in ids where !excluded.contains(id) && seen.insert(id).inserted { result.append(id) }
        }
        return result
    }
}
