import Dispatch
import Foundation
import SocketIO
import SocketIORedis

/// The bench contract, identical for every server compared (see Tests/Bench/python_server.py):
/// on connection to `/` join room "bench"; "echo"(...args) with an ack → ack with the same args;
/// "fanout"(payload) → io.to("bench").emit("fan", payload), sender included; "join"(room) → join.
enum BenchServer {
    /// With `redis` the room is shared through the Redis adapter (cluster runs of scripts/bench).
    /// With `recovery`, connection state recovery is on (Node's defaults): every fan-out is numbered
    /// and kept for replay, so a run with and without it shows the cost.
    static func run(port: Int, loops: Int, redis: String?, recovery: Bool = false) -> Never {
        var options = ServerOptions()
        if recovery { options.connectionStateRecovery = ConnectionStateRecovery() }
        if let redis {
            do { options.adapter = try RedisConnection(url: redis).adapter() } catch { fail("\(error)") }
        }
        options.loops = max(1, loops)
        options.cors = .anyOrigin
        options.httpCompression = false
        // The 19k-connection case: the descriptor limit (raised to the hard limit) is the real cap.
        options.maxConnections = max(10_000, ProcessStats.raiseFileLimit() - 64)
        let io = SocketIOServer(options)
        let room = io.to("bench")
        io.onConnection { socket in
            socket.join("bench")
            socket.on("echo") { args, ack in ack?.send(arguments: args) }
            socket.on("fanout") { args, _ in room.emit("fan", args.first ?? .null) }
            socket.on("join") { args, _ in
                if case .string(let name)? = args.first { socket.join(name) }
            }
        }
        do {
            let bound = try io.listen(host: "127.0.0.1", port: port)
            FileHandle.standardOutput.write(Data("listening on 127.0.0.1:\(bound) pid \(getpid())\n".utf8))
        } catch {
            fail("\(error)")
        }
        // SIGTERM/SIGINT end the process at once: a benchmark server has nothing to save.
        signal(SIGTERM) { _ in _exit(0) }
        signal(SIGINT) { _ in _exit(0) }
        while true { pause() }
    }
}
