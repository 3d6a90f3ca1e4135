import Foundation
import Reactor
import SocketIOParser

/// A selection of sockets to emit to: `io.to("room").except("muted").volatile.emit("tick")`.
///
/// A value: every modifier returns a new operator, so one can be kept and reused from any thread.
public struct BroadcastOperator: Broadcasting {
    public let namespace: Namespace
    public private(set) var options: BroadcastOptions

    init(namespace: Namespace, options: BroadcastOptions = BroadcastOptions()) {
        self.namespace = namespace
        self.options = options
    }

    public var broadcastOperator: BroadcastOperator { self }

    func with(_ change: (inout BroadcastOptions) -> Void) -> BroadcastOperator {
        var copy = self
        change(&copy.options)
        return copy
    }

    // MARK: Emitting

    /// Emits to every selected socket; the packet is encoded once.
    public func emit(_ event: String, arguments args: [JSONValue]) {
        guard checkEventName(event) else { return }
        namespace.adapter.broadcast(OutgoingPacket(namespace: namespace.name, event: event, arguments: args),
                                    options: options)
    }

    /// Emits and collects one acknowledgement per recipient (the first argument of each reply).
    ///
    /// With `timeout(...)` set, `ack` gets `broadcastAckTimeout` (with the replies so far) when some
    /// recipient has not answered in time; without it, it waits until every recipient answered or left.
    public func emit(_ event: String, arguments args: [JSONValue],
                     ack: @escaping @Sendable (Result<[JSONValue], SocketIOError>) -> Void) {
        guard checkEventName(event) else { return ack(.failure(.reservedEventName(event))) }
        let packet = OutgoingPacket(namespace: namespace.name, event: event, arguments: args,
                                    ackID: namespace.nextAckID())
        let collector = BroadcastAckCollector(completion: ack)
        if let timeout = options.flags.timeout, let loop = EventLoop.current ?? namespace.server.anyLoop {
            if loop.inEventLoop { collector.armTimer(on: loop, after: timeout) } else {
                loop.execute { collector.armTimer(on: loop, after: timeout) }
            }
        }
        namespace.adapter.broadcastWithAck(packet, options: options,
                                           clientCount: { collector.expect($0) },
                                           ack: { collector.receive($0) })
    }

    // MARK: Utilities

    /// The selected sockets, with handshake, rooms and data.
    /// Across servers when the adapter spans several (`local` keeps it to this one); throws when other
    /// servers cannot be asked (`clusterUnavailable`) or do not answer in time (`clusterTimeout`).
    public func fetchSockets() async throws(SocketIOError) -> [RemoteSocket] {
        try await namespace.adapter.fetchSockets(options)
    }

    /// Makes the selected sockets join `rooms`.
    public func socketsJoin(_ rooms: some Sequence<Room>) { namespace.adapter.addSockets(options, rooms: Set(rooms)) }
    public func socketsJoin(_ rooms: Room...) { socketsJoin(rooms) }

    /// Makes the selected sockets leave `rooms`.
    public func socketsLeave(_ rooms: some Sequence<Room>) { namespace.adapter.delSockets(options, rooms: Set(rooms)) }
    public func socketsLeave(_ rooms: Room...) { socketsLeave(rooms) }

    /// Disconnects the selected sockets; `close` also closes their underlying connection.
    public func disconnectSockets(close: Bool = false) { namespace.adapter.disconnectSockets(options, close: close) }
}

/// False (with a warning) for names the protocol reserves: Node throws there; a server should not crash.
func checkEventName(_ event: String) -> Bool {
    guard SocketPacket.isReservedEventName(event) else { return true }
    warn(SocketIOError.reservedEventName(event).description)
    return false
}

func warn(_ message: String) {
    FileHandle.standardError.write(Data(("[SocketIO] " + message + "\n").utf8))
}
