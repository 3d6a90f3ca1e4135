package enum SocketPacketEncoder {
    /// Moves `.binary` values out as attachments with `{"_placeholder":true,"num":N}` and switches
    /// EVENT/ACK to BINARY_EVENT/BINARY_ACK when there are any.
    ///
    /// Writes what it is given, like the reference encoder: run `validate()` first on untrusted packets.
    /// A namespace that is "/" or does not start with "/" is left off (the receiver reads it as "/").
    /// A BINARY_* packet with no `.binary` inside is sent as plain EVENT/ACK, since a zero attachment
    /// count is illegal on the wire.
    package static func encode(_ packet: SocketPacket) -> EncodedSocketPacket {
        var text: [UInt8] = []
        text.reserveCapacity(64)
        let attachments = encode(packet, into: &text)
        return EncodedSocketPacket(utf8: text, attachments: attachments)
    }

    /// Appends the UTF-8 text part to `out` (for callers that frame bytes, not Strings) and returns
    /// the attachments in placeholder order.
    package static func encode(_ packet: SocketPacket, into out: inout [UInt8]) -> [[UInt8]] {
        let carriesArguments: Bool
        let isAck: Bool
        switch packet.type {
        case .event, .binaryEvent: carriesArguments = true; isAck = false
        case .ack, .binaryAck: carriesArguments = true; isAck = true
        default: carriesArguments = false; isAck = false
        }
        // Only EVENT/ACK carry attachments, as in the reference; elsewhere a stray binary is stringified.
        let attachmentCount = carriesArguments ? (packet.data?.binaryCount ?? 0) : 0
        let wireType: SocketPacketType
        if carriesArguments {
            wireType = attachmentCount > 0 ? (isAck ? .binaryAck : .binaryEvent) : (isAck ? .ack : .event)
        } else {
            wireType = packet.type
        }

        var writer = JSONWriter(output: out, extractBinary: attachmentCount > 0)
        out = []  // the writer now holds the only reference, so appends do not copy
        writer.output.append(UInt8(ascii: "0") + wireType.rawValue)
        if attachmentCount > 0 {
            writer.writeInt(attachmentCount)
            writer.output.append(UInt8(ascii: "-"))
        }
        writeHeaderTail(namespace: packet.namespace, id: packet.id, into: &writer)
        if let data = packet.data { writer.write(data) }
        out = writer.output
        return writer.attachments
    }

    /// Fast path for emitting an event: writes `["event",...args]` without building a new array.
    package static func encodeEvent(
        namespace: String = "/", event: String, arguments: [JSONValue], ackID: Int? = nil
    ) -> EncodedSocketPacket {
        var attachmentCount = 0
        for argument in arguments { attachmentCount += argument.binaryCount }
        var writer = JSONWriter(output: [], extractBinary: attachmentCount > 0)
        writer.output.reserveCapacity(64)
        if attachmentCount > 0 {
            writer.output.append(UInt8(ascii: "5"))
            writer.writeInt(attachmentCount)
            writer.output.append(UInt8(ascii: "-"))
        } else {
            writer.output.append(UInt8(ascii: "2"))
        }
        writeHeaderTail(namespace: namespace, id: ackID, into: &writer)
        writer.output.append(UInt8(ascii: "["))
        writer.writeString(event)
        for argument in arguments {
            writer.output.append(UInt8(ascii: ","))
            writer.write(argument)
        }
        writer.output.append(UInt8(ascii: "]"))
        return EncodedSocketPacket(utf8: writer.output, attachments: writer.attachments)
    }

    private static func writeHeaderTail(namespace: String, id: Int?, into writer: inout JSONWriter) {
        if namespace != "/", namespace.utf8.first == UInt8(ascii: "/") {
            writer.output.append(contentsOf: namespace.utf8)
            writer.output.append(UInt8(ascii: ","))
        }
        if let id { writer.writeInt(id) }
    }
}
