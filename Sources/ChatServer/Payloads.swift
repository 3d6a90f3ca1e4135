// The chat's wire format, as web/app.js reads and writes it. Requests decode leniently (every field
// optional) so a malformed one still gets an answer the page can show.

struct JoinRequest: Decodable, Sendable { var name: String? }
struct RoomRequest: Decodable, Sendable { var room: String? }
struct MessageRequest: Decodable, Sendable { var text: String? }

struct RoomCount: Encodable, Equatable, Sendable {
    let name: String
    let count: Int
}

struct Refusal: Encodable, Sendable {
    let ok = false
    let error: String
    init(_ error: ChatError) { self.error = error.message }
}

struct Joined: Encodable, Sendable {
    let ok = true
    let name: String
    let room: String
    let rooms: [RoomCount]
    let online: Int
    /// The room's recent messages, oldest first.
    let history: [ChatMessage]
}

struct RoomChanged: Encodable, Sendable {
    let ok = true
    /// As first created, whatever the spelling asked for.
    let room: String
    let rooms: [RoomCount]
    let online: Int
    let history: [ChatMessage]
}

struct Accepted: Encodable, Sendable {
    let ok = true
}

/// `user joined` / `user left` the chat (not a room switch); `online` counts the room's members after
/// the change.
struct Presence: Encodable, Sendable {
    let name: String
    let room: String
    let online: Int
}

struct ChatMessage: Codable, Sendable, Equatable {
    let id: Int
    let name: String
    let text: String
    /// Milliseconds since 1970, what JavaScript's `Date` takes.
    let ts: Int
    let room: String
    /// The sender's Socket.IO socket id: the page marks its own messages with it.
    let from: String
}

struct TypingNotice: Encodable, Sendable {
    let name: String
    let typing: Bool
}

struct Notification: Encodable, Sendable {
    let message: String
    let ts: Int
}

struct Empty: Encodable, Sendable {}
