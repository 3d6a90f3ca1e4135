/// Socket.IO v5 packet types; the raw value is the digit that starts a packet on the wire.
package enum SocketPacketType: UInt8, Sendable {
    case connect = 0, disconnect, event, ack, connectError, binaryEvent, binaryAck
}

/// One Socket.IO v5 packet with its binary attachments already put back in place.
///
/// Decoded binary packets come back as `.event`/`.ack` (as the reference decoder does): once the
/// attachments are back in place the binary/text distinction is a wire detail. The encoder picks the
/// BINARY_* type itself when the data contains `.binary`.
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

extension SocketPacket {
    /// For EVENT packets: the event name (the reference also allows a number there, returned as nil).
    package var eventName: String? {
        guard type == .event || type == .binaryEvent, case .array(let args) = data else { return nil }
        return args.first?.stringValue
    }

    /// For EVENT packets: the arguments after the event name; for ACK packets: all of them.
    package var arguments: [JSONValue] {
        guard case .array(let args) = data else { return [] }
        switch type {
        case .event, .binaryEvent: return Array(args.dropFirst())
        case .ack, .binaryAck: return args
        default: return []
        }
    }
}

/// Wire form of one packet: the text part, then each binary attachment as its own Engine.IO message.
/// The text is kept as the UTF-8 the encoder wrote: it goes into a frame as bytes, and a `String`
/// on the way would cost an allocation and a validation per message.
package struct EncodedSocketPacket: Sendable, Equatable {
    package var utf8: [UInt8]
    package var attachments: [[UInt8]]

    package init(utf8: [UInt8], attachments: [[UInt8]]) {
        self.utf8 = utf8
        self.attachments = attachments
    }

    /// The text part as a `String` (the encoder writes valid UTF-8 only).
    package var text: String { String(decoding: utf8, as: UTF8.self) }
}

/// Every way a Socket.IO packet can be rejected; the session maps any of them to "parse error".
package enum SocketParseError: Error, Equatable, Sendable {
    /// Empty text, or a first character that is not 0–6.
    case unknownType
    /// Namespace not starting with "/" or containing "," (only `validate()` can see this; on the wire
    /// a "," always ends the namespace).
    case badNamespace
    /// Ack id negative, too large for `Int`, or on a packet type that takes none.
    case badAckID
    /// The payload is not RFC 8259 JSON (or nests deeper than the limit).
    case badJSON
    /// Well-formed JSON of the wrong shape for the packet type, a malformed attachment count, or a
    /// placeholder that points at no attachment / an attachment no placeholder uses or two use.
    case invalidPayload
    /// An EVENT named connect, connect_error, disconnect, disconnecting, newListener or removeListener.
    case reservedEventName
    /// More attachments announced than the decoder's `maxAttachments`.
    case tooManyAttachments
    /// A binary message arrived with no BINARY_* packet waiting for attachments.
    case unexpectedBinary
    /// A text packet arrived while a BINARY_* packet still waited for attachments.
    case unexpectedText
}
