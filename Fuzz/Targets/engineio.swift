import EngineIOParser

// Engine.IO v4 packet and payload decoders (Sources/EngineIOParser), text and binary.
// Input: bytes taken three ways: as a polling payload (records joined by 0x1E), as one text frame,
// and as one binary frame.
// Properties: a payload decodes as its records decode one by one, stopping at the first bad one with
// that record's error; every text record re-encodes to exactly its bytes, a `b` record to base64
// that decodes to the same bytes; re-encoded packets decode to the same packets; nothing decoded is
// larger than the bytes it came from.

private func decodeResult(_ record: ArraySlice<UInt8>) -> Result<EnginePacket, EngineParseError> {
    do throws(EngineParseError) {
        return .success(try EnginePacketCodec.decode(text: record))
    } catch {
        return .failure(error)
    }
}

/// Checks one record's packet against the bytes it came from.
private func checkPacket(_ packet: EnginePacket, from record: ArraySlice<UInt8>) {
    let encoded = EnginePacketCodec.encodeText(packet)
    switch packet.data {
    case .binary(let bytes):
        check(packet.type == .message && record.first == UInt8(ascii: "b"), "binary \(packet.type) from \(Array(record))")
        check(bytes.count * 4 <= (record.count - 1) * 3, "\(bytes.count) bytes from \(record.count - 1) base64 characters")
    case .text(let text):
        check(text.utf8.count < record.count, "text of \(text.utf8.count) bytes from a \(record.count)-byte record")
        check(encoded.elementsEqual(record), "\(Array(record)) re-encodes as \(encoded)")
    case .none:
        check(encoded.elementsEqual(record), "\(Array(record)) re-encodes as \(encoded)")
    }
    check(decodeResult(encoded[...]) == .success(packet), "\(packet) does not survive its own encoding")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEngineIO(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)

    // Polling payload.
    let (packets, error) = EnginePayload.decode(bytes)
    let records = bytes.split(separator: EnginePayload.separator, omittingEmptySubsequences: false)
    check(packets.count <= records.count, "\(packets.count) packets from \(records.count) records")
    for (packet, record) in zip(packets, records) { checkPacket(packet, from: record) }
    if let error {
        check(decodeResult(records[packets.count]) == .failure(error), "payload stopped with \(error) at record \(packets.count)")
    } else {
        check(packets.count == records.count, "\(packets.count) packets from \(records.count) records without an error")
    }
    if !packets.isEmpty {
        let again = EnginePayload.decode(EnginePayload.encode(packets))
        check(again.error == nil && again.packets == packets, "re-encoded payload decodes as \(again)")
    }

    // One text frame (0x1E is ordinary data there).
    if case .success(let packet) = decodeResult(bytes[...]) { checkPacket(packet, from: bytes[...]) }

    // One binary frame: always a message carrying exactly the frame.
    check(EnginePacketCodec.decode(binaryFrame: bytes) == .message(bytes), "binary frame")
    return 0
}
