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
    private let state = Mutex(ChatState())
    private let queue = DispatchQueue(label: "chat.state")

    init(io: SocketIOServer) { self.io = io }

    /// Runs `change` after every change queued before it.
    func serially(_ change: @escaping @Sendable () -> Void) { queue.async(execute: change) }

    func withState<Result: Sendable, Failure: Error>(
        _ body: (inout ChatState) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try state.withLock { (state: inout ChatState) throws(Failure) -> Result in try body(&state) }
    }

    // MARK: Changes (on the queue only)

    func join(_ socket: Socket, name raw: String?) -> Result<Joined, ChatError> {
        let member: ChatState.Member
        do {
            let name = try Validation.name(raw)
            member = try withState { (state: inout ChatState) throws(ChatError) in try state.join(socket.id, name: name, connection: socket.connectionID) }
        } catch {
            return .failure(error)
        }
        socket.join(member.room)
        announce("user joined", member.name, in: member.room)
        let rooms = publishRooms()
        let online = withState { $0.count(in: member.room) }
        return .success(Joined(name: member.name, room: member.room, rooms: rooms, online: online))
    }

    func move(_ socket: Socket, to raw: String?) -> Result<RoomChanged, ChatError> {
        let room: String
        let left: String?
        do {
            room = try Validation.room(raw)
            left = try withState { (state: inout ChatState) throws(ChatError) in try state.move(socket.id, to: room) }
        } catch {
            return .failure(error)
        }
        guard let left, let name = withState({ $0.member(socket.id)?.name }) else {
            return .success(RoomChanged(room: room, rooms: withState { $0.roomList }))
        }
        socket.leave(left)
        announce("user left", name, in: left)
        socket.join(room)
        announce("user joined", name, in: room)
        return .success(RoomChanged(room: room, rooms: publishRooms()))
    }

    func post(_ socket: Socket, text raw: String?) -> Result<Accepted, ChatError> {
        let message: ChatMessage
        do {
            let text = try Validation.message(raw)
            message = try withState { (state: inout ChatState) throws(ChatError) in try state.post(socket.id, text: text) }
        } catch {
            return .failure(error)
        }
        send { () throws(SocketIOError) in try io.to(message.room).emit("chat message", message) }
        return .success(Accepted())
    }

    func typing(_ socket: Socket, _ typing: Bool) {
        guard let member = withState({ $0.member(socket.id) }) else { return }
        // `socket.to` leaves the typist out.
        send { () throws(SocketIOError) in
            try socket.to(member.room).emit("typing", TypingNotice(name: member.name, typing: typing))
        }
    }

    func leave(_ socket: Socket) {
        guard let member = withState({ $0.leave(socket.id) }) else { return }
        // The socket has left its rooms already: this goes to the others.
        announce("user left", member.name, in: member.room)
        publishRooms()
    }

    // MARK: Emitting

    private func announce(_ event: String, _ name: String, in room: String) {
        let presence = Presence(name: name, room: room, online: withState { $0.count(in: room) })
        send { () throws(SocketIOError) in try io.to(room).emit(event, presence) }
    }

    /// Tells everyone the room list; returns it for the ack.
    @discardableResult
    private func publishRooms() -> [RoomCount] {
        let rooms = withState { $0.roomList }
        send { () throws(SocketIOError) in try io.emit("rooms", rooms) }
        return rooms
    }

    /// Emits fail only when a payload cannot be encoded: a bug worth a log line, not a crash.
    private func send(_ emit: () throws(SocketIOError) -> Void) {
        do { try emit() } catch { log("chat: emit failed: \(error)") }
    }
}
