import SocketIOParser

/// Anything that can pick sockets and emit to them: the server (its main namespace), a namespace,
/// and a `BroadcastOperator`. The modifiers mirror Node's names.
public protocol Broadcasting: Sendable {
    var broadcastOperator: BroadcastOperator { get }
}

extension Broadcasting {
    /// Targets the sockets in any of `rooms` (a union: each socket gets the packet once).
    public func to(_ rooms: some Sequence<Room>) -> BroadcastOperator {
        broadcastOperator.with { $0.rooms.formUnion(rooms) }
    }
    public func to(_ rooms: Room...) -> BroadcastOperator { to(rooms) }
    /// Same as `to`.
    public func `in`(_ rooms: some Sequence<Room>) -> BroadcastOperator { to(rooms) }
    public func `in`(_ rooms: Room...) -> BroadcastOperator { to(rooms) }

    /// Leaves out the sockets in any of `rooms`.
    public func except(_ rooms: some Sequence<Room>) -> BroadcastOperator {
        broadcastOperator.with { $0.except.formUnion(rooms) }
    }
    public func except(_ rooms: Room...) -> BroadcastOperator { except(rooms) }

    /// Skips sockets that cannot take the packet right now instead of queueing it.
    public var volatile: BroadcastOperator { broadcastOperator.with { $0.flags.volatile = true } }
    /// Only this server's sockets, when the adapter spans several servers.
    public var local: BroadcastOperator { broadcastOperator.with { $0.flags.local = true } }
    /// `compress(false)` sends the packet uncompressed even where the transport compresses:
    /// no permessage-deflate on WebSocket, no gzip for a poll answer made only of such packets.
    public func compress(_ enabled: Bool) -> BroadcastOperator { broadcastOperator.with { $0.flags.compress = enabled } }
    /// How long `emitWithAck` (or `emit(..., ack:)`) waits for the recipients' acknowledgements.
    public func timeout(_ duration: Duration) -> BroadcastOperator { broadcastOperator.with { $0.flags.timeout = duration } }

    /// Emits `event` with any number of arguments: `io.emit("score", "alice", 3)`.
    public func emit(_ event: String, _ args: JSONValue...) { broadcastOperator.emit(event, arguments: args) }
    public func emit(_ event: String, _ arg: JSONValue) { broadcastOperator.emit(event, arguments: [arg]) }
    public func emit(_ event: String, arguments args: [JSONValue]) { broadcastOperator.emit(event, arguments: args) }

    /// Emits with an acknowledgement callback; see `BroadcastOperator.emit(_:_:ack:)`.
    public func emit(_ event: String, arguments args: [JSONValue],
                     ack: @escaping @Sendable (Result<[JSONValue], SocketIOError>) -> Void) {
        broadcastOperator.emit(event, arguments: args, ack: ack)
    }

    /// Emits one `Encodable` value as the single argument (`Data`/`[UInt8]` fields go as binary).
    public func emit(_ event: String, _ value: some Encodable) throws(SocketIOError) {
        broadcastOperator.emit(event, arguments: [try encodeArgument(value)])
    }

    /// Emits and waits for every recipient's acknowledgement (the first argument of each reply).
    /// Set `timeout(...)` first, or a recipient that never answers keeps this waiting.
    public func emitWithAck(_ event: String, _ args: JSONValue...) async throws(SocketIOError) -> [JSONValue] {
        try await emitWithAck(event, arguments: args)
    }

    public func emitWithAck(_ event: String, arguments args: [JSONValue]) async throws(SocketIOError) -> [JSONValue] {
        let op = broadcastOperator
        let result = await withCheckedContinuation { continuation in
            op.emit(event, arguments: args) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// Emits a Codable value and decodes each recipient's reply as `R`.
    public func emitWithAck<R: Decodable>(_ event: String, _ value: some Encodable,
                                          as type: R.Type) async throws(SocketIOError) -> [R] {
        let replies = try await emitWithAck(event, [try encodeArgument(value)])
        return try replies.map { reply throws(SocketIOError) in try decodeArgument(R.self, from: reply, event: event) }
    }

    public func fetchSockets() async throws(SocketIOError) -> [RemoteSocket] { try await broadcastOperator.fetchSockets() }
    public func socketsJoin(_ rooms: Room...) { broadcastOperator.socketsJoin(rooms) }
    public func socketsLeave(_ rooms: Room...) { broadcastOperator.socketsLeave(rooms) }
    public func disconnectSockets(close: Bool = false) { broadcastOperator.disconnectSockets(close: close) }
}

func encodeArgument(_ value: some Encodable) throws(SocketIOError) -> JSONValue {
    do { return try JSONValueEncoder().encode(value) } catch {
        throw .encodingFailed(String(describing: error))
    }
}

func decodeArgument<T: Decodable>(_ type: T.Type, from value: JSONValue, event: String) throws(SocketIOError) -> T {
    do { return try JSONValueDecoder().decode(type, from: value) } catch let error as DecodingError {
        throw .invalidPayload(event: event, reason: error.summary)
    } catch {
        throw .invalidPayload(event: event, reason: String(describing: error))
    }
}
