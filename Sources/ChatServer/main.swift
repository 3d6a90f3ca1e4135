// The chat app of web/: rooms, typing indicators, rate limits and notifications over Socket.IO,
// with the stock browser client served like Node's `serveClient`.
//
//   chat [--host H] [--port P] [--web DIR] [--client-dir DIR] [--max-connections N] (see ChatOptions.usage)
import Dispatch
import Foundation
import SocketIO
import SocketIORedis

func log(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

let options: ChatOptions
do {
    options = try ChatOptions(arguments: CommandLine.arguments.dropFirst())
} catch .helpRequested {
    print(ChatOptions.usage)
    exit(0)
} catch {
    log("chat: \(error)\n\n\(ChatOptions.usage)")
    exit(2)
}

var isDirectory: ObjCBool = false
guard FileManager.default.fileExists(atPath: options.webDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
    log("chat: the web folder \(options.webDirectory) does not exist (--web DIR; run from the repository root)")
    exit(2)
}

var serverOptions = ServerOptions()
serverOptions.clientDirectory = options.clientDirectory
serverOptions.maxConnectionsPerAddress = options.maxConnectionsPerAddress
serverOptions.maxHandshakesPerSecondPerAddress = options.maxHandshakesPerSecondPerAddress
serverOptions.maxSessions = options.maxSessions
var cluster: ChatCluster? = nil
var redis: RedisConnection? = nil
if let url = options.redisURL {
    do { redis = try RedisConnection(url: url) } catch {
        log("chat: \(error)")
        exit(2)
    }
    serverOptions.adapter = redis!.adapter(RedisAdapterOptions(key: options.redisKey))
}
let io = SocketIOServer(serverOptions)
if let redis {
    let process = String(UInt64.random(in: 0 ..< .max), radix: 36)
    cluster = ChatCluster(names: RedisNames(redis: redis, key: options.redisKey, process: process),
                          history: RedisHistory(redis: redis, key: options.redisKey, perRoom: options.historyPerRoom),
                          presence: ClusterPresence(io: io, process: process))
}

let chat = Chat(io: io, history: cluster?.history ?? InMemoryHistory(perRoom: options.historyPerRoom, rooms: options.historyRooms),
                cluster: cluster)
chat.start(maxConnections: options.maxConnections)
cluster?.presence.start(chat: chat)
Notifications.start(on: io, chat: chat, options: options.notify)
io.serveStatic(options.webDirectory)

if case .missing(_, let hint) = io.clientBundle {
    log("chat: WARNING: \(hint)\nchat: the page cannot work until then; /socket.io/socket.io.js answers 404.")
}

let port: Int
do {
    port = try io.listen(host: options.host, port: options.port)
} catch {
    log("chat: \(error)")
    exit(1)
}
let shownHost = options.host.contains(":") ? "[\(options.host)]" : options.host
// Written at once (not through print's buffer) so whoever started us sees it while we run.
FileHandle.standardOutput.write(Data("chat: open http://\(shownHost):\(port)/  (web: \(options.webDirectory), Ctrl-C to stop)\n".utf8))

let signalSources = Shutdown.onSignals(io, drainSeconds: options.drainSeconds)
withExtendedLifetime(signalSources) { dispatchMain() }
