import SocketIOParser

// Socket.IO v5 packet decoder with its JSON parser and binary reconstruction (Sources/SocketIOParser).
// Input: a byte choosing the limits (low 4 bits: maxDepth 1-16, high 4 bits: maxAttachments 0-15), then
// Engine.IO messages joined by 0x1E; one starting with 0x00 is a binary message (its other bytes), any
// other a text message. Those bytes are also parsed as one JSON document.
// Properties: every packet out is valid, nests no deeper than `maxDepth` and carries no more
// binaries than `maxAttachments`; it re-encodes to a text part and attachments that decode to an
// equivalent packet; decoding from a String and from bytes agree; JSON re-encodes to a value that
// decodes the same, and the encoding is a fixed point.

private struct Limits {
    var maxDepth: Int
    var maxAttachments: Int

    init(_ byte: UInt8) {
        maxDepth = 1 + Int(byte & 0x0F)
        maxAttachments = Int(byte >> 4)
    }
}

/// Nesting as the wire sees it: a binary travels as a `{"_placeholder":…}` object.
private func depth(_ value: JSONValue) -> Int {
    switch value {
    case .array(let elements): return 1 + (elements.map(depth).max() ?? 0)
    case .object(let object): return 1 + (object.map { depth($0.value) }.max() ?? 0)
    case .binary: return 1
    default: return 0
    }
}

private func binaryCount(_ value: JSONValue) -> Int {
    switch value {
    case .array(let elements): return elements.reduce(0) { $0 + binaryCount($1) }
    case .object(let object): return object.reduce(0) { $0 + binaryCount($1.value) }
    case .binary: return 1
    default: return 0
    }
}

private func hasInfinity(_ value: JSONValue) -> Bool {
    switch value {
    case .double(let x): return !x.isFinite
    case .array(let elements): return elements.contains(where: hasInfinity)
    case .object(let object): return object.contains { hasInfinity($0.value) }
    default: return false
    }
}

/// Equal, except that numbers compare by value, as JSON.stringify writes `2.0` and `-0` as `2` and `0`,
/// and a number too large for a Double (`1e400` parses as Infinity, as in JavaScript) becomes `null`.
private func equivalent(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.int(let x), .int(let y)): return x == y
    case (.double(let x), .null) where !x.isFinite, (.null, .double(let x)) where !x.isFinite: return true
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(equivalent)
    case (.object(let x), .object(let y)):
        return x.keys == y.keys && x.allSatisfy { member in y[member.key].map { equivalent(member.value, $0) } ?? false }
    default:
        if let x = a.doubleValue, let y = b.doubleValue { return x == y }
        return a == b
    }
}

private func equivalent(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
    switch (a, b) {
    case (.none, .none): return true
    case (.some(let x), .some(let y)): return equivalent(x, y)
    default: return false
    }
}

private enum Message { case text([UInt8]), binary([UInt8]) }

/// Feeds messages to a decoder; the outcome of each: a packet, nil while attachments are due, or an error.
private func decode(_ messages: [Message], _ limits: Limits, fromString: Bool) -> [Result<SocketPacket?, SocketParseError>] {
    var decoder = SocketPacketDecoder(maxAttachments: limits.maxAttachments, maxDepth: limits.maxDepth)
    return messages.map { message in
        do throws(SocketParseError) {
            switch message {
            case .binary(let bytes): return .success(try decoder.decode(binary: bytes))
            case .text(let bytes):
                if fromString, let text = String(validating: bytes, as: UTF8.self) {
                    return .success(try decoder.decode(text: text))
                }
                return .success(try decoder.decode(textBytes: bytes))
            }
        } catch {
            return .failure(error)
        }
    }
}

private func checkPacket(_ packet: SocketPacket, _ limits: Limits) {
    do throws(SocketParseError) { try packet.validate() } catch { propertyFailed("\(packet) is not valid: \(error)") }
    check(packet.type != .binaryEvent && packet.type != .binaryAck, "\(packet) keeps its binary type")
    guard let data = packet.data else { return }
    check(depth(data) <= limits.maxDepth, "\(packet) nests \(depth(data)) deep")
    check(binaryCount(data) <= limits.maxAttachments, "\(packet) carries \(binaryCount(data)) binaries")

    // Infinity goes out as `null` (as from JSON.stringify), which may not be a valid event name: the
    // JSON round trip below covers such values.
    guard !hasInfinity(data) else { return }
    let encoded = SocketPacketEncoder.encode(packet)
    let again = decode([.text(encoded.utf8)] + encoded.attachments.map { .binary($0) }, limits, fromString: false)
    guard case .success(let decoded?)? = again.last, again.dropLast().allSatisfy({ $0 == .success(nil) }) else {
        propertyFailed("\(packet) encodes as \(encoded.text) + \(encoded.attachments.count) attachments, which decode as \(again)")
    }
    check(decoded.type == packet.type && decoded.namespace == packet.namespace && decoded.id == packet.id
              && equivalent(decoded.data, packet.data),
          "\(packet) re-decodes as \(decoded) from \(encoded.text)")
}

private func checkJSON(_ bytes: [UInt8], _ limits: Limits) {
    guard let value = try? JSONCodec.decode(bytes, maxDepth: limits.maxDepth) else { return }
    check(depth(value) <= limits.maxDepth, "JSON nests \(depth(value)) deep")
    let encoded = JSONCodec.encode(value)
    guard let again = try? JSONCodec.decode(encoded, maxDepth: limits.maxDepth) else {
        propertyFailed("\(value) encodes as \(String(decoding: encoded, as: UTF8.self)), which does not parse")
    }
    check(equivalent(again, value), "\(value) re-decodes as \(again)")
    check(JSONCodec.encode(again) == encoded, "encoding \(value) is not a fixed point")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSocketIO(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = FuzzReader(fuzzBytes(data, size))
    let limits = Limits(reader.byte())
    let bytes = reader.payload
    let messages = bytes.split(separator: 0x1E, omittingEmptySubsequences: false).map { record -> Message in
        record.first == 0 ? .binary(Array(record.dropFirst())) : .text(Array(record))
    }
    let outcomes = decode(messages, limits, fromString: false)
    let fromStrings = decode(messages, limits, fromString: true)
    check(outcomes == fromStrings, "bytes decode as \(outcomes), strings as \(fromStrings)")
    for case .success(let packet?) in outcomes { checkPacket(packet, limits) }
    checkJSON(bytes, limits)
    return 0
}
