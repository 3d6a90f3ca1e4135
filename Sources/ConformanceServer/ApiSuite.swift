// `conformance-server --api-suite`: a Socket.IO server written against the public API the way an
// application would, exposing each API behaviour as an event so Tests/Interop/test_socketio_api.py
// can drive it from an independent client (python-socketio).
//
// Namespaces: `/` (middleware rejects auth {"token":"bad"}), `/admin` (middleware wants auth
// {"role":"admin"}), and dynamic ones matching ^/team-\d+$. Every namespace gets the same events;
// "room", "broadcast", ... then mean "in this namespace".
import Dispatch
import SocketIO
import SocketIOParser
import Synchronization

func runApiSuite(port: Int, adapter: (@Sendable (Namespace) -> any Adapter)?,
                 tuning: Arguments.Tuning = Arguments.Tuning()) -> [any DispatchSourceSignal] {
    var options = ServerOptions()
    if let adapter { options.adapter = adapter }
    options.path = "/socket.io/"
    options.pingInterval = .milliseconds(300)
    options.pingTimeout = .milliseconds(200)
    if let ms = tuning.pingIntervalMs { options.pingInterval = .milliseconds(ms) }
    if let ms = tuning.pingTimeoutMs { options.pingTimeout = .milliseconds(ms) }
    if let loops = tuning.loops { options.loops = loops }
    options.connectTimeout = .milliseconds(1000)
    options.cors = .anyOrigin
    let io = SocketIOServer(options)
    let disconnects = DisconnectLog()

    // Middleware on `/`: rejects a bad token with data the client can read in connect_error, and
    // keeps the client's chosen name in `socket.data` (visible to fetchSockets).
    io.use { socket in
        let auth = socket.handshake.auth
        if auth["token"]?.stringValue == "bad" {
            throw ConnectionRejected("not authorized", data: ["reason": "bad token", "code": 42])
        }
        if let name = auth["name"] { socket.data = ["name": name] }
    }
    io.onConnection { socket in installEvents(on: socket, disconnects: disconnects) }

    io.of("/admin")
        .use { socket in
            guard socket.handshake.auth["role"]?.stringValue == "admin" else {
                throw ConnectionRejected("admin only", data: ["role": socket.handshake.auth["role"] ?? .null])
            }
        }
        .onConnection { socket in
            socket.emit("welcome", .string(socket.namespace.name))
            installEvents(on: socket, disconnects: disconnects)
        }

    do {
        // Dynamic namespaces: the parent's middleware and handler apply to every child.
        let teams = try io.of(matching: #"^/team-\d+$"#)
        teams
            .use { socket in
                if socket.handshake.auth["team"]?.stringValue == "closed" {
                    throw ConnectionRejected("team closed")
                }
            }
            .onConnection { socket in
                socket.emit("welcome", .string(socket.namespace.name))
                installEvents(on: socket, disconnects: disconnects)
                // Reaches every child namespace, not only the sender's.
                socket.on("all-teams") { args, ack in
                    teams.emit("team-news", .string(socket.namespace.name), args.first ?? .null)
                    ack?(true)
                }
            }
        announce(try io.listen(host: "127.0.0.1", port: port))
    } catch {
        fail("\(error)")
    }
    return onTermination { await stop(io) }
}

/// Server-side disconnect reasons by socket id, so a test can ask (from another client) why a
/// socket left, and which rooms `disconnecting` still saw.
final class DisconnectLog: Sendable {
    private let records = Mutex<[String: JSONValue]>([:])
    private let last = Mutex<JSONValue>(.null)

    func record(_ id: String, _ value: JSONValue) {
        records.withLock { $0[id] = value }
        last.withLock { $0 = value }
    }

    /// The record of `id`, or the latest one when `id` is nil; null when none (yet).
    func lookup(_ id: String?) -> JSONValue {
        guard let id else { return last.withLock { $0 } }
        return records.withLock { $0[id] } ?? .null
    }
}

// MARK: Events

private func installEvents(on socket: Socket, disconnects: DisconnectLog) {
    let nsp = socket.namespace
    installDisconnectTracking(socket, disconnects)

    // Rooms.
    socket.on("join") { args, ack in
        socket.join(rooms(args.first))
        ack?(sortedStrings(socket.rooms))
    }
    socket.on("leave") { args, ack in
        socket.leave(rooms(args.first))
        ack?(sortedStrings(socket.rooms))
    }
    socket.on("rooms") { _, ack in ack?(sortedStrings(socket.rooms)) }

    // Broadcasts. The first argument names the room(s): a string or a list (a union).
    socket.on("to-room") { args, ack in
        nsp.to(rooms(args.first)).emit("room-message", arguments: rest(args, 1))
        ack?(true)
    }
    socket.on("broadcast") { args, ack in
        socket.broadcast.emit("broadcast-message", arguments: args)
        ack?(true)
    }
    socket.on("except") { args, ack in
        nsp.except(rooms(args.first)).emit("except-message", arguments: rest(args, 1))
        ack?(true)
    }
    socket.on("to-except") { args, ack in
        nsp.to(rooms(args.first)).except(rooms(args[safe: 1])).emit("to-except-message", arguments: rest(args, 2))
        ack?(true)
    }
    socket.on("socket-to-room") { args, ack in  // socket.to(room): the room minus the sender
        socket.to(rooms(args.first)).emit("room-message", arguments: rest(args, 1))
        ack?(true)
    }

    // Acknowledgements from clients.
    socket.on("ask-client") { args, _ in
        let timeout = Duration.milliseconds(args.first?.intValue ?? 500)
        Task {
            // Typed `do`: a plain `do` in a closure catches `any Error`, not SocketIOError.
            do throws(SocketIOError) {
                let reply = try await socket.timeout(timeout).emitWithAck("question", 1, "two")
                socket.emit("ask-result", .array(reply))
            } catch {
                socket.emit("ask-result", ["error": .string(errorName(error))])
            }
        }
    }
    socket.on("ask-all") { args, ack in
        let timeout = Duration.milliseconds(args.first?.intValue ?? 500)
        Task {
            do throws(SocketIOError) {
                ack?(.array(try await nsp.timeout(timeout).emitWithAck("question-all", .string(socket.id))))
            } catch {
                var answer: JSONObject = ["error": .string(errorName(error))]
                if case .broadcastAckTimeout(let responses) = error { answer["responses"] = .array(responses) }
                ack?(.object(answer))
            }
        }
    }

    // Server utilities over a room (the first argument); "*" means every socket.
    socket.on("fetch") { args, ack in
        Task {
            let found = ((try? await select(nsp, args.first).fetchSockets()) ?? []).sorted { $0.id < $1.id }
            ack?(.array(found.map { remote in
                ["id": .string(remote.id), "rooms": sortedStrings(remote.rooms), "data": remote.data]
            }))
        }
    }
    socket.on("sockets-join") { args, ack in
        select(nsp, args.first).socketsJoin(rooms(args[safe: 1]))
        ack?(true)
    }
    socket.on("sockets-leave") { args, ack in
        select(nsp, args.first).socketsLeave(rooms(args[safe: 1]))
        ack?(true)
    }
    socket.on("disconnect-room") { args, ack in
        ack?(true)  // first: the sender may be in the room
        select(nsp, args.first).disconnectSockets(close: args[safe: 1]?.boolValue ?? false)
    }
    socket.on("direct") { args, ack in  // through the RemoteSockets fetchSockets returns
        Task {
            for remote in (try? await select(nsp, args.first).fetchSockets()) ?? [] {
                remote.emit("direct", .string(remote.id))
            }
            ack?(true)
        }
    }
    socket.on("disconnect-me") { args, _ in socket.disconnect(close: args.first?.boolValue ?? false) }

    // Payloads.
    socket.on("binary-echo") { args, ack in
        socket.emit("binary-echo", arguments: args)
        ack?.send(arguments: args)
    }
    socket.on("multi-args") { args, ack in
        // Replies with several arguments: the count, then the arguments reversed.
        ack?.send(arguments: [.int(args.count)] + args.reversed())
    }
    socket.on("volatile") { args, ack in
        let count = args.first?.intValue ?? 0
        for i in 0..<count { socket.volatile.emit("volatile-tick", .int(i)) }
        socket.emit("volatile-done", .int(count))
        ack?(true)
    }

    // onAny sees every incoming event, before its handler.
    let seen = Mutex<[JSONValue]>([])
    socket.onAny { event, _ in seen.withLock { $0.append(.string(event)) } }
    socket.on("any-count") { _, ack in
        let events = seen.withLock { $0 }
        ack?(.int(events.count), .array(events))
    }

    // onAnyOutgoing sees every event sent to this socket (emits and broadcasts, not ack replies).
    let sent = Mutex<[JSONValue]>([])
    socket.onAnyOutgoing { event, _ in sent.withLock { $0.append(.string(event)) } }
    socket.on("outgoing") { _, ack in ack?(.array(sent.withLock { $0 })) }

    // A per-packet middleware refuses "forbidden"; the socket's error handler reports it.
    socket.use { event, _ in
        if event == "forbidden" { throw PacketRefused() }
    }
    socket.on("forbidden") { _, ack in ack?("handler ran") }
    socket.onError { error in socket.emit("error-seen", .string(String(describing: error))) }

    socket.on("last-disconnect") { args, ack in ack?(disconnects.lookup(args.first?.stringValue)) }
    socket.on("whoami") { _, ack in
        ack?(["id": .string(socket.id), "namespace": .string(nsp.name), "auth": socket.handshake.auth])
    }
    socket.on("handshake") { _, ack in
        let handshake = socket.handshake
        func strings(_ map: [String: String]) -> JSONValue {
            .object(JSONObject(map.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
        }
        ack?(["headers": strings(handshake.headers), "query": strings(handshake.query),
              "address": .string(handshake.address), "url": .string(handshake.url),
              "issued": .int(handshake.issued), "time": .string(handshake.time)])
    }
}

/// `disconnecting` sees the rooms, `disconnect` the reason: both go into the log.
private func installDisconnectTracking(_ socket: Socket, _ disconnects: DisconnectLog) {
    let roomsAtDisconnecting = Mutex<JSONValue>(.null)
    socket.onDisconnecting { _ in roomsAtDisconnecting.withLock { $0 = sortedStrings(socket.rooms) } }
    socket.onDisconnect { reason in
        disconnects.record(socket.id, [
            "id": .string(socket.id),
            "namespace": .string(socket.namespace.name),
            "reason": .string(reason.rawValue),
            "rooms": roomsAtDisconnecting.withLock { $0 },
            "roomsAfter": sortedStrings(socket.rooms),
        ])
    }
}

// MARK: Helpers

struct PacketRefused: Error, CustomStringConvertible {
    var description: String { "refused by the packet middleware" }
}

/// The arguments after the first `count`, to forward. Typed on purpose: with an untyped
/// `Array(args.dropFirst())` the compiler picks the throwing `emit(_:_: some Encodable)` overload.
private func rest(_ args: [JSONValue], _ count: Int) -> [JSONValue] { Array(args.dropFirst(count)) }

/// A room argument: one name or a list of names.
private func rooms(_ value: JSONValue?) -> [Room] {
    switch value {
    case .string(let room)?: [room]
    case .array(let items)?: items.compactMap(\.stringValue)
    default: []
    }
}

/// The sockets in the given room(s), or the whole namespace for "*".
private func select(_ nsp: Namespace, _ value: JSONValue?) -> BroadcastOperator {
    value?.stringValue == "*" ? nsp.broadcastOperator : nsp.in(rooms(value))
}

private func sortedStrings(_ set: Set<String>) -> JSONValue {
    .array(set.sorted().map { .string($0) })
}

private func errorName(_ error: SocketIOError) -> String {
    switch error {
    case .ackTimeout, .broadcastAckTimeout: "timeout"
    case .disconnected: "disconnected"
    default: error.description
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
