import Foundation
import SocketIO

/// The `/notifications` namespace: each socket names its user in `auth` and joins the room
/// `user:<name>`, which `POST /api/notify` emits to from outside any socket handler.
///
/// Only the chat member of that name may listen, over the same client connection: otherwise anyone
/// could read anyone's notifications by naming them in `auth`. The page connects here after each
/// (re-)join, so the join is always known by then.
enum Notifications {
    static let namespace = "/notifications"

    static func room(for user: String) -> String { "user:" + user }

    static func start(on io: SocketIOServer, chat: Chat) {
        let notifications = io.of(namespace)
        notifications.use { socket in
            guard let user = user(of: socket) else { throw ConnectionRejected("auth.user is required") }
            // Joins run on the chat's queue: ask there, so a join the client sent first is seen.
            let joined = await withCheckedContinuation { done in
                chat.serially { done.resume(returning: chat.withState { $0.hasMember(named: user, on: socket.connectionID) }) }
            }
            guard joined else { throw ConnectionRejected("Join the chat as \(user) on this connection first") }
        }
        notifications.onConnection { socket in
            if let user = user(of: socket) { socket.join(room(for: user)) }
        }
        io.route("POST", "/api/notify") { request in notify(io, request) }
    }

    /// The user as the client gave it: it must match the name the chat knows, unchanged.
    private static func user(of socket: Socket) -> String? {
        guard let user = socket.handshake.auth["user"]?.stringValue, !user.isEmpty else { return nil }
        return user
    }

    private struct NotifyRequest: Decodable {
        let user: String
        let message: String
    }

    private struct ErrorBody: Encodable {
        let error: String
    }

    /// `{"user": "Alice", "message": "..."}` → `{"delivered": N}`, N being the sockets that were in the room.
    private static func notify(_ io: SocketIOServer, _ request: IncomingRequest) -> RouteResponse {
        let body: NotifyRequest
        do {
            body = try JSONDecoder().decode(NotifyRequest.self, from: Data(request.body))
        } catch {
            return .json(ErrorBody(error: #"Expected a JSON body {"user": string, "message": string}"#), status: 400)
        }
        guard !body.user.isEmpty, !body.message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return .json(ErrorBody(error: "user and message must not be empty"), status: 400)
        }
        let notifications = io.of(namespace)
        let room = room(for: body.user)
        let delivered = notifications.adapter.sockets([room]).count
        let notification = Notification(message: body.message, ts: Int((Date().timeIntervalSince1970 * 1000).rounded()))
        do {
            try notifications.to(room).emit("notification", notification)
        } catch {
            return .json(ErrorBody(error: "cannot send: \(error)"), status: 500)
        }
        // Spelled out to keep the documented body byte for byte.
        return RouteResponse(status: 200, headers: [("Content-Type", "application/json")],
                             body: Array(#"{"delivered": \#(delivered)}"#.utf8))
    }
}

extension RouteResponse {
    /// A JSON response; a value that cannot be encoded becomes a 500.
    static func json(_ value: some Encodable, status: Int = 200) -> RouteResponse {
        guard let body = try? JSONEncoder().encode(value) else {
            return .text("cannot encode the response", status: 500)
        }
        return RouteResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(body))
    }
}
