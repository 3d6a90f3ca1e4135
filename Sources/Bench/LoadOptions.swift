/// What `sio-bench load` runs. Every phase is bounded: the connection ramp by `connectTimeout`, the
/// load by `warmup + duration`, the wait for stragglers by `drain`.
struct LoadOptions {
    enum Scenario: String { case fanout, echo, connect, polling }

    var scenario: Scenario
    var host: String
    var port: Int
    /// Cluster runs: the servers' ports; connection i goes to `ports[i % count]`, the fanout sender to
    /// the first. One entry (`--port`) otherwise.
    var ports: [Int]
    var path: String
    /// fanout: receivers (plus one sender); echo: clients; connect: connections; polling: handshakes.
    var clients: Int
    /// Messages in flight: per sender (fanout) or per client (echo).
    var window: Int
    /// fanout only: messages per second from the sender; 0 means closed loop with `window`.
    var rate: Double
    /// Handshakes in flight while connections open.
    var concurrency: Int
    var warmup: Double
    var duration: Double
    var drain: Double
    var connectTimeout: Double
    /// connect only: seconds to keep the connections open (answering pings) after the ramp.
    var hold: Double
    var loops: Int
    var payloadBytes: Int
    /// For the servers' RSS and CPU (summed), read from /proc.
    var serverPIDs: [Int]
    /// Redis's own CPU in cluster runs.
    var redisPID: Int?
    var label: String

    init(_ args: inout Arguments) {
        let name = args.string("scenario", "fanout")
        guard let scenario = Scenario(rawValue: name) else { fail("unknown scenario \(name)") }
        self.scenario = scenario
        host = args.string("host", "127.0.0.1")
        port = args.int("port", 3000)
        ports = Self.numbers(args.optionalString("ports"), "--ports") ?? [port]
        path = args.string("path", "/socket.io/")
        clients = args.int("clients", scenario == .echo ? 50 : 100)
        window = args.int("window", scenario == .echo ? 4 : 16)
        rate = args.double("rate", 0)
        concurrency = max(1, args.int("concurrency", 200))
        warmup = args.double("warmup", 1)
        duration = args.double("duration", 5)
        drain = args.double("drain", 3)
        connectTimeout = args.double("connect-timeout", 60)
        hold = args.double("hold", 1)
        loops = max(1, args.int("loops", 1))
        payloadBytes = max(Stamp.digits, args.int("payload", 32))
        serverPIDs = Self.numbers(args.optionalString("server-pid"), "--server-pid") ?? []
        redisPID = Self.numbers(args.optionalString("redis-pid"), "--redis-pid")?.first
        label = args.string("label", "")
        guard clients >= 1, window >= 1 else { fail("--clients and --window must be at least 1") }
    }

    /// A comma-separated list of numbers (`4001,4002`).
    private static func numbers(_ text: String?, _ flag: String) -> [Int]? {
        guard let text else { return nil }
        let values = text.split(separator: ",").map { Int($0) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { fail("\(flag) needs numbers separated by commas") }
        return values.map { $0! }
    }
}
