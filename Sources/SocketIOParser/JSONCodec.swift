// CONTRACT (parser helper implements).
package enum JSONCodec {
    /// Parses UTF-8 JSON text (RFC 8259), rejecting trailing garbage and nesting deeper than `maxDepth`.
    package static func decode(_ bytes: some Collection<UInt8>, maxDepth: Int = 64) throws(SocketParseError) -> JSONValue {
        fatalError("unimplemented")
    }
    /// Appends compact JSON (like JSON.stringify) to `out`. `.binary` must have been replaced already.
    package static func encode(_ value: JSONValue, into out: inout [UInt8]) { fatalError("unimplemented") }
}
