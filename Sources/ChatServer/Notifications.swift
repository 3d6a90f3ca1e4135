import Foundation
import SocketIO

/// The `/notifications` namespace: each socket names its user in `auth` and joins the room
/// `user:<name>` (lowercased, names being unique ignoring case), which `POST /api/notify` emits to.
///
/// A subscription lives exactly as long as the chat membership that authorised it: only the member of
/// that name may subscribe, over the same client connection (otherwise anyone could read anyone's
/// notifications by naming them in `auth`), and when the member leaves the chat by any path the
/// subscription ends (the socket is disconnected from `/notifications`). Each join also ends any
/// subscription to the name held by another connection. The page connects here after each (re-)join.
enum Notifications {
    static let namespace = "/notifications"

    static func room(for user: String) -> String { "user:" + user.lowercased() }

    static func start(on io: SocketIOServer, chat: Chat, options: NotifyOptions) {
        let notifications = io.of(namespace)
        notifications.use { socket in
            guard let user = user(of: socket) else { throw ConnectionRejected("auth.user is required") }
            // Joins run on the chat's queue: ask there, so a join the client sent first is seen.
            // In the room before the CONNECT answer leaves, so a notification sent right after the
            // client sees itself connected reaches it.
            let joined = await withCheckedContinuation { done in
                chat.serially {
                    let member = isMember(user, socket, chat)
                    if member { socket.join(room(for: user)) }
                    done.resume(returning: member)
                }
            }
            guard joined else { throw ConnectionRejected("Join the chat as \(user) on this connection first") }
        }
        notifications.onConnection { socket in
            guard let user = user(of: socket) else { return socket.disconnect() }
            // The member may have left since the middleware asked: ask again, in order with leaves,
            // which end the subscriptions they find in the room.
            chat.serially {
                if !isMember(user, socket, chat) {
                    socket.leave(room(for: user))
                    socket.disconnect()
                }
            }
        }
        NotifyRoute(io: io, options: options).install()
    }

    /// Ends the subscriptions to `user`'s notifications, but those of the connection `except`.
    static func unsubscribe(_ user: String, on io: SocketIOServer, except connection: String? = nil) {
        let notifications = io.of(namespace)
        let room = room(for: user)
        for id in notifications.adapter.sockets([room]) {
            guard let socket = notifications.sockets[id], socket.connectionID != connection else { continue }
            // Out of the room at once; the DISCONNECT packet follows on the socket's loop.
            socket.leave(room)
            socket.disconnect()
        }
    }

    private static func isMember(_ user: String, _ socket: Socket, _ chat: Chat) -> Bool {
        chat.withState { $0.hasMember(named: user, on: socket.connectionID) }
    }

    /// The user as the client gave it.
    private static func user(of socket: Socket) -> String? {
        guard let user = socket.handshake.auth["user"]?.stringValue, !user.isEmpty else { return nil }
        return user
    }
}
