/// Polling payloads: packets in text form joined by the record separator 0x1E.
package enum EnginePayload {
    package static let separator: UInt8 = 0x1E

    /// Decodes a POST body. Stops at the first bad packet, like the reference: the packets before it are
    /// returned along with the error so the caller can deliver them, then close with `parse error`.
    package static func decode(_ body: [UInt8]) -> (packets: [EnginePacket], error: EngineParseError?) {
        var packets: [EnginePacket] = []
        for record in body.split(separator: separator, omittingEmptySubsequences: false) {
            do {
                packets.append(try EnginePacketCodec.decode(text: record))
            } catch {
                return (packets, error)
            }
        }
        return (packets, nil)
    }

    /// Encodes packets for a poll response.
    package static func encode(_ packets: [EnginePacket]) -> [UInt8] {
        var out: [UInt8] = []
        for (index, packet) in packets.enumerated() {
            if index > 0 { out.append(separator) }
            EnginePacketCodec.appendText(packet, to: &out)
        }
        return out
    }
}
