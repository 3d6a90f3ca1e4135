import Foundation

/// The command line of `chat`.
struct ChatOptions: Sendable {
    /// Loopback by default: exposing a demo chat to the network should be a decision.
    var host = "127.0.0.1"
    var port = 3000
    var webDirectory = "web"
    var clientDirectory = "vendor/client"
    /// nil: no limit.
    var maxConnections: Int? = nil
    /// Stricter than the library's defaults (which allow crowds behind one address); 0 turns one off.
    var maxConnectionsPerAddress: Int? = 50
    var maxHandshakesPerSecondPerAddress: Int? = 20
    var maxSessions = 10_000
    var notify = NotifyOptions()
    /// Several chat processes on one Redis are one chat (`--redis`); `key` prefixes every channel and key.
    var redisURL: String? = nil
    var redisKey = "socket.io"
    /// Messages each room keeps for whoever enters it (0: none), and how many rooms keep them.
    var historyPerRoom = 50
    var historyRooms = 100
    /// On SIGTERM/SIGINT, close connections spread over this many seconds (`io.drain`); 0 closes at once.
    var drainSeconds = 0
    /// Read when `--notify-token` is not given; an environment variable stays out of `ps`.
    static let notifyTokenVariable = "CHAT_NOTIFY_TOKEN"

    static let usage = """
        usage: chat [--host H] [--port P] [--web DIR] [--client-dir DIR] [--max-connections N]
                    [--max-connections-per-address N] [--max-handshakes-per-second-per-address N] [--max-sessions N]
                    [--notify-token T] [--notify-rate N/S] [--notify-max-bytes N] [--notify-callers N]
                    [--history N] [--history-rooms N] [--redis URL [--key K]] [--drain-seconds N]

          --host H              address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
          --port P              TCP port (default 3000; 0 picks a free one)
          --web DIR             the chat page, served at / (default web)
          --client-dir DIR      the stock socket.io client, served at /socket.io/ (default vendor/client;
                                scripts/fetch-client puts it there)
          --max-connections N   refuse connections beyond N with "Server is full" (default: no limit)
          --max-connections-per-address N             TCP connections at once per client address (default 50; 0: no limit)
          --max-handshakes-per-second-per-address N   new sessions per second per address (default 20; 0: no limit)
          --max-sessions N                            sessions open at once (default 10000)
          --notify-token T      POST /api/notify requires "Authorization: Bearer T" (default: env
                                CHAT_NOTIFY_TOKEN; without a token only callers on this machine)
          --notify-rate N/S     at most N notify requests per caller address in S seconds (default 30/60)
          --notify-max-bytes N  largest notify body; 413 beyond (default 16384)
          --notify-callers N    caller addresses the notify rate limit tracks at once; new ones beyond
                                get 429 (default 10000)
          --history N           messages a room keeps for whoever enters it (default 50; 0: none)
          --history-rooms N     rooms that keep history; the quietest is forgotten first (default 100)
          --redis URL           share the chat with every chat process on this Redis (redis://host:port):
                                rooms, counts, typing, names, history and notifications span them all
          --key K               prefix of the Redis channels and keys (default socket.io)
          --drain-seconds N     on SIGTERM: refuse new sessions (503, /readyz 503) and close the open
                                ones spread over N seconds, so they reconnect elsewhere a few at a
                                time (default 0: tell everyone and close within 5 s)
        """

    enum UsageError: Error, CustomStringConvertible {
        case helpRequested
        case unknownFlag(String)
        case missingValue(flag: String)
        case invalidNumber(flag: String, value: String)
        case invalidRate(String)

        var description: String {
            switch self {
            case .helpRequested: "help requested"
            case .unknownFlag(let flag): "unknown flag \(flag)"
            case .missingValue(let flag): "\(flag) needs a value"
            case .invalidNumber(let flag, let value): "\(flag) needs a number, got \(value)"
            case .invalidRate(let value): "--notify-rate needs REQUESTS/SECONDS (e.g. 30/60), got \(value)"
            }
        }
    }

    init() {}

    init(arguments: some Sequence<String>,
         environment: [String: String] = ProcessInfo.processInfo.environment) throws(UsageError) {
        var rest = Array(arguments)[...]
        func value(_ flag: String) throws(UsageError) -> String {
            guard let value = rest.popFirst() else { throw .missingValue(flag: flag) }
            return value
        }
        func number(_ flag: String, in range: ClosedRange<Int>) throws(UsageError) -> Int {
            let text = try value(flag)
            guard let number = Int(text), range.contains(number) else { throw .invalidNumber(flag: flag, value: text) }
            return number
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--host": host = try value(flag)
            case "--port": port = try number(flag, in: 0...65535)
            case "--web": webDirectory = try value(flag)
            case "--client-dir": clientDirectory = try value(flag)
            case "--max-connections":
                let limit = try number(flag, in: 0...Int(Int32.max))
                maxConnections = limit == 0 ? nil : limit
            case "--max-connections-per-address":
                let limit = try number(flag, in: 0...Int(Int32.max))
                maxConnectionsPerAddress = limit == 0 ? nil : limit
            case "--max-handshakes-per-second-per-address":
                let limit = try number(flag, in: 0...Int(Int32.max))
                maxHandshakesPerSecondPerAddress = limit == 0 ? nil : limit
            case "--max-sessions": maxSessions = try number(flag, in: 1...Int(Int32.max))
            case "--notify-token": notify.token = try value(flag)
            case "--notify-rate":
                let text = try value(flag)
                let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
                guard parts.count == 2, let count = parts[0], let seconds = parts[1],
                      (1...1_000_000).contains(count), (1...86_400).contains(seconds) else { throw .invalidRate(text) }
                notify.rateLimit = count
                notify.rateWindow = .seconds(seconds)
            case "--notify-max-bytes": notify.maxBodyBytes = try number(flag, in: 2...1_000_000)
            case "--notify-callers": notify.maxTrackedCallers = try number(flag, in: 1...10_000_000)
            case "--history": historyPerRoom = try number(flag, in: 0...10_000)
            case "--history-rooms": historyRooms = try number(flag, in: 1...1_000_000)
            case "--redis": redisURL = try value(flag)
            case "--key": redisKey = try value(flag)
            case "--drain-seconds": drainSeconds = try number(flag, in: 0...3600)
            case "-h", "--help": throw .helpRequested
            default: throw .unknownFlag(flag)
            }
        }
        if notify.token == nil { notify.token = environment[ChatOptions.notifyTokenVariable] }
        if notify.token?.isEmpty == true { notify.token = nil }
    }
}
