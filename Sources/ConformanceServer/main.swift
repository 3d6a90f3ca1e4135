// The server the protocol conformance suites (socket.io-protocol, engine.io-protocol) run against.
//
//   conformance-server [--port N] [--engine-io | --api-suite | --cluster | --soak] [--redis URL [--streams] [--key K]]
//                      [--per-message-deflate] [--refuse-header NAME]
//
// Default: Socket.IO on /socket.io/ with namespaces / and /custom.
// With --engine-io: a bare Engine.IO server on /engine.io/ echoing every message.
// With --api-suite: Socket.IO on /socket.io/ exposing the server API as events (ApiSuite.swift).
// With --cluster: the multi-server contract of ClusterSuite.swift (meant with --redis).
// With --soak: the chaos soak's contract of SoakSuite.swift (short timeouts; --ping-interval-ms N and
// --ping-timeout-ms N, default 1000 / 2000).
// --redis URL puts the namespaces on the Redis adapter (`--key` sets its channel prefix), in the
// --api-suite, --cluster and --soak modes; with --streams, on the Redis Streams adapter (`--key` names the
// stream and prefixes the channels).
// --per-message-deflate offers RFC 7692 compression on WebSockets (off by default, like Node).
// --refuse-header NAME (Engine.IO mode): an `allowRequest` hook refuses handshakes carrying header NAME,
// so interop tests can see the 403 / code 4 answer; without it every handshake is allowed, as the spec's
// reference configuration has it.
// With --recovery: the connection state recovery contract of RecoverySuite.swift
// (--max-disconnection-ms N, default 4000; --run-middlewares).
// --drain-seconds N: SIGTERM/SIGINT drain the Socket.IO server over N seconds (`io.drain`) instead of
// closing at once (the default, 0).
// --max-connections-per-address N, --max-handshakes-per-second-per-address N, --max-sessions N
// (Engine.IO mode): the admission limits, off (or the library's default) unless given, for their tests.
// --ping-interval MS, --ping-timeout MS, --loops N (--api-suite): the heartbeat (default 300 / 200 ms,
// short for the disconnect tests) and the event loops (default one per core), for stress tests.
// With --websocket: Socket.IO plus a plain WebSocket endpoint at /ws (WebSocketSuite.swift), with
// --ws-max-message-bytes N, --ws-max-buffered-bytes N, --ws-max-connections N,
// --ws-heartbeat-ms INTERVAL,TIMEOUT and --ws-allowed-origin ORIGIN (repeatable) as its options.
import Dispatch
import EngineIO
import Foundation
import HTTPServer
import Reactor
import SocketIO
import SocketIORedis
import Synchronization

struct Arguments {
    var port = 3000
    var engineOnly = false
    var apiSuite = false
    var perMessageDeflate = false
    var refuseHeader: String?
    var limits = Limits()
    var cluster = false
    var redisURL: String?
    var redisKey = "socket.io"
    var tuning = Tuning()
    var streams = false
    var webSocket: WebSocketSuiteArguments?
    var recovery = false
    var maxDisconnectionMs = 4000
    var runMiddlewares = false
    var drainSeconds = 0.0
    var soak = false
    var soakTimings = SoakTimings()

    struct Limits {
        var connectionsPerAddress: Int?
        var handshakesPerSecondPerAddress: Int?
        var sessions: Int?
    }

    struct Tuning {
        var pingIntervalMs: Int?
        var pingTimeoutMs: Int?
        var loops: Int?
    }

