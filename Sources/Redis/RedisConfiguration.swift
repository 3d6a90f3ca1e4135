import Glibc
import RESP

/// Where Redis is and how to talk to it. `init(url:)` reads the usual `redis://` URLs.
package struct RedisConfiguration: Sendable {
    /// An IPv4/IPv6 literal, `localhost`, or a host name (resolved off the loop on every connect).
    package var host = "127.0.0.1"
    package var port = 6379
    /// Redis's unix socket (`unixsocket` in redis.conf); when set, `host` and `port` are not used.
    package var unixSocketPath: String?
    /// The ACL user (Redis 6+); nil sends `AUTH password` alone (the `default` user).
    package var username: String?
    /// Nil: no `AUTH`.
    package var password: String?
    /// `SELECT`ed on every (re)connect when not 0. Pub/sub ignores it (channels are server-wide).
    package var database = 0
    /// How long a command waits for its reply (`send` can override it per command).
    package var commandTimeout: Duration = .seconds(5)
    /// How long one attempt may take from `connect` to an authenticated connection.
    package var connectTimeout: Duration = .seconds(5)
    /// After this long without a byte from Redis, a `PING` goes out; no answer within
    /// `commandTimeout` and the connection is dropped and made again. Finds a connection that died
    /// without a word (a crashed host, a dropped NAT entry), which would otherwise leave a subscriber
    /// deaf for good. Nil: never.
    package var pingInterval: Duration? = .seconds(30)
    /// Delay before reconnect attempt n: `initial · 2ⁿ⁻¹` up to `max`, with jitter (the upper half of it).
    package var reconnectBackoff: (initial: Duration, max: Duration) = (.milliseconds(100), .seconds(5))
    /// Commands in flight (sent or queued, without a reply) beyond which new ones fail with
    /// `.tooManyPending` (publishes are dropped and counted).
    package var maxPendingCommands = 100_000
    /// Bounds on the replies the decoder accepts.
    package var replyLimits = RESPLimits()
    /// Where the one line per state change goes (default: standard error, prefixed `[Redis]`).
    package var log: @Sendable (String) -> Void = RedisConfiguration.standardError

    package init() {}

    /// One `write(2)` per line, so lines of several threads do not interleave.
    package static let standardError: @Sendable (String) -> Void = { line in
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }

    /// Where Redis is, as written in logs (IPv6 in brackets).
    var endpoint: String {
        if let unixSocketPath { return unixSocketPath }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
