/// Engine.IO v4 packet types, by their wire digit.
package enum EnginePacketType: UInt8, Sendable, CaseIterable {
    case open = 0, close, ping, pong, message, upgrade, noop

    /// The ASCII digit that starts a text-encoded packet.
    package var wireByte: UInt8 { UInt8(ascii: "0") + rawValue }
}

/// A packet's payload: nothing, text, or bytes (binary exists only for `message`).
package enum EnginePacketData: Sendable, Equatable {
    case none
    case text(String)
    case binary([UInt8])
}

/// One Engine.IO packet.
package struct EnginePacket: Sendable, Equatable {
    package var type: EnginePacketType
    package var data: EnginePacketData

    package init(_ type: EnginePacketType, _ data: EnginePacketData = .none) {
        self.type = type
        self.data = data
    }

    package static func message(_ text: String) -> EnginePacket { EnginePacket(.message, .text(text)) }
    package static func message(_ bytes: [UInt8]) -> EnginePacket { EnginePacket(.message, .binary(bytes)) }

    /// The text data, or nil.
    package var text: String? {
        if case .text(let text) = data { return text }
        return nil
    }
}

/// Why bytes are not an Engine.IO packet. Any of them closes the session with reason `parse error`.
package enum EngineParseError: Error, Sendable, Equatable {
    case empty
    case unknownType(UInt8)
    case invalidBase64
    case invalidUTF8
    /// A payload or packet longer than `maxPayload`.
    case tooLarge(limit: Int)
}
