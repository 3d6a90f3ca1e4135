// `conformance-server --soak [--redis URL] [--ping-interval-ms N] [--ping-timeout-ms N]`: the server the
// chaos soak (scripts/soak, Tests/Soak) runs as two processes on one Redis. Every timeout is at most
// pingInterval + pingTimeout, so whatever a vanished client leaves behind is gone within that window:
//
//   on connection          join every string of `auth.rooms` (so a reconnect restores membership)
//   "join"(room, ack)      join, ack(the socket's rooms without its own id, sorted)
//   "leave"(room, ack)     leave, ack(rooms)
//   "rooms"(ack)           ack(rooms)
//   "send"(room, p[, ack]) io.to(room).emit("m", p) over every server, then ack(true) if asked
//   "echo"(x, ack)         ack(x)
//   GET /soak/stats        {"sessions": Engine.IO sessions, "sockets": sockets of `/`, "rooms": rooms
//                          this server's adapter holds (each socket's own room included), "disconnects":
//                          {reason: count} since start, so the soak can tell ping timeouts from resets}
import Dispatch
import Foundation
import SocketIO
import SocketIOParser
import Synchronization

struct SoakTimings {
    var pingInterval: Duration = .milliseconds(1000)
    var pingTimeout: Duration = .milliseconds(2000)
}

func runSoak(port: Int, adapter: (@Sendable (Namespace) -> any Adapter)?, timings: SoakTimings) -> [any DispatchSourceSignal] {
    var options = ServerOptions()
    options.cors = .anyOrigin
    options.pingInterval = timings.pingInterval
    options.pingTimeout = timings.pingTimeout
    let window = timings.pingInterval + timings.pingTimeout
    // Slow-loris heads, silent upgrades and unread closes end within the same window as a dead session.
    options.headerTimeout = min(.seconds(2), window)
    options.requestTimeout = window
    options.keepAliveTimeout = min(.seconds(2), window)
    options.upgradeTimeout = window
    options.connectTimeout = window
    options.closeTimeout = window
    if let adapter { options.adapter = adapter }
    let io = SocketIOServer(options)
    let disconnects = Mutex<[String: Int]>([:])

    io.route("GET", "/soak/stats") { _ in
        let stats: JSONValue = [
            "sessions": .int(io.engineClientsCount),
            "sockets": .int(io.sockets.sockets.count),
            "rooms": .int(io.sockets.adapter.rooms.count),
            "disconnects": .object(JSONObject(disconnects.withLock { $0 }.sorted { $0.key < $1.key }
                .map { ($0.key, JSONValue.int($0.value)) })),
        ]
        return RouteResponse(headers: [("Content-Type", "application/json")], body: JSONCodec.encode(stats))
    }

    io.onConnection { socket in
        let rooms = socket.handshake.auth["rooms"]?.arrayValue?.compactMap(\.stringValue) ?? []
        socket.join(rooms)
        let own: @Sendable () -> JSONValue = {
            .array(socket.rooms.subtracting([socket.id]).sorted().map { .string($0) })
        }
        socket.on("join") { args, ack in
            if let room = args.first?.stringValue { socket.join(room) }
            ack?(own())
        }
        socket.on("leave") { args, ack in
            if let room = args.first?.stringValue { socket.leave(room) }
            ack?(own())
        }
        socket.on("rooms") { _, ack in ack?(own()) }
        socket.on("send") { args, ack in
            guard let room = args.first?.stringValue else { return }
            io.to(room).emit("m", arguments: Array(args.dropFirst().prefix(1)))
            ack?(true)
        }
        socket.on("echo") { args, ack in ack?.send(arguments: args) }
        socket.onDisconnect { reason in disconnects.withLock { $0[reason.rawValue, default: 0] += 1 } }
    }

    do {
        announce(try io.listen(host: "127.0.0.1", port: port))
    } catch {
        fail("\(error)")
    }
    return onTermination { await io.close() }
}