    init(_ argv: [String]) {
        var rest = argv.dropFirst()[...]
        while let arg = rest.popFirst() {
            switch arg {
            case "--port":
                guard let value = rest.popFirst(), let port = Int(value) else { fail("--port needs a number") }
                self.port = port
            case "--engine-io": engineOnly = true
            case "--api-suite": apiSuite = true
            case "--per-message-deflate": perMessageDeflate = true
            case "--cluster": cluster = true
            case "--recovery": recovery = true
            case "--run-middlewares": runMiddlewares = true
            case "--max-disconnection-ms": maxDisconnectionMs = Self.number(arg, &rest)
            case "--drain-seconds":
                guard let value = rest.popFirst(), let seconds = Double(value), seconds >= 0 else {
                    fail("--drain-seconds needs a number of seconds (0: close at once)")
                }
                drainSeconds = seconds
            case "--soak": soak = true
            case "--ping-interval-ms": soakTimings.pingInterval = .milliseconds(Self.number(arg, &rest))
            case "--ping-timeout-ms": soakTimings.pingTimeout = .milliseconds(Self.number(arg, &rest))
            case "--redis":
                guard let url = rest.popFirst(), !url.isEmpty else { fail("--redis needs a URL (redis://host:port)") }
                redisURL = url
            case "--streams": streams = true
            case "--key":
                guard let key = rest.popFirst(), !key.isEmpty else { fail("--key needs a prefix") }
                redisKey = key
            case "--refuse-header":
                guard let name = rest.popFirst(), !name.isEmpty else { fail("--refuse-header needs a header name") }
                refuseHeader = name
            case "--max-connections-per-address": limits.connectionsPerAddress = Self.number(arg, &rest)
            case "--max-handshakes-per-second-per-address": limits.handshakesPerSecondPerAddress = Self.number(arg, &rest)
            case "--max-sessions": limits.sessions = Self.number(arg, &rest)
            case "--ping-interval": tuning.pingIntervalMs = Self.number(arg, &rest)
            case "--ping-timeout": tuning.pingTimeoutMs = Self.number(arg, &rest)
            case "--loops": tuning.loops = Self.number(arg, &rest)
            case "--websocket": webSocket = webSocket ?? WebSocketSuiteArguments()
            case "--ws-max-message-bytes": webSocket(\.options.maxMessageBytes, Self.number(arg, &rest))
            case "--ws-max-buffered-bytes": webSocket(\.options.maxBufferedBytes, Self.number(arg, &rest))
            case "--ws-max-connections": webSocket(\.options.maxConnections, Self.number(arg, &rest))
            case "--ws-allowed-origin":
                guard let origin = rest.popFirst() else { fail("--ws-allowed-origin needs an origin") }
                webSocket(\.options.allowedOrigins, (webSocket?.options.allowedOrigins ?? []) + [origin])
            case "--ws-heartbeat-ms":
                let parts = (rest.popFirst() ?? "").split(separator: ",").compactMap { Int($0) }
                guard parts.count == 2 else { fail("--ws-heartbeat-ms needs INTERVAL,TIMEOUT in milliseconds") }
                webSocket(\.options.heartbeat, WebSocketHeartbeat(interval: .milliseconds(parts[0]), timeout: .milliseconds(parts[1])))
            default: fail("unknown argument \(arg)")
            }
        }
        if refuseHeader != nil, !engineOnly { fail("--refuse-header applies to --engine-io only") }
        if redisURL != nil, !(apiSuite || cluster || soak) { fail("--redis applies to --api-suite, --cluster and --soak only") }
        if tuning.pingIntervalMs != nil || tuning.pingTimeoutMs != nil || tuning.loops != nil, !apiSuite {
            fail("--ping-interval, --ping-timeout and --loops apply to --api-suite only")
        }
        if webSocket != nil {
            webSocket?.perMessageDeflate = perMessageDeflate
            webSocket?.maxConnectionsPerAddress = limits.connectionsPerAddress
        }
    }

    /// Sets one option of the --websocket mode (the --ws-* flags imply it).
    mutating func webSocket<Value>(_ field: WritableKeyPath<WebSocketSuiteArguments, Value>, _ value: Value) {
        var suite = webSocket ?? WebSocketSuiteArguments()
        suite[keyPath: field] = value
        webSocket = suite
    }

    static func number(_ flag: String, _ rest: inout ArraySlice<String>) -> Int {
        guard let value = rest.popFirst(), let number = Int(value), number > 0 else { fail("\(flag) needs a positive number") }
        return number
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("conformance-server: \(message)\n".utf8))
    exit(2)
}

func announce(_ port: Int) {
    FileHandle.standardOutput.write(Data("listening on 127.0.0.1:\(port)\n".utf8))
}

/// Drains over `--drain-seconds` when given, else closes at once.
func stop(_ io: SocketIOServer) async {
    if arguments.drainSeconds > 0 {
        FileHandle.standardOutput.write(Data("draining over \(arguments.drainSeconds) s\n".utf8))
        await io.drain(over: .milliseconds(Int(arguments.drainSeconds * 1000)))
    } else {
        await io.close()
    }
}

/// Runs `stop` once on SIGTERM or SIGINT, then exits.
func onTermination(_ stop: @escaping @Sendable () async -> Void) -> [any DispatchSourceSignal] {
    let started = Atomic<Bool>(false)
    return [SIGTERM, SIGINT].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
        source.setEventHandler {
            guard !started.exchange(true, ordering: .relaxed) else { return }
            Task {
                await stop()
                exit(0)
            }
        }
        source.resume()
        return source
    }
}

// MARK: Socket.IO

