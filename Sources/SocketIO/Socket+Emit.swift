import SocketIOParser

extension Socket {
    /// Emits `event` to this client: `socket.emit("hello", "world", 1)`.
    public func emit(_ event: String, _ args: JSONValue...) { emitter.emit(event, arguments: args) }
    public func emit(_ event: String, _ arg: JSONValue) { emitter.emit(event, arguments: [arg]) }
    public func emit(_ event: String, arguments args: [JSONValue]) { emitter.emit(event, arguments: args) }

    /// Emits one `Encodable` value as the single argument (`Data`/`[UInt8]` fields go as binary).
    public func emit(_ event: String, _ value: some Encodable) throws(SocketIOError) {
        try emitter.emit(event, value)
    }

    /// Emits and calls `ack` with the client's reply arguments (or an error: disconnected, timed out
    /// when `timeout(...)` was set, dropped when volatile). Runs on the socket's loop.
    public func emit(_ event: String, arguments args: [JSONValue], ack: @escaping @Sendable (AckResult) -> Void) {
        emitter.emit(event, arguments: args, ack: ack)
    }

    /// Emits and waits for the client's reply arguments. Without `timeout(...)` it waits until the
    /// client answers or disconnects.
    public func emitWithAck(_ event: String, _ args: JSONValue...) async throws(SocketIOError) -> [JSONValue] {
        try await emitter.emitWithAck(event, arguments: args)
    }

    /// Emits a Codable value and decodes the reply's first argument as `R`.
    public func emitWithAck<R: Decodable>(_ event: String, _ value: some Encodable,
                                          as type: R.Type) async throws(SocketIOError) -> R {
        try await emitter.emitWithAck(event, value, as: type)
    }

    /// The next emit fails with `SocketIOError.ackTimeout` when the client has not answered in time.
    public func timeout(_ duration: Duration) -> SocketEmitter { emitter.timeout(duration) }
    /// The next emit is dropped if the transport cannot take it right now.
    public var volatile: SocketEmitter { emitter.volatile }
    /// `compress(false)`: the next emit skips permessage-deflate (and gzip, over polling).
    public func compress(_ enabled: Bool) -> SocketEmitter { emitter.compress(enabled) }

    private var emitter: SocketEmitter { SocketEmitter(socket: self) }

    /// Sends a protocol packet (ack reply, disconnect) from any thread. Encoded on the caller's thread.
    func send(_ packet: SocketPacket) {
        let encoded = SocketPacketEncoder.encode(packet)
        // Not through `perform`: a closure made up front is a heap allocation even when it runs inline.
        if loop.inEventLoop { client.write(encoded) } else { loop.execute { [client] in client.write(encoded) } }
    }
}

/// A socket with modifiers for the next emit: `socket.timeout(.seconds(5)).emitWithAck("q")`.
public struct SocketEmitter: Sendable {
    public let socket: Socket
    private var flags = BroadcastFlags()

    init(socket: Socket) { self.socket = socket }

    public func timeout(_ duration: Duration) -> SocketEmitter { with { $0.timeout = duration } }
    public var volatile: SocketEmitter { with { $0.volatile = true } }
    public func compress(_ enabled: Bool) -> SocketEmitter { with { $0.compress = enabled } }

    private func with(_ change: (inout BroadcastFlags) -> Void) -> SocketEmitter {
        var copy = self
        change(&copy.flags)
        return copy
    }

    public func emit(_ event: String, _ args: JSONValue...) { send(event, args, ack: nil) }
    public func emit(_ event: String, _ arg: JSONValue) { send(event, [arg], ack: nil) }
    public func emit(_ event: String, arguments args: [JSONValue]) { send(event, args, ack: nil) }
    public func emit(_ event: String, _ value: some Encodable) throws(SocketIOError) {
        send(event, [try encodeArgument(value)], ack: nil)
    }
    public func emit(_ event: String, arguments args: [JSONValue], ack: @escaping @Sendable (AckResult) -> Void) {
        send(event, args, ack: ack)
    }

    public func emitWithAck(_ event: String, _ args: JSONValue...) async throws(SocketIOError) -> [JSONValue] {
        try await emitWithAck(event, arguments: args)
    }

    public func emitWithAck(_ event: String, arguments args: [JSONValue]) async throws(SocketIOError) -> [JSONValue] {
        let result = await withCheckedContinuation { continuation in
            send(event, args) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    public func emitWithAck<R: Decodable>(_ event: String, _ value: some Encodable,
                                          as type: R.Type) async throws(SocketIOError) -> R {
        let reply = try await emitWithAck(event, arguments: [try encodeArgument(value)])
        return try decodeArgument(R.self, from: reply.first ?? .null, event: event)
    }

    /// Encodes on the caller's thread, then registers the ack and writes on the socket's loop, so the
    /// reply can never arrive before its callback is known.
    private func send(_ event: String, _ args: [JSONValue], ack: (@Sendable (AckResult) -> Void)?) {
        guard checkEventName(event) else {
            ack?(.failure(.reservedEventName(event)))
            return
        }
        let socket = self.socket
        let flags = self.flags
        // With recovery on, an eligible emit goes through the adapter as a broadcast to the socket's
        // own room, as in Node, so it gets an offset and is kept for replay.
        if socket.pid != nil, ack == nil, !flags.volatile {
            return socket.namespace.adapter.broadcast(OutgoingPacket(namespace: socket.namespace.name, event: event, arguments: args),
                                                      options: BroadcastOptions(rooms: [socket.id], flags: flags))
        }
        let id = ack == nil ? nil : socket.namespace.nextAckID()
        let encoded = SocketPacketEncoder.encodeEvent(namespace: socket.namespace.name, event: event, arguments: args, ackID: id)
        // The closure is made only when the write has to hop to the socket's loop.
        if socket.loop.inEventLoop {
            Self.write(encoded, event, args, to: socket, flags: flags, ack: ack, id: id)
        } else {
            socket.loop.execute { Self.write(encoded, event, args, to: socket, flags: flags, ack: ack, id: id) }
        }
    }

    /// Loop only.
    private static func write(_ encoded: EncodedSocketPacket, _ event: String, _ args: [JSONValue], to socket: Socket,
                              flags: BroadcastFlags, ack: (@Sendable (AckResult) -> Void)?, id: Int?) {
        guard socket.connected else { ack?(.failure(.disconnected)); return }
        if flags.volatile && !socket.client.isWritable { ack?(.failure(.packetDropped)); return }
        if let ack, let id {
            socket.acks.register(id, callback: ack)
            if let timeout = flags.timeout {
                let timer = socket.loop.schedule(after: timeout) { [weak socket] in socket?.acks.expire(id)?() }
                socket.acks.setTimer(id) { timer.cancel() }
            }
        }
        socket.notifyOutgoing(event, args)
        socket.client.write(encoded, compress: flags.compress ?? true)
    }
}
