/// What a Redis call can fail with; the description says what to do about it.
package enum RedisError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Redis is unreachable right now (down, restarting, refusing our credentials): the call failed at
    /// once instead of waiting. The client keeps reconnecting; `onStateChange` and the `[Redis]` log
    /// line say why it is down.
    case notConnected
    /// No reply within the command's timeout. The connection stays usable: the late reply is dropped.
    case timeout
    /// Redis answered with an error reply (`-ERR ...`, `-WRONGTYPE ...`, `-NOPERM ...`).
    case server(String)
    /// Redis sent bytes that are not RESP, or a reply nobody asked for: the connection was reset.
    case protocolError(String)
    /// A `redis://` URL that cannot be used, and why.
    case invalidURL(String)
    /// `close()` was called.
    case closed
    /// More commands in flight than `RedisConfiguration.maxPendingCommands`: Redis is not keeping up.
    case tooManyPending(limit: Int)
    /// A reply of another shape than the command promises (e.g. `PUBSUB NUMSUB` without a count).
    case unexpectedReply(String)

    package var description: String {
        switch self {
        case .notConnected: return "not connected to Redis (it is down or refused us; the client keeps reconnecting, see the [Redis] log)"
        case .timeout: return "Redis did not reply within the command timeout (RedisConfiguration.commandTimeout)"
        case .server(let message): return "Redis replied with an error: \(message)"
        case .protocolError(let message): return "Redis protocol error: \(message)"
        case .invalidURL(let message): return "invalid Redis URL: \(message)"
        case .closed: return "the Redis client was closed"
        case .tooManyPending(let limit):
            return "more than \(limit) Redis commands in flight (RedisConfiguration.maxPendingCommands): Redis is not keeping up"
        case .unexpectedReply(let message): return "unexpected Redis reply: \(message)"
        }
    }
}

/// Where a connection to Redis stands. Reported once per change, not per command.
package enum RedisConnectionState: Sendable, Equatable {
    /// The first connection is being made; commands wait for it (up to their timeout).
    case connecting
    /// Connected, authenticated and on the configured database.
    case connected
    /// Down, and why; reconnecting with backoff unless closed. Commands fail fast with `.notConnected`.
    case disconnected(reason: String)
}
