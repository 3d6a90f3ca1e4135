extension SocketPacket {
    /// Event names with a built-in meaning on one side or the other, so peers may not emit them.
    private static let reservedEventNames = [
        "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
    ]

    /// Every packet in and every emit out asks. A scan comparing lengths first: a small string's length
    /// is in its bits, and unequal names mostly differ in length, which spares both hashing and
    /// String's slower comparison path.
    package static func isReservedEventName(_ name: String) -> Bool {
        let length = name.utf8.count
        return reservedEventNames.contains { $0.utf8.count == length && $0 == name }
    }

    /// The reference's `isPacketValid`: namespace, ack id and data shape for the type. The decoder runs
    /// it on every packet; the encoder trusts its caller, which may run it on packets built from user input.
    package func validate() throws(SocketParseError) {
        guard namespace == "/" || (namespace.utf8.first == UInt8(ascii: "/") && !namespace.utf8.contains(UInt8(ascii: ","))) else {
            throw .badNamespace
        }
        if let id {
            guard id >= 0 else { throw .badAckID }
            switch type {
            case .event, .ack, .binaryEvent, .binaryAck: break
            default: throw .badAckID
            }
        }
        try Self.validate(data: data, for: type)
    }

    package static func validate(data: JSONValue?, for type: SocketPacketType) throws(SocketParseError) {
        switch type {
        case .connect:
            switch data {
            case .none, .object?: return
            default: throw .invalidPayload
            }
        case .disconnect:
            guard case .none = data else { throw .invalidPayload }
        case .connectError:
            switch data {
            case .string?, .object?: return
            default: throw .invalidPayload
            }
        case .event, .binaryEvent:
            guard case .array(let args)? = data, let first = args.first else { throw .invalidPayload }
            switch first {
            case .int, .double: return
            case .string(let name):
                if isReservedEventName(name) { throw .reservedEventName }
            default: throw .invalidPayload
            }
        case .ack, .binaryAck:
            guard case .array? = data else { throw .invalidPayload }
        }
    }
}
