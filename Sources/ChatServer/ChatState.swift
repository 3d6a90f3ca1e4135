import Foundation
import SocketIO

/// Who is in the chat and where: a plain value, changed only through these methods, which keep the
/// per-room counts in step with the members.
struct ChatState: Sendable {
    static let lobby = "general"

    struct Member: Sendable {
        let name: String
        /// `Socket.connectionID` of the member's socket: `/notifications` accepts this connection only.
        let connection: String
        var room: String
        var limiter = RateLimiter(limit: Limits.messagesPerWindow, per: Limits.rateWindow)
    }

    private(set) var members: [SocketID: Member] = [:]
    private var counts: [String: Int] = [:]
    private var lastMessageID = 0

    func member(_ id: SocketID) -> Member? { members[id] }

    func count(in room: String) -> Int { counts[room, default: 0] }

    /// The lobby always, other rooms while someone is in them, sorted.
    var roomList: [RoomCount] {
        let others = counts.keys.filter { $0 != ChatState.lobby }.sorted()
        return ([ChatState.lobby] + others).map { RoomCount(name: $0, count: count(in: $0)) }
    }

    /// True when `name` has joined over the Engine.IO connection `connection`.
    func hasMember(named name: String, on connection: String) -> Bool {
        members.values.contains { $0.name == name && $0.connection == connection }
    }

    /// Adds the socket to the lobby under `name` (already validated).
    mutating func join(_ id: SocketID, name: String, connection: String) throws(ChatError) -> Member {
        if let existing = members[id] { throw .alreadyJoined(as: existing.name) }
        let taken = members.values.contains { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        if taken { throw .nameTaken(name) }
        let member = Member(name: name, connection: connection, room: ChatState.lobby)
        members[id] = member
        counts[member.room, default: 0] += 1
        return member
    }

    /// Moves the member to `room`; returns the room it left, or nil when it was there already.
    mutating func move(_ id: SocketID, to room: String) throws(ChatError) -> String? {
        guard let member = members[id] else { throw .notJoined }
        guard member.room != room else { return nil }
        decrement(member.room)
        counts[room, default: 0] += 1
        members[id]?.room = room
        return member.room
    }

    mutating func leave(_ id: SocketID) -> Member? {
        guard let member = members.removeValue(forKey: id) else { return nil }
        decrement(member.room)
        return member
    }

    /// A message from the member, if its rate allows; `text` is already validated.
    mutating func post(_ id: SocketID, text: String, at now: ContinuousClock.Instant = .now) throws(ChatError) -> ChatMessage {
        guard var member = members[id] else { throw .notJoined }
        guard member.limiter.allow(at: now) else { throw .tooFast }
        members[id] = member
        lastMessageID += 1
        return ChatMessage(id: lastMessageID, name: member.name, text: text,
                           ts: Int((Date().timeIntervalSince1970 * 1000).rounded()), room: member.room, from: id)
    }

    private mutating func decrement(_ room: String) {
        let left = count(in: room) - 1
        counts[room] = left > 0 ? left : nil
    }
}
