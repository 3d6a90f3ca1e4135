/// Settings of the Redis adapter, named and defaulted like `@socket.io/redis-adapter`'s.
public struct RedisAdapterOptions: Sendable {
    /// Prefix of every channel: `<key>#<namespace>#`, `<key>-request#<namespace>#`, ... Servers share
    /// rooms only with servers that use the same key.
    public var key = "socket.io"
    /// How long `fetchSockets`, `allRooms` and `serverSideEmitWithAck` wait for the other servers.
    public var requestsTimeout: Duration = .seconds(5)
    /// Answer requests on the requester's own channel (`<key>-response#<namespace>#<uid>#`) instead of
    /// the channel every server hears. Node peers need 8.x for it; off by default, as in Node.
    public var publishOnSpecificResponseChannel = false

    public init(key: String = "socket.io", requestsTimeout: Duration = .seconds(5),
                publishOnSpecificResponseChannel: Bool = false) {
        self.key = key
        self.requestsTimeout = requestsTimeout
        self.publishOnSpecificResponseChannel = publishOnSpecificResponseChannel
    }
}
