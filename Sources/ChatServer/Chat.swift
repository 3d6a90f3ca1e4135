import Dispatch
import SocketIO
import Synchronization

/// The chat on the main namespace.
///
/// Handlers run on their socket's event loop, and sockets are spread over several loops. Every change
/// therefore runs on one serial queue: the events a change emits (`user joined`, `rooms`, ...) are sent
/// from that one thread, so they reach every client in the order the changes happened. The lock only
/// makes the state safely shareable; it is never held while emitting.
final class Chat: Sendable {
    let io: SocketIOServer
    let history: any MessageHistory
    /// Set when several chat processes share Redis (`--redis`).
    let cluster: ChatCluster?
    private let state = Mutex(ChatState())
    private let queue = DispatchQueue(label: "chat.state")

    init(io: SocketIOServer, history: any MessageHistory, cluster: ChatCluster? = nil) {
        self.io = io
        self.history = history
        self.cluster = cluster
    }

    /// Runs `change` after every change queued before it.
    func serially(_ change: @escaping @Sendable () -> Void) { queue.async(execute: change) }

    func withState<Result: Sendable, Failure: Error>(
        _ body: (inout ChatState) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try state.withLock { (state: inout ChatState) throws(Failure) -> Result in try body(&state) }
    }

    // MARK: Changes (on the queue only)

    /// Adds the member; the caller answers it, then calls `welcome`, so the joiner has the room's
    /// history before anything said after it.
    func join(_ socket: Socket, name raw: String?) -> Result<Joined, ChatError> {
        let member: ChatState.Member
        do {
            let name = try Validation.name(raw)
            if withState({ $0.member(socket.id) }) == nil, let names = cluster?.names, !names.reserve(name, for: socket.id) {
                throw ChatError.nameTaken(name)
            }
            do {
                member = try withState { (state: inout ChatState) throws(ChatError) in try state.join(socket.id, name: name, connection: socket.connectionID) }
            } catch {
                if case .nameTaken = error { cluster?.names.release(name, of: socket.id) }
                throw error
            }
        } catch {
            return .failure(error as! ChatError)
        }
        socket.join(ChatState.socketRoom(member.room))
        // Only this connection may hear this name's notifications from now on.
        Notifications.unsubscribe(member.name, on: io, except: member.connection)
        return .success(withState { state in
            Joined(name: member.name, room: state.displayName(of: member.room), rooms: state.roomList,
                   online: state.count(in: member.room), history: history.recent(room: member.room))
        })
    }

    /// Tells the lobby and the room list about a member who joined.
    func welcome(_ socket: Socket) {
        guard let member = withState({ $0.member(socket.id) }) else { return }
        announce("user joined", member.name, in: member.room)
        publishRooms()
    }

    /// Moves the member. Nobody is told in words: a switch only changes the room counts.
    func move(_ socket: Socket, to raw: String?) -> Result<RoomChanged, ChatError> {
        let moved: (left: String?, room: String)
        do {
            let room = try Validation.room(raw)
            moved = try withState { (state: inout ChatState) throws(ChatError) in try state.move(socket.id, to: room) }
        } catch {
            return .failure(error)
        }
        if let left = moved.left, let name = withState({ $0.member(socket.id)?.name }) {
            socket.leave(ChatState.socketRoom(left))
            // A typist who walks away stops typing there.
            send { () throws(SocketIOError) in
                try io.to(ChatState.socketRoom(left)).emit("typing", TypingNotice(name: name, typing: false))
            }
            socket.join(ChatState.socketRoom(moved.room))
        }
        return .success(withState { state in
            RoomChanged(room: state.displayName(of: moved.room), rooms: state.roomList,
                        online: state.count(in: moved.room), history: history.recent(room: moved.room))
        })
    }

    /// After a move's answer: the new counts for everyone.
    func moved() { publishRooms() }

    func post(_ socket: Socket, text raw: String?) -> Result<Accepted, ChatError> {
        let message: ChatMessage
        let room: String
        do {
            let text = try Validation.message(raw)
            (message, room) = try withState { (state: inout ChatState) throws(ChatError) in
                (try state.post(socket.id, text: text), state.member(socket.id)?.room ?? ChatState.lobby)
            }
        } catch {
            return .failure(error)
        }
        history.record(message, room: room)
        send { () throws(SocketIOError) in try io.to(ChatState.socketRoom(room)).emit("chat message", message) }
        return .success(Accepted())
    }

    func typing(_ socket: Socket, _ typing: Bool) {
        guard let member = withState({ $0.member(socket.id) }) else { return }
        // `socket.to` leaves the typist out.
        send { () throws(SocketIOError) in
            try socket.to(ChatState.socketRoom(member.room)).emit("typing", TypingNotice(name: member.name, typing: typing))
        }
    }

    /// The member left the chat, however: namespace disconnect, closed connection, shutdown.
    func leave(_ socket: Socket) {
        guard let member = withState({ $0.leave(socket.id) }) else { return }
        cluster?.names.release(member.name, of: socket.id)
        // The name is free again: so are the notifications sent to it.
        Notifications.unsubscribe(member.name, on: io)
        // The socket has left its rooms already: this goes to the others.
        announce("user left", member.name, in: member.room)
        publishRooms()
    }

    // MARK: Emitting

    private func announce(_ event: String, _ name: String, in key: String) {
        let presence = withState { Presence(name: name, room: $0.displayName(of: key), online: $0.count(in: key)) }
        send { () throws(SocketIOError) in try io.to(ChatState.socketRoom(key)).emit(event, presence) }
    }

    /// Every process of a cluster sends its own clients the merged list, and tells the others its rooms.
    func publishRooms() {
        let (rooms, local) = withState { ($0.roomList, $0.localRooms) }
        send { () throws(SocketIOError) in try io.local.emit("rooms", rooms) }
        cluster?.presence.announce(local)
    }

    /// Another process's rooms changed (nil: it is leaving). On the queue only.
    func remoteRoomsChanged(_ process: String, rooms: [String: ChatState.Room]?) {
        let isNew = withState { $0.setRemote(process, rooms: rooms) }
        // A process heard for the first time has not heard ours yet.
        if isNew, rooms != nil { cluster?.presence.announce(withState { $0.localRooms }) }
        let list = withState { $0.roomList }
        send { () throws(SocketIOError) in try io.local.emit("rooms", list) }
    }

    /// Every 10 s: our names and rooms are still alive; processes silent for 30 s are forgotten.
    func clusterTick() {
        guard let cluster else { return }
        cluster.names.refresh(withState { state in state.members.map { ($0.value.name, $0.key) } })
        cluster.presence.announce(withState { $0.localRooms })
        if withState({ $0.forgetRemote(silentSince: .now - .seconds(30)) }) {
            let list = withState { $0.roomList }
            send { () throws(SocketIOError) in try io.local.emit("rooms", list) }
        }
    }

    /// Emits fail only when a payload cannot be encoded: a bug worth a log line, not a crash.
    private func send(_ emit: () throws(SocketIOError) -> Void) {
        do { try emit() } catch { log("chat: emit failed: \(error)") }
    }
}
