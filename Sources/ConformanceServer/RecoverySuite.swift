// `conformance-server --recovery`: the connection state recovery contract on `/` (CORS `*`), for
// Tests/Interop/test_recovery*.py and the Chromium tests (the stock client implements recovery):
//
//   recovery on, maxDisconnectionDuration 4 s (--max-disconnection-ms N), skipMiddlewares
//   (--run-middlewares turns it off)
//   "join"(room, ack)        socket.join(room), ack(true)
//   "tick"(room, n, ms)      io.to(room).emit("tick", i) for i = 1...n, one every ms milliseconds
//   "whoami"(ack)            ack({"id", "rooms" (sorted), "recovered", "data"})
//
// Extras for the tests: a middleware that counts its runs (socket.data = {"middlewareRuns": n}, n
// over the whole server, so a skipped middleware leaves the recovered socket's old value);
// "cut"() closes the transport from the server side ("forced close", recoverable, no DISCONNECT);
// "private"(n) emits "private"(i) to this socket only, i = 1...n, through socket.emit;
// "stats"(ack) acks {"recovered", "failed"}, the server's recovery counters.
// Nothing is emitted to a socket unless it asks.
import Dispatch
import Foundation
import SocketIO
import Synchronization

func runRecovery(port: Int, maxDisconnection: Duration, runMiddlewares: Bool) -> [any DispatchSourceSignal] {
    var options = ServerOptions()
    options.cors = .anyOrigin
    var recovery = ConnectionStateRecovery(maxDisconnectionDuration: maxDisconnection)
    recovery.skipMiddlewares = !runMiddlewares
    options.connectionStateRecovery = recovery
    let io = SocketIOServer(options)

    let middlewareRuns = Atomic<Int>(0)
    io.use { socket in
        let runs = middlewareRuns.add(1, ordering: .relaxed).newValue
        socket.data = ["middlewareRuns": .int(runs)]
    }

    io.onConnection { socket in
        socket.on("join") { args, ack in
            guard let room = args.first?.stringValue else { return }
            socket.join(room)
            ack?(true)
        }
        socket.on("tick") { args, _ in
            guard args.count >= 3, let room = args[0].stringValue, let count = args[1].intValue,
                  let interval = args[2].intValue else { return }
            Task {
                for i in 1...max(1, count) {
                    if i > 1 { try? await Task.sleep(for: .milliseconds(interval)) }
                    io.to(room).emit("tick", .int(i))
                }
            }
        }
        socket.on("private") { args, _ in
            guard let count = args.first?.intValue, count > 0 else { return }
            for i in 1...count { socket.emit("private", .int(i)) }
        }
        socket.on("whoami") { _, ack in
            ack?(["id": .string(socket.id), "rooms": .array(socket.rooms.sorted().map { .string($0) }),
                  "recovered": .bool(socket.recovered), "data": socket.data])
        }
        socket.on("cut") { _, _ in socket.closeTransport() }
        socket.on("stats") { _, ack in
            let counts = io.recoveryCounts
            ack?(["recovered": .int(counts.recovered), "failed": .int(counts.failed)])
        }
    }

    do {
        announce(try io.listen(host: "127.0.0.1", port: port))
    } catch {
        fail("\(error)")
    }
    return onTermination { await stop(io) }
}
