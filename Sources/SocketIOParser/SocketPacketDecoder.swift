/// Stateful: a BINARY_* packet waits for its attachments.
///
/// After any thrown error the decoder holds nothing (a half-received binary packet is dropped); the
/// session is expected to close with "parse error" anyway.
package struct SocketPacketDecoder: Sendable {
    package let maxAttachments: Int
    package let maxDepth: Int
    private var pending: PendingBinaryPacket?

    package init(maxAttachments: Int = 10) {
        self.init(maxAttachments: maxAttachments, maxDepth: 64)
    }

    /// `maxDepth` bounds JSON nesting (arrays and objects) in the payload.
    package init(maxAttachments: Int = 10, maxDepth: Int) {
        self.maxAttachments = maxAttachments
        self.maxDepth = maxDepth
        self.pending = nil
    }

    /// True between a BINARY_* text packet and its last attachment.
    package var isAwaitingAttachments: Bool { pending != nil }

    /// Drops a half-received binary packet (e.g. when the transport closes).
    package mutating func reset() { pending = nil }

    /// Returns the packet, or nil while attachments are outstanding.
    package mutating func decode(text: String) throws(SocketParseError) -> SocketPacket? {
        try ensureNotAwaiting()
        var text = text
        let (maxAttachments, maxDepth) = (self.maxAttachments, self.maxDepth)
        let header = text.withUTF8 { utf8 in
            Result { () throws(SocketParseError) -> (SocketPacket, Int) in
                try SocketPacketTextParser.parse(UnsafeRawBufferPointer(utf8), maxAttachments: maxAttachments, maxDepth: maxDepth)
            }
        }
        return try accept(header.get())
    }

    /// The same as `decode(text:)` for a text message still held as UTF-8 bytes.
    package mutating func decode(textBytes: some Collection<UInt8>) throws(SocketParseError) -> SocketPacket? {
        try ensureNotAwaiting()
        let (maxAttachments, maxDepth) = (self.maxAttachments, self.maxDepth)
        let parse = { (buffer: UnsafeRawBufferPointer) in
            Result { () throws(SocketParseError) -> (SocketPacket, Int) in
                try SocketPacketTextParser.parse(buffer, maxAttachments: maxAttachments, maxDepth: maxDepth)
            }
        }
        let header = textBytes.withContiguousStorageIfAvailable { parse(UnsafeRawBufferPointer($0)) }
            ?? Array(textBytes).withUnsafeBytes(parse)
        return try accept(header.get())
    }

    package mutating func decode(binary: [UInt8]) throws(SocketParseError) -> SocketPacket? {
        guard var awaiting = pending else { throw .unexpectedBinary }
        pending = nil  // released first so the append below does not copy the buffer list
        awaiting.buffers.append(binary)
        guard awaiting.buffers.count == awaiting.expected else {
            pending = awaiting
            return nil
        }
        return try awaiting.reconstruct()
    }

    private mutating func ensureNotAwaiting() throws(SocketParseError) {
        if pending != nil {
            pending = nil
            throw .unexpectedText
        }
    }

    private mutating func accept(_ parsed: (packet: SocketPacket, attachments: Int)) -> SocketPacket? {
        guard parsed.attachments > 0 else { return parsed.packet }
        pending = PendingBinaryPacket(packet: parsed.packet, expected: parsed.attachments)
        return nil
    }
}

/// A BINARY_* packet whose placeholders wait for their attachments.
private struct PendingBinaryPacket: Sendable {
    var packet: SocketPacket
    let expected: Int
    var buffers: [[UInt8]] = []

    init(packet: SocketPacket, expected: Int) {
        self.packet = packet
        self.expected = expected
        buffers.reserveCapacity(expected)
    }

    /// Swaps each placeholder for its attachment; every attachment must be used exactly once (as every
    /// encoder writes them), so a peer cannot make the server buffer data that no argument refers to,
    /// nor pass `maxAttachments` by naming one attachment many times (re-encoded, each use is a copy).
    func reconstruct() throws(SocketParseError) -> SocketPacket {
        var used = [Bool](repeating: false, count: buffers.count)
        var result = packet
        result.type = packet.type == .binaryAck ? .ack : .event
        if let data = packet.data { result.data = try fill(data, used: &used) }
        guard !used.contains(false) else { throw .invalidPayload }
        return result
    }

    private func fill(_ value: JSONValue, used: inout [Bool]) throws(SocketParseError) -> JSONValue {
        switch value {
        case .array(var elements):
            for offset in elements.indices { elements[offset] = try fill(elements[offset], used: &used) }
            return .array(elements)
        case .object(let object):
            if case .bool(true)? = object["_placeholder"] {
                guard let num = object["num"]?.intValue, num >= 0, num < buffers.count, !used[num] else {
                    throw .invalidPayload
                }
                used[num] = true
                return .binary(buffers[num])
            }
            var filled = object
            for (key, member) in object where member.mayHoldPlaceholder {
                filled[key] = try fill(member, used: &used)
            }
            return .object(filled)
        default:
            return value
        }
    }
}

extension JSONValue {
    fileprivate var mayHoldPlaceholder: Bool {
        switch self {
        case .array, .object: return true
        default: return false
        }
    }
}