func runSocketIO(port: Int, perMessageDeflate: Bool) -> [any DispatchSourceSignal] {
    var options = ServerOptions()
    options.path = "/socket.io/"
    options.pingInterval = .milliseconds(300)
    options.pingTimeout = .milliseconds(200)
    options.maxHttpBufferSize = 1_000_000
    options.connectTimeout = .milliseconds(1000)
    options.cors = .anyOrigin
    options.perMessageDeflate = perMessageDeflate
    let io = SocketIOServer(options)

    let onConnection: @Sendable (Socket) -> Void = { socket in
        socket.emit("auth", socket.handshake.auth)
        socket.on("message") { args, _ in socket.emit("message-back", arguments: args) }
        socket.on("message-with-ack") { args, ack in ack?.send(arguments: args) }
    }
    io.of("/").onConnection(onConnection)
    io.of("/custom").onConnection(onConnection)

    do {
        announce(try io.listen(host: "127.0.0.1", port: port))
    } catch {
        fail("\(error)")
    }
    return onTermination { await stop(io) }
}

// MARK: Engine.IO

/// Everything under the Engine.IO path goes to the engine; the rest is 404.
final class EngineOnlyHandler: HTTPRequestHandler, Sendable {
    let engine: EngineServer
    init(engine: EngineServer) { self.engine = engine }

    func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        if engine.matches(request) { return engine.handle(request, responder: responder) }
        responder.send(HTTPResponse(status: 404, body: Array("Not Found".utf8)))
    }
}

func runEngineIO(port: Int, perMessageDeflate: Bool, refuseHeader: String?, limits: Arguments.Limits) -> [any DispatchSourceSignal] {
    var options = EngineOptions()
    options.path = "/engine.io/"
    options.pingInterval = .milliseconds(300)
    options.pingTimeout = .milliseconds(200)
    options.maxPayload = 1_000_000
    options.cors = CORSOptions(origins: ["*"])
    if let refuseHeader { options.allowRequest = { $0.headers[refuseHeader] == nil } }
    options.maxHandshakesPerSecondPerAddress = limits.handshakesPerSecondPerAddress
    if let sessions = limits.sessions { options.maxSessions = sessions }
    let engine = EngineServer(options: options)
    engine.onConnection = { session in
        session.onMessage = { [weak session] message in session?.send(message) }
    }

    var httpOptions = HTTPServerOptions()
    httpOptions.host = "127.0.0.1"
    httpOptions.port = port
    httpOptions.maxBodyBytes = options.maxPayload
    httpOptions.maxWebSocketMessageBytes = options.maxPayload
    httpOptions.perMessageDeflate = perMessageDeflate
    httpOptions.maxConnectionsPerAddress = limits.connectionsPerAddress
    let group = EventLoopGroup(loopCount: ProcessInfo.processInfo.activeProcessorCount)
    let http = HTTPServer(options: httpOptions, group: group, handler: EngineOnlyHandler(engine: engine))
    do {
        try http.start()
    } catch {
        fail("cannot listen on 127.0.0.1:\(port): \(error)")
    }
    announce(http.port)
    return onTermination {
        engine.closeAll()
        http.stop()
        group.shutdown()
    }
}

let arguments = Arguments(CommandLine.arguments)
let adapter: (@Sendable (Namespace) -> any Adapter)? = arguments.redisURL.map { url in
    do {
        let redis = try RedisConnection(url: url)
        return arguments.streams
            ? redis.streamsAdapter(RedisStreamsAdapterOptions(streamName: arguments.redisKey, channelPrefix: arguments.redisKey))
            : redis.adapter(RedisAdapterOptions(key: arguments.redisKey))
    } catch {
        fail("\(error)")
    }
}
let signalSources =
    arguments.webSocket.map { runWebSocketSuite(port: arguments.port, arguments: $0) } ??
    (arguments.soak ? runSoak(port: arguments.port, adapter: adapter, timings: arguments.soakTimings)
    : arguments.recovery ? runRecovery(port: arguments.port, maxDisconnection: .milliseconds(arguments.maxDisconnectionMs),
                                       runMiddlewares: arguments.runMiddlewares)
    : arguments.cluster ? runCluster(port: arguments.port, adapter: adapter)
    : arguments.engineOnly
    ? runEngineIO(port: arguments.port, perMessageDeflate: arguments.perMessageDeflate, refuseHeader: arguments.refuseHeader,
                  limits: arguments.limits)
    : arguments.apiSuite ? runApiSuite(port: arguments.port, adapter: adapter, tuning: arguments.tuning)
    : runSocketIO(port: arguments.port, perMessageDeflate: arguments.perMessageDeflate))
withExtendedLifetime(signalSources) { dispatchMain() }
