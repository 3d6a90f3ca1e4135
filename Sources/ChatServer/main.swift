// The chat app of web/: rooms, typing indicators, rate limits and notifications over Socket.IO,
// with the stock browser client served like Node's `serveClient`.
//
//   chat [--host H] [--port P] [--web DIR] [--client-dir DIR] [--max-connections N] (see ChatOptions.usage)
import Dispatch
import Foundation
import SocketIO

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
let io = SocketIOServer(serverOptions)

let chat = Chat(io: io, history: InMemoryHistory(perRoom: options.historyPerRoom, rooms: options.historyRooms))
chat.start(maxConnections: options.maxConnections)
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

let signalSources = Shutdown.onSignals(io)
withExtendedLifetime(signalSources) { dispatchMain() }
