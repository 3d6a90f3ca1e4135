import Foundation
import EngineIO
import Reactor
import SocketIOParser
import Synchronization

/// One client's connection to one namespace.
///
/// Lives on its connection's event loop: handlers run there, one at a time, in arrival order. Every
/// public method is callable from any thread; sends from another thread hop to the loop in the order
/// they were made.
public final class Socket: @unchecked Sendable {
    /// Unique per namespace connection; also the name of the socket's own room.
    public let id: SocketID
    /// What the client sent when it connected. Built on access from the session's request, which the
    /// session keeps anyway: a copy per socket cost ~800 bytes of every idle connection.
    public var handshake: Handshake { Handshake(request: client.engine.handshake, auth: auth, now: connectedAt) }
    private let auth: JSONValue?
    private let connectedAt: Date
    public let namespace: Namespace
    let client: Client
    let loop: EventLoop

    private let connectedFlag = Atomic<Bool>(false)
    /// Cleared before leaving every room on disconnect, so a late `join` from another thread cannot
    /// leave the socket in a room forever.
    private let joinable = Atomic<Bool>(true)
    private let userData = Mutex<JSONValue>(.null)
    let listeners = Mutex(ListenerTable())
    /// Mirrors `!listeners.anyOutgoing.isEmpty`, so a broadcast takes no lock per recipient to find out.
    let hasOutgoingListeners = Atomic<Bool>(false)
    /// Loop-confined.
    @exclusivity(unchecked) var acks = AckRegistry()

    /// The private id a client recovers this socket with (sent in the CONNECT answer); nil when the
    /// server has no `connectionStateRecovery`.
    let pid: String?
    /// True when this socket is a recovered one: same id, rooms and `data` as before the client's
    /// connection dropped, and the events it missed are already on their way. Readable in the
    /// connection handler, like Node's `socket.recovered`.
    public let recovered: Bool
    /// The adapter's offset when this socket started: replay starts there for a client that received
    /// no event before its connection dropped.
    let connectOffset: String?
    /// Loop-confined. What a restore brought back, until `onConnect` applies it (boxed: one pointer in
    /// every socket rather than the whole session inline).
    @exclusivity(unchecked) private var restored: Box<RestoredSession>?
    /// Loop-confined. Live deliveries numbered up to this were replayed already (a recovered socket only).
    @exclusivity(unchecked) var replayHorizon: UInt64 = 0

    init(namespace: Namespace, client: Client, auth: JSONValue?, restored: RestoredSession? = nil) {
        self.namespace = namespace
        self.client = client
        self.loop = client.loop
        self.auth = auth
        self.connectedAt = Date()
        if let restored {
            id = restored.session.sid
            pid = restored.session.pid
            recovered = true
            connectOffset = restored.horizon > 0 ? String(restored.horizon) : restored.session.connectOffset
            userData.withLock { $0 = restored.session.data }
            self.restored = Box(restored)
        } else {
            id = SessionID.make()
            recovered = false
            let recovering = namespace.server.options.connectionStateRecovery != nil
            pid = recovering ? SessionID.make() : nil
            connectOffset = recovering ? namespace.adapter.currentOffset() : nil
        }
    }


    public var server: SocketIOServer { namespace.server }
    /// The Engine.IO session under this socket (Node's `socket.conn.id`): one client connection's
    /// sockets in several namespaces share it.
    public var connectionID: String { client.engine.id }
    /// True between the CONNECT answer and the disconnect.
    public var connected: Bool { connectedFlag.load(ordering: .acquiring) }
    public var disconnected: Bool { !connected }

    /// Application state attached to the socket (e.g. the authenticated user), visible to `fetchSockets`.
    public var data: JSONValue {
        get { userData.withLock { $0 } }
        set { userData.withLock { $0 = newValue } }
    }

    /// The rooms this socket is in, including its own id.
    public var rooms: Set<Room> { namespace.adapter.socketRooms(id) ?? [] }

    // MARK: Rooms

    /// Joins rooms. Takes effect at once, from any thread, so a following `to(room).emit` reaches it.
    public func join(_ rooms: some Sequence<Room>) {
        let rooms = Set(rooms)
        guard joinable.load(ordering: .acquiring) else { return }
        namespace.adapter.addAll(id, rooms: rooms)
        // Lost the race with a disconnect: undo, since the disconnect may already have cleaned up.
        if !joinable.load(ordering: .acquiring) {
            for room in rooms { namespace.adapter.del(id, room: room) }
        }
    }
    public func join(_ rooms: Room...) { join(rooms) }

    public func leave(_ rooms: some Sequence<Room>) {
        for room in rooms { namespace.adapter.del(id, room: room) }
    }
    public func leave(_ rooms: Room...) { leave(rooms) }

    // MARK: Broadcasting from this socket

