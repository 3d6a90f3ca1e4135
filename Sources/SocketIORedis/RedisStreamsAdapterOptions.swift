/// Settings of the Redis Streams adapter, named and defaulted like `@socket.io/redis-streams-adapter` 0.3.x.
public struct RedisStreamsAdapterOptions: Sendable {
    /// The stream durable messages go through (`streamName-<i>` per namespace with `streamCount > 1`).
    public var streamName = "socket.io"
    public var streamCount = 1
    /// Prefix of the pub/sub channels for ephemeral messages and responses: `<prefix>#<nsp>#[<uid>#]`.
    public var channelPrefix = "socket.io"
    /// Entries the stream keeps (`XADD … MAXLEN ~`).
    public var maxLen = 10_000
    /// Entries per `XREAD`, and how long one blocks.
    public var readCount = 100
    public var blockTime: Duration = .seconds(5)
    /// How long `fetchSockets`, a broadcast's client counts and `serverSideEmitWithAck` wait.
    public var requestsTimeout: Duration = .seconds(5)

    public init(streamName: String = "socket.io", channelPrefix: String = "socket.io", maxLen: Int = 10_000) {
        self.streamName = streamName
        self.channelPrefix = channelPrefix
        self.maxLen = maxLen
    }
}
