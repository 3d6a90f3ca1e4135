/// Encoding and decoding entry points; the encoder's format choices are `MessagePackWriter`'s.
package enum MessagePack {
    /// One buffer, grown geometrically from a size that holds a typical adapter message; a sizing
    /// pass over the value first would cost more than the few reallocations of a large one.
    package static func encode(_ value: MessagePackValue) -> [UInt8] {
        var writer = MessagePackWriter(capacity: 128)
        writer.write(value)
        return writer.bytes
    }

    /// Appends the encoding to `buffer`.
    package static func encode(_ value: MessagePackValue, into buffer: inout [UInt8]) {
        var writer = MessagePackWriter(appendingTo: buffer)
        buffer = []  // the writer holds the only reference, so its appends stay in place
        writer.write(value)
        buffer = writer.bytes
    }
}

extension MessagePackWriter {
    /// A whole value, recursively (nesting costs stack: values come from code or a depth-limited decode).
    package mutating func write(_ value: MessagePackValue) {
        switch value {
        case .null: writeNil()
        case .bool(let b): write(b)
        case .int(let i): write(i)
        case .uint(let u): write(u)
        case .double(let d): write(d)
        case .string(let s): write(s)
        case .binary(let b): writeBinary(b)
        case .array(let elements):
            writeArrayHeader(count: elements.count)
            for element in elements { write(element) }
        case .map(let entries):
            writeMapHeader(count: entries.count)
            for entry in entries {
                write(entry.key)
                write(entry.value)
            }
        case .timestamp(let seconds, let nanoseconds): writeTimestamp(seconds: seconds, nanoseconds: nanoseconds)
        case .ext(let type, let data): writeExt(type: type, data: data)
        }
    }
}