    /// Everyone in the namespace but this socket.
    public var broadcast: BroadcastOperator {
        BroadcastOperator(namespace: namespace, options: BroadcastOptions(except: [id]))
    }
    /// Sockets in any of `rooms`, except this socket.
    public func to(_ rooms: some Sequence<Room>) -> BroadcastOperator { broadcast.to(rooms) }
    public func to(_ rooms: Room...) -> BroadcastOperator { broadcast.to(rooms) }
    public func `in`(_ rooms: Room...) -> BroadcastOperator { broadcast.to(rooms) }
    public func `in`(_ rooms: some Sequence<Room>) -> BroadcastOperator { broadcast.to(rooms) }
    /// Everyone but this socket and the sockets in `rooms`.
    public func except(_ rooms: Room...) -> BroadcastOperator { broadcast.except(rooms) }
    public func except(_ rooms: some Sequence<Room>) -> BroadcastOperator { broadcast.except(rooms) }
    /// Everyone on this server but this socket.
    public var local: BroadcastOperator { broadcast.local }

    // MARK: Disconnecting

    /// Leaves the namespace (the client gets a DISCONNECT packet); `close` also closes the underlying
    /// connection, disconnecting the client from every namespace.
    public func disconnect(close: Bool = false) {
        perform { [self] in
            guard connected else { return }
            if close {
                client.disconnectAll()
            } else {
                client.send(SocketPacket(type: .disconnect, namespace: namespace.name))
                onClose(.serverNamespaceDisconnect)
            }
        }
    }

    /// Closes the connection under this socket without a DISCONNECT packet (`forced close`), as
    /// Node's `socket.conn.close()`: the client reconnects by itself and, with recovery on, is recovered.
    package func closeTransport() {
        perform { [self] in client.close(.forcedClose) }
    }

    // MARK: Loop plumbing

    /// Runs `body` on the socket's loop: now when already there, else queued (FIFO per calling thread).
    func perform(_ body: @escaping @Sendable () -> Void) {
        if loop.inEventLoop { body() } else { loop.execute(body) }
    }

    /// Joins its own room and answers CONNECT (with the `pid` when recovery is on); a recovered socket
    /// rejoins its rooms and then gets the packets it missed. Loop only.
    func onConnect() {
        connectedFlag.store(true, ordering: .releasing)
        if let restored {
            self.restored = nil
            return onRecoveredConnect(restored.value)
        }
        join(id)
        client.send(connectAnswer)
    }

    private var connectAnswer: SocketPacket {
        var payload = JSONObject()
        payload["sid"] = .string(id)
        if let pid { payload["pid"] = .string(pid) }
        return SocketPacket(type: .connect, namespace: namespace.name, data: .object(payload))
    }

    /// The CONNECT answer and the missed packets are written before this loop's pending broadcasts
    /// (which `Client.send` would deliver first): a live packet numbered past the replay must not
    /// overtake it, and one within it is skipped by `replayHorizon`.
    private func onRecoveredConnect(_ restored: RestoredSession) {
        join(restored.session.rooms)
        join(id)
        var missed = restored.missedPackets.map(\.prepared)
        // What was recorded between the restore and the join above reached neither the restore nor
        // this socket: the in-memory adapter hands it over now.
        if let store = (namespace.adapter as? InMemoryAdapter)?.recovery {
            let (more, horizon) = store.packets(after: restored.horizon, for: rooms)
            missed += more
            replayHorizon = horizon
        }
        client.write(PreparedPacket(SocketPacketEncoder.encode(connectAnswer)))
        for packet in missed { client.write(packet) }
    }

    /// A socket that never connected (refused by a middleware, or its client left meanwhile): a
    /// middleware may have joined rooms for it, which nothing else would ever leave. Loop only.
    func discardUnconnected() {
        joinable.store(false, ordering: .releasing)
        namespace.adapter.delAll(id)
        listeners.withLock { $0 = ListenerTable() }
    }

    /// Loop only. `disconnecting` sees the rooms, `disconnect` sees the socket gone.
    func onClose(_ reason: DisconnectReason) {
        guard connected else { return }
        let disconnecting = listeners.withLock { $0.disconnecting }
        for handler in disconnecting { handler(reason) }

        if let pid, reason.isRecoverable {
            namespace.adapter.persistSession(PersistedSession(sid: id, pid: pid, rooms: rooms, data: data,
                                                              connectOffset: connectOffset))
        }

        joinable.store(false, ordering: .releasing)
        namespace.adapter.delAll(id)
        namespace.remove(self)
        client.remove(self)
        connectedFlag.store(false, ordering: .releasing)
        for fail in acks.failAll(.disconnected) { fail() }

        let disconnect = listeners.withLock { $0.disconnect }
        for handler in disconnect { handler(reason) }
        // Handlers usually capture the socket; dropping them breaks those cycles.
        listeners.withLock { $0 = ListenerTable() }
        hasOutgoingListeners.store(false, ordering: .releasing)
    }
}

/// A value kept behind one reference.
final class Box<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
