import Synchronization

/// The recent messages of each room, shown to whoever enters it.
///
/// The chat calls it on its serial queue, in the order messages are posted; a store shared by several
/// chat processes (Redis, say) can stand behind the same two calls.
protocol MessageHistory: Sendable {
    /// Keeps `message` as the newest of the room `key` (see `ChatState.key`).
    func record(_ message: ChatMessage, room key: String)
    /// The room's kept messages, oldest first.
    func recent(room key: String) -> [ChatMessage]
}

/// The last `perRoom` messages of at most `rooms` rooms, in this process's memory. Past `rooms`, the
/// room that has been quiet longest is forgotten: rooms are free to create, memory is not.
final class InMemoryHistory: MessageHistory {
    let perRoom: Int
    let rooms: Int

    private struct Kept {
        var messages: [ChatMessage] = []
        /// When the room last got a message, in records: the smallest is the quietest room.
        var touched = 0
    }

    private let kept = Mutex<(rooms: [String: Kept], records: Int)>(([:], 0))

    init(perRoom: Int, rooms: Int) {
        self.perRoom = perRoom
        self.rooms = rooms
    }

    func record(_ message: ChatMessage, room key: String) {
        guard perRoom > 0, rooms > 0 else { return }
        kept.withLock { state in
            state.records += 1
            var room = state.rooms[key] ?? Kept()
            room.messages.append(message)
            if room.messages.count > perRoom { room.messages.removeFirst(room.messages.count - perRoom) }
            room.touched = state.records
            state.rooms[key] = room
            if state.rooms.count > rooms, let quietest = state.rooms.min(by: { $0.value.touched < $1.value.touched }) {
                state.rooms[quietest.key] = nil
            }
        }
    }

    func recent(room key: String) -> [ChatMessage] {
        kept.withLock { $0.rooms[key]?.messages ?? [] }
    }
}
