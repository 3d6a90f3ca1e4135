// `conformance-server --cluster --redis URL`: the multi-server contract on `/` (CORS `*`), run as two
// or three processes on one Redis by Tests/Interop/test_cluster.py:
//
//   on connection          join the room named by the string `auth.room`, if any
//   "broadcast"(ev, p)     io.emit(ev, p)
//   "to"(room, ev, p)      io.to(room).emit(ev, p)
//   "count"(ack)           ack(fetchSockets().count over every server), -1 on error
//   "serverSideEmit"(x)    io.serverSideEmit("ping", x)
//   server-side "ping" x   prints `serverSideEmit received ping <x as compact JSON>`
//   "ackAll"(x, ack)       io.timeout(2 s).emit("q", x) collecting acks, then ack({"err": Bool, "res": [...]})
//
// Extra events for the tests: "rooms"(ack) acks allRooms() sorted, "serverCount"(ack), "join"(room,
// ack), "socketsJoin"(room, target) / "socketsLeave", "disconnectRoom"(room), "serverSideEmitWithAck"(x,
// ack) acks {"err", "res"} from the other servers' "ping?" handlers, "fetch"(room, ack) acks
// [{id, rooms, data}] sorted by id, "remoteEmit"(id, ev, p) emits through the RemoteSocket of `id`.
import Dispatch
import Foundation
import SocketIO
import SocketIOParser

func runCluster(port: Int, adapter: (@Sendable (Namespace) -> any Adapter)?) -> [any DispatchSourceSignal] {
    var options = ServerOptions()
    options.cors = .anyOrigin
    if let adapter { options.adapter = adapter }
    let io = SocketIOServer(options)

    io.onServerSideEmit("ping") { args, _ in
        let text = String(decoding: JSONCodec.encode(args.first ?? .null), as: UTF8.self)
        FileHandle.standardOutput.write(Data("serverSideEmit received ping \(text)\n".utf8))
    }
    io.onServerSideEmit("ping?") { args, reply in
        reply?(["pong": .int(io.port ?? 0), "x": args.first ?? .null])
    }

    io.onConnection { socket in
        if let room = socket.handshake.auth["room"]?.stringValue { socket.join(room) }
        socket.data = ["port": .int(io.port ?? 0)]

        socket.on("broadcast") { args, _ in
            guard let event = args.first?.stringValue else { return }
            io.emit(event, arguments: Array(args.dropFirst().prefix(1)))
        }
        socket.on("to") { args, _ in
            guard let room = args.first?.stringValue, let event = args[safe: 1]?.stringValue else { return }
            io.to(room).emit(event, arguments: Array(args.dropFirst(2).prefix(1)))
        }
        socket.on("count") { _, ack in
            Task {
                let count = (try? await io.fetchSockets().count) ?? -1
                ack?(.int(count))
            }
        }
        socket.on("serverSideEmit") { args, _ in io.serverSideEmit("ping", args.first ?? .null) }
        socket.on("ackAll") { args, ack in
            let payload = args.first ?? .null
            Task {
                do {
                    let answers = try await io.timeout(.seconds(2)).emitWithAck("q", payload)
                    ack?(["err": false, "res": .array(answers)])
                } catch SocketIOError.broadcastAckTimeout(let responses) {
                    ack?(["err": true, "res": .array(responses)])
                } catch {
                    ack?(["err": true, "res": []])
                }
            }
        }

        socket.on("rooms") { _, ack in
            Task {
                do { ack?(.array(try await io.sockets.allRooms().sorted().map { .string($0) })) } catch {
                    ack?(.string("\(error)"))
                }
            }
        }
        socket.on("serverCount") { _, ack in Task { ack?(.int(await io.serverCount())) } }
        socket.on("join") { args, ack in
            if let room = args.first?.stringValue { socket.join(room) }
            ack?(true)
        }
        socket.on("socketsJoin") { args, ack in
            guard let room = args.first?.stringValue else { return }
            let target = args[safe: 1]?.stringValue
            if let target { io.in(target).socketsJoin(room) } else { io.socketsJoin(room) }
            ack?(true)
        }
        socket.on("socketsLeave") { args, ack in
            guard let room = args.first?.stringValue else { return }
            let target = args[safe: 1]?.stringValue
            if let target { io.in(target).socketsLeave(room) } else { io.socketsLeave(room) }
            ack?(true)
        }
        socket.on("disconnectRoom") { args, ack in
            ack?(true)
            guard let room = args.first?.stringValue else { return }
            io.in(room).disconnectSockets(close: args[safe: 1]?.boolValue ?? false)
        }
        socket.on("serverSideEmitWithAck") { args, ack in
            Task {
                do {
                    let answers = try await io.serverSideEmitWithAck("ping?", args.first ?? .null, timeout: .seconds(2))
                    ack?(["err": false, "res": .array(answers)])
                } catch SocketIOError.clusterTimeout(_, _, _, let responses) {
                    ack?(["err": true, "res": .array(responses)])
                } catch {
                    ack?(["err": true, "res": [], "message": .string("\(error)")])
                }
            }
        }
        socket.on("fetch") { args, ack in
            let room = args.first?.stringValue
            Task {
                do {
                    let found = try await (room.map { io.in($0) } ?? io.broadcastOperator).fetchSockets()
                    ack?(.array(found.sorted { $0.id < $1.id }.map { remote in
                        ["id": .string(remote.id), "rooms": .array(remote.rooms.sorted().map { .string($0) }),
                         "data": remote.data, "local": .bool(remote.local != nil)]
                    }))
                } catch {
                    ack?(.string("\(error)"))
                }
            }
        }
        socket.on("remoteEmit") { args, ack in
            guard let id = args.first?.stringValue, let event = args[safe: 1]?.stringValue else { return }
            let payload = args[safe: 2] ?? .null
            Task {
                let found = (try? await io.fetchSockets()) ?? []
                for remote in found where remote.id == id { remote.emit(event, payload) }
                ack?(.bool(found.contains { $0.id == id }))
            }
        }
    }

    do {
        announce(try io.listen(host: "127.0.0.1", port: port))
    } catch {
        fail("\(error)")
    }
    return onTermination { await stop(io) }
}
