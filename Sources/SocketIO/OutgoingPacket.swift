import EngineIO
import SocketIOParser

/// An event on its way to one or many sockets: what adapters see and forward between servers.
public struct OutgoingPacket: Sendable {
    package var packet: SocketPacket
    /// The replay buffer's sequence number when recovery tagged this packet with an offset, else 0.
    package var sequence: UInt64 = 0

    /// The namespace the event is emitted in.
    public var namespace: String { packet.namespace }
    /// The ack id shared by every recipient of a broadcast with acknowledgements.
    public var ackID: Int? { packet.id }
    /// The event name and arguments.
    public var event: String {
        if case .array(let items)? = packet.data, case .string(let name)? = items.first { return name }
        return ""
    }
    public var arguments: [JSONValue] {
        if case .array(let items)? = packet.data { return Array(items.dropFirst()) }
        return []
    }

    public init(namespace: String, event: String, arguments: [JSONValue], ackID: Int? = nil) {
        packet = SocketPacket(type: .event, namespace: namespace,
                              data: .array([.string(event)] + arguments), id: ackID)
    }

    package init(packet: SocketPacket) { self.packet = packet }

    /// Encoded once; the same messages then go to every recipient.
    package func prepare(compress: Bool = true) -> PreparedPacket {
        PreparedPacket(SocketPacketEncoder.encode(packet), compress: compress)
    }
}

/// The Engine.IO messages of one Socket.IO packet, built once for many recipients.
package struct PreparedPacket: Sendable {
    package let messages: [PreparedEngineMessage]

    package init(_ encoded: EncodedSocketPacket, compress: Bool = true) {
        messages = [PreparedEngineMessage(utf8Message: encoded.utf8, compress: compress)]
            + encoded.attachments.map { PreparedEngineMessage(.binary($0), compress: compress) }
    }
}
