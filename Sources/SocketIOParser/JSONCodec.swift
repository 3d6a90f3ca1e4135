/// Hand-written JSON for the per-message path: no `JSONSerialization` (it loses the int/bool/double
/// distinction and key order) and no `Codable` (too slow for a dynamic tree).
package enum JSONCodec {
    /// Parses UTF-8 JSON text (RFC 8259), rejecting trailing garbage and nesting deeper than `maxDepth`.
    ///
    /// Strict: no trailing commas, leading zeros, NaN/Infinity, comments, raw control characters in
    /// strings, or invalid UTF-8. One deliberate leniency: a lone UTF-16 surrogate escape (`"\uD800"`) is
    /// legal JSON that JavaScript keeps, but a Swift `String` cannot hold it, so it becomes U+FFFD.
    package static func decode(_ bytes: some Collection<UInt8>, maxDepth: Int = 64) throws(SocketParseError) -> JSONValue {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            decodeResult(UnsafeRawBufferPointer(buffer), maxDepth: maxDepth)
        } ?? Array(bytes).withUnsafeBytes { decodeResult($0, maxDepth: maxDepth) }
        return try result.get()
    }

    /// Parses the UTF-8 of `text` without copying it.
    package static func decode(string text: String, maxDepth: Int = 64) throws(SocketParseError) -> JSONValue {
        var text = text
        return try text.withUTF8 { decodeResult(UnsafeRawBufferPointer($0), maxDepth: maxDepth) }.get()
    }

    /// Parses bytes the caller keeps alive for the duration of the call.
    package static func decode(buffer: UnsafeRawBufferPointer, maxDepth: Int = 64) throws(SocketParseError) -> JSONValue {
        var parser = JSONParser(buffer, maxDepth: maxDepth)
        return try parser.parseDocument()
    }

    /// Appends compact JSON (like JSON.stringify) to `out`. `.binary` must have been replaced already.
    ///
    /// A stray `.binary` is written the way `JSON.stringify` writes a Node `Buffer`
    /// (`{"type":"Buffer","data":[…]}`) rather than trapping.
    package static func encode(_ value: JSONValue, into out: inout [UInt8]) {
        var writer = JSONWriter(output: out, extractBinary: false)
        out = []
        writer.write(value)
        out = writer.output
    }

    /// Compact JSON as bytes.
    package static func encode(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        encode(value, into: &out)
        return out
    }

    /// Compact JSON as a string.
    package static func encodeToString(_ value: JSONValue) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    private static func decodeResult(_ buffer: UnsafeRawBufferPointer, maxDepth: Int) -> Result<JSONValue, SocketParseError> {
        // Result rather than throw: `withUTF8` and friends only rethrow untyped errors.
        Result { () throws(SocketParseError) -> JSONValue in try decode(buffer: buffer, maxDepth: maxDepth) }
    }
}
