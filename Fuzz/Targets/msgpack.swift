import MessagePack

// MessagePack decoder and encoder (Sources/MessagePack), with limits the input picks.
// Input: one control byte for the limits (maxDepth 1-16, maxItems 1-4096), then the message.
// Properties: what decodes stays within the limits; it re-encodes to bytes that decode to a value
// encoding to the same bytes (the encoder picks the shortest forms, so the bytes may differ from the
// input's, but re-encoding is a fixed point).

private func depthAndItems(_ value: MessagePackValue) -> (depth: Int, items: Int) {
    switch value {
    case .array(let items):
        let inner = items.map(depthAndItems)
        return (1 + (inner.map(\.depth).max() ?? 0), 1 + inner.reduce(0) { $0 + $1.items })
    case .map(let pairs):
        let inner = pairs.flatMap { [depthAndItems($0.key), depthAndItems($0.value)] }
        return (1 + (inner.map(\.depth).max() ?? 0), 1 + inner.reduce(0) { $0 + $1.items })
    default:
        return (0, 1)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessagePack(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = FuzzReader(fuzzBytes(data, size))
    let control = reader.byte()
    var limits = MessagePackLimits()
    limits.maxDepth = 1 + Int(control & 0x0F)
    limits.maxItems = 1 << (Int(control >> 4) % 13)
    let bytes = reader.payload
    guard let value = try? MessagePack.decode(bytes, limits: limits) else { return 0 }
    let (depth, items) = depthAndItems(value)
    check(depth <= limits.maxDepth, "depth \(depth) past \(limits.maxDepth)")
    check(items <= limits.maxItems, "\(items) values past \(limits.maxItems)")
    let encoded = MessagePack.encode(value)
    guard let again = try? MessagePack.decode(encoded, limits: MessagePackLimits()) else {
        propertyFailed("\(value) re-encodes to undecodable \(encoded)")
    }
    // Compared as bytes: NaN is not equal to itself, its encoding is.
    check(MessagePack.encode(again) == encoded, "\(value) re-encodes to \(again)")
    return 0
}
