import Foundation
import SocketIO

/// Who is in the chat and where: a plain value, changed only through these methods, which keep the
/// rooms and their counts in step with the members.
///
/// Room names, like user names, compare ignoring case: a room is kept under its key (lowercased) and
/// shown as whoever created it spelled it, until it empties.
struct ChatState: Sendable {
    static let lobby = "general"

    struct Member: Sendable {
        let name: String
        /// `Socket.connectionID` of the member's socket: `/notifications` accepts this connection only.
        let connection: String
        /// The key of the member's room (see `ChatState.key`).
        var room: String
        var limiter = RateLimiter(limit: Limits.messagesPerWindow, per: Limits.rateWindow)
    }

    struct Room: Codable, Sendable, Equatable {
        /// As first created.
        let name: String
        var count: Int
    }

    private(set) var members: [SocketID: Member] = [:]
    /// By key; the lobby is always here, other rooms while someone is in them.
    private var rooms: [String: Room] = [ChatState.lobby: Room(name: ChatState.lobby, count: 0)]
    private var lastMessageID = 0
    /// The rooms of the other chat processes of a cluster, by process (see `ClusterPresence`), and when
    /// each was last heard of.
    private var remote: [String: (rooms: [String: Room], seen: ContinuousClock.Instant)] = [:]

    /// What two spellings of the same room have in common.
    static func key(_ room: String) -> String { room.lowercased() }

    /// The Socket.IO room of a chat room. Prefixed so that no chat room can be named after a socket's
    /// own room (its id) and reach that socket.
    static func socketRoom(_ key: String) -> String { "room:" + key }

    func member(_ id: SocketID) -> Member? { members[id] }

    /// Members in the room on every process of the cluster.
    func count(in key: String) -> Int {
        remote.values.reduce(rooms[key]?.count ?? 0) { $0 + ($1.rooms[key]?.count ?? 0) }
    }

    /// The room's name as shown (this process's spelling first); `key` itself for a room nobody is in.
    func displayName(of key: String) -> String {
        rooms[key]?.name ?? remote.values.lazy.compactMap { $0.rooms[key]?.name }.first ?? key
    }

    /// The lobby first, then the other rooms (of every process) by name.
    var roomList: [RoomCount] {
        var keys = Set(rooms.keys)
        for process in remote.values { keys.formUnion(process.rooms.keys) }
        keys.remove(ChatState.lobby)
        let others = keys.map { RoomCount(name: displayName(of: $0), count: count(in: $0)) }
            .filter { $0.count > 0 }
            .sorted { $0.name.lowercased() < $1.name.lowercased() }
        return [RoomCount(name: ChatState.lobby, count: count(in: ChatState.lobby))] + others
    }

    /// This process's rooms, for the other processes of a cluster.
    var localRooms: [String: Room] { rooms }

    /// Another process's rooms as it last told them (`nil`: it left). True when it was not known yet.
    @discardableResult
    mutating func setRemote(_ process: String, rooms: [String: Room]?, at now: ContinuousClock.Instant = .now) -> Bool {
        let known = remote[process] != nil
        if let rooms { remote[process] = (rooms, now) } else { remote[process] = nil }
        return !known
    }

    /// Forgets processes not heard of since `deadline` (they died without a word); true if any.
    mutating func forgetRemote(silentSince deadline: ContinuousClock.Instant) -> Bool {
        let before = remote.count
        remote = remote.filter { $0.value.seen >= deadline }
        return remote.count != before
    }

    /// True when `name` (ignoring case, like the uniqueness of names) has joined over `connection`.
    func hasMember(named name: String, on connection: String) -> Bool {
        members.values.contains { $0.connection == connection && $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// Adds the socket to the lobby under `name` (already validated).
    mutating func join(_ id: SocketID, name: String, connection: String) throws(ChatError) -> Member {
        if let existing = members[id] { throw .alreadyJoined(as: existing.name) }
        let taken = members.values.contains { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        if taken { throw .nameTaken(name) }
        let member = Member(name: name, connection: connection, room: ChatState.lobby)
        members[id] = member
        enter(member.room, named: ChatState.lobby)
        return member
    }

    /// Moves the member to the room `name` (already validated); returns the key of the room it left,
    /// or nil when it was there already.
    mutating func move(_ id: SocketID, to name: String) throws(ChatError) -> (left: String?, room: String) {
        guard let member = members[id] else { throw .notJoined }
        let key = ChatState.key(name)
        guard member.room != key else { return (nil, key) }
        leaveRoom(member.room)
        enter(key, named: name)
        members[id]?.room = key
        return (member.room, key)
    }

    mutating func leave(_ id: SocketID) -> Member? {
        guard let member = members.removeValue(forKey: id) else { return nil }
        leaveRoom(member.room)
        return member
    }

    /// A message from the member, if its rate allows; `text` is already validated.
    mutating func post(_ id: SocketID, text: String, at now: ContinuousClock.Instant = .now) throws(ChatError) -> ChatMessage {
        guard var member = members[id] else { throw .notJoined }
        guard member.limiter.allow(at: now) else { throw .tooFast }
        members[id] = member
        lastMessageID += 1
        return ChatMessage(id: lastMessageID, name: member.name, text: text,
                           ts: Int((Date().timeIntervalSince1970 * 1000).rounded()),
                           room: displayName(of: member.room), from: id)
    }

    /// A room that exists on another process of the cluster keeps the spelling it has there.
    private mutating func enter(_ key: String, named name: String) {
        let spelling = rooms[key]?.name ?? remote.values.lazy.compactMap { $0.rooms[key]?.name }.first ?? name
        rooms[key, default: Room(name: spelling, count: 0)].count += 1
    }

    private mutating func leaveRoom(_ key: String) {
        let left = (rooms[key]?.count ?? 0) - 1
        if left > 0 || key == ChatState.lobby {
            rooms[key]?.count = max(left, 0)
        } else {
            rooms[key] = nil
        }
    }
}
