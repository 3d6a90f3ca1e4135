import SocketIOParser
import Synchronization

/// The reply channel of an event the client emitted with a callback. Call it once; later calls
/// are ignored, like Node. Callable from any thread, also after awaiting other work.
public struct Ack: Sendable {
    private let socket: Socket
    /// The packet id the reply must carry.
    public let id: Int
    private let sent: SentFlag

    init(socket: Socket, id: Int) {
        self.socket = socket
        self.id = id
        self.sent = SentFlag()
    }

    /// Replies with these arguments: `ack("ok", 42)`.
    public func callAsFunction(_ args: JSONValue...) { send(arguments: args) }

    public func send(arguments args: [JSONValue]) {
        guard sent.claim() else { return }
        socket.send(SocketPacket(type: .ack, namespace: socket.namespace.name, data: .array(args), id: id))
    }

    /// Replies with one `Encodable` value as the single argument.
    public func reply(_ value: some Encodable) throws(SocketIOError) {
        send(arguments: [try encodeArgument(value)])
    }
}

final class SentFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    /// True for the first caller only.
    func claim() -> Bool { !flag.exchange(true, ordering: .acquiringAndReleasing) }
}
