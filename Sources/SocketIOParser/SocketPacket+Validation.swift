extension SocketPacket {
    /// Event names with a built-in meaning on one side or the other, so peers may not emit them.
    /// A `switch` rather than a `Set`: every packet in and every emit out asks, and comparing short
    /// strings costs a fraction of hashing one.
    package static func isReservedEventName(_ name: String) -> Bool {
        // By length first (7, 10, 11, 13, 14): most names are none of these, and a length is free.
        switch name.utf8.count {
        case 7, 10, 11, 13, 14: break
        default: return false
        }
        return switch name {
        case "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener": true
        default: false
        }
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
