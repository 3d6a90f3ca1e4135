import RESP

// The incremental RESP decoder (Sources/RESP), with limits the input picks.
// Input: a control byte for the limits (bulk 0-255 bytes, 1-16 elements, depth 1-8), two bytes for a
// split offset, then the stream.
// Properties: the same values and the same error whether the stream comes whole or in two reads; no
// bulk string, array or nesting past the limits; nothing buffered beyond what was fed.

private func depth(_ value: RESPValue) -> Int {
    1 + (value.elements?.map(depth).max() ?? 0)
}

private func run(_ chunks: [ArraySlice<UInt8>], _ limits: RESPLimits) -> ([RESPValue], RESPError?) {
    var decoder = RESPDecoder(limits: limits)
    var values: [RESPValue] = []
    for chunk in chunks {
        decoder.feed(Array(chunk))
        check(decoder.bufferedBytes <= chunks.reduce(0) { $0 + $1.count }, "buffered more than fed")
        while true {
            do throws(RESPError) {
                guard let value = try decoder.next() else { break }
                values.append(value)
            } catch {
                return (values, error)
            }
        }
    }
    return (values, nil)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRESP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = FuzzReader(fuzzBytes(data, size))
    let control = reader.byte()
    var limits = RESPLimits()
    limits.maxBulkBytes = Int(control)
    limits.maxArrayCount = 1 + Int(control & 0x0F)
    limits.maxDepth = 1 + Int(control >> 5)
    let split = reader.splitOffset()
    let bytes = reader.payload
    let whole = run([bytes[...]], limits)
    let parts = run([bytes[..<split], bytes[split...]], limits)
    // Compared by their descriptions: a RESP3 `,nan` double is not equal to itself.
    check("\(whole)" == "\(parts)", "whole \(whole) but split at \(split) \(parts)")
    for value in whole.0 {
        check(depth(value) <= limits.maxDepth + 1, "nesting \(depth(value)) past \(limits.maxDepth)")
        if let bulk = value.bytes { check(bulk.count <= max(limits.maxBulkBytes, 64 * 1024), "bulk of \(bulk.count)") }
        if let elements = value.elements { check(elements.count <= limits.maxArrayCount, "\(elements.count) elements") }
    }
    return 0
}
