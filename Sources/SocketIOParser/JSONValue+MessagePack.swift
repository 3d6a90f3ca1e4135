import MessagePack

/// Why a MessagePack value has no `JSONValue` form.
package enum MessagePackConversionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A map key that JavaScript would turn into a meaningless string (`[object Object]`, …); the
    /// associated value names its kind.
    case unsupportedMapKey(String)
    /// An extension other than the timestamp (notepack 3.x writes no other).
    case unsupportedExtension(type: Int8)

    package var description: String {
        switch self {
        case .unsupportedMapKey(let kind):
            return "MessagePack map key of kind \(kind) has no JSON form (keys must be strings, numbers, booleans or nil)"
        case .unsupportedExtension(let type):
            return "MessagePack extension type \(type) has no JSON form (only the timestamp, type -1, is read)"
        }
    }
}

/// The bridge between Socket.IO payloads and MessagePack, as a Node peer using notepack.io 3.x sees it:
/// what Node would decode into a JavaScript value and then `JSON.stringify`, and what Node would send
/// for the same JavaScript value.
extension JSONValue {
    /// - `.uint` (above `Int64.max`) becomes `.double`, the number JavaScript would hold.
    /// - A timestamp becomes the string `Date.toISOString()` gives, with milliseconds (`2024-01-02T03:04:05.678Z`),
    ///   or `.null` outside a JavaScript `Date`'s range (as `JSON.stringify` writes an invalid date).
    /// - Map keys: strings as they are; numbers, booleans and nil as JavaScript spells them as property
    ///   names (`1`, `1.5`, `true`, `null`); other keys throw. A repeated key keeps its first position
    ///   and its last value, as in a JavaScript object.
    /// - Extensions other than the timestamp throw.
    package init(messagePack value: MessagePackValue) throws(MessagePackConversionError) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(Int(i))
        case .uint(let u): self = .double(Double(u))
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .binary(let b): self = .binary(b)
        case .array(let elements):
            var array: [JSONValue] = []
            array.reserveCapacity(elements.count)
            for element in elements { array.append(try JSONValue(messagePack: element)) }
            self = .array(array)
        case .map(let entries):
            var object = JSONObject()
            for entry in entries {
                object[try Self.propertyName(entry.key)] = try JSONValue(messagePack: entry.value)
            }
            self = .object(object)
        case .timestamp(let seconds, let nanoseconds):
            self = JSDateFormatter.isoString(seconds: seconds, nanoseconds: nanoseconds).map { .string($0) } ?? .null
        case .ext(let type, _):
            throw .unsupportedExtension(type: type)
        }
    }

    /// What notepack.io 3.x writes for the JavaScript value: a number that is an integer (`2.0` is one)
    /// goes out as an integer, anything else numeric as float 64; objects as maps with string keys in
    /// key order; binary as bin.
    ///
    /// Integral doubles outside the 64-bit integer range go out as float 64, where notepack would write
    /// a wrapped-around integer.
    package var messagePackValue: MessagePackValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(Int64(i))
        case .double(let d): return Self.messagePackNumber(d)
        case .string(let s): return .string(s)
        case .binary(let b): return .binary(b)
        case .array(let elements): return .array(elements.map(\.messagePackValue))
        case .object(let object):
            var entries: [(key: MessagePackValue, value: MessagePackValue)] = []
            entries.reserveCapacity(object.count)
            for (key, value) in object { entries.append((key: .string(key), value: value.messagePackValue)) }
            return .map(entries)
        }
    }

    static func messagePackNumber(_ d: Double) -> MessagePackValue {
        // Range checks before the truncating conversions (which trap out of range); NaN fails them all.
        if d >= -0x1p63 && d < 0x1p63 {
            let i = Int64(d)
            if Double(i) == d { return .int(i) }   // -0.0 lands here as 0, as notepack writes it
        } else if d >= 0x1p63 && d < 0x1p64 {
            return .uint(UInt64(d))  // every double this large is an integer
        }
        return .double(d)
    }

    /// A map key as JavaScript turns it into a property name.
    private static func propertyName(_ key: MessagePackValue) throws(MessagePackConversionError) -> String {
        switch key {
        case .string(let s): return s
        // JavaScript holds integers beyond 2^53 as the nearest double, and names the key after that.
        case .int(let i): return i.magnitude <= 1 << 53 ? String(i) : numberName(Double(i))
        case .uint(let u): return numberName(Double(u))
        case .double(let d): return numberName(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .binary: throw .unsupportedMapKey("binary")
        case .array: throw .unsupportedMapKey("array")
        case .map: throw .unsupportedMapKey("map")
        case .timestamp: throw .unsupportedMapKey("timestamp")
        case .ext: throw .unsupportedMapKey("ext")
        }
    }

    /// `String(number)` in JavaScript.
    private static func numberName(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        var out: [UInt8] = []
        JSNumberFormatter.write(d, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension MessagePackWriter {
    /// The bytes of `MessagePack.encode(value.messagePackValue)`, written straight from the `JSONValue`
    /// (no intermediate tree): for a payload inside a message built with the writer.
    package mutating func write(json value: JSONValue) {
        switch value {
        case .null: writeNil()
        case .bool(let b): write(b)
        case .int(let i): write(i)
        case .double(let d): write(JSONValue.messagePackNumber(d))
        case .string(let s): write(s)
        case .binary(let b): writeBinary(b)
        case .array(let elements):
            writeArrayHeader(count: elements.count)
            for element in elements { write(json: element) }
        case .object(let object):
            writeMapHeader(count: object.count)
            for (key, element) in object {
                write(key)
                write(json: element)
            }
        }
    }
}
