// CONTRACT (parser helper implements; may add API, must keep these).
package enum SocketPacketType: UInt8, Sendable {
    case connect = 0, disconnect, event, ack, connectError, binaryEvent, binaryAck
}

/// One Socket.IO v5 packet with its binary attachments already put back in place.
package struct SocketPacket: Sendable, Equatable {
    package var type: SocketPacketType
    package var namespace: String
    /// CONNECT: auth object or nil; EVENT/ACK: the argument array; CONNECT_ERROR: object or string.
    package var data: JSONValue?
    package var id: Int?

    package init(type: SocketPacketType, namespace: String = "/", data: JSONValue? = nil, id: Int? = nil) {
        self.type = type; self.namespace = namespace; self.data = data; self.id = id
    }
}

/// Wire form of one packet: the text part, then each binary attachment as its own Engine.IO message.
package struct EncodedSocketPacket: Sendable, Equatable {
    package var text: String
    package var attachments: [[UInt8]]
}

package enum SocketParseError: Error, Equatable, Sendable {
    case unknownType, badNamespace, badAckID, badJSON, invalidPayload, reservedEventName
    case tooManyAttachments, unexpectedBinary, unexpectedText
}

package enum SocketPacketEncoder {
    /// Moves `.binary` values out as attachments with `{"_placeholder":true,"num":N}` and switches
    /// EVENT/ACK to BINARY_EVENT/BINARY_ACK when there are any.
    package static func encode(_ packet: SocketPacket) -> EncodedSocketPacket { fatalError("unimplemented") }
}

/// Stateful: a BINARY_* packet waits for its attachments.
package struct SocketPacketDecoder: Sendable {
    package init(maxAttachments: Int = 10) { fatalError("unimplemented") }
    /// Returns the packet, or nil while attachments are outstanding.
    package mutating func decode(text: String) throws(SocketParseError) -> SocketPacket? { fatalError("unimplemented") }
    package mutating func decode(binary: [UInt8]) throws(SocketParseError) -> SocketPacket? { fatalError("unimplemented") }
}
