/// One reply (or request) in the Redis serialization protocol.
///
/// RESP2 has the first five cases; the others are RESP3's, decoded so that a connection switched to
/// protocol 3 (`HELLO 3`) still parses. Bulk strings are bytes: Redis is binary-safe and payloads
/// (msgpack) are not UTF-8.
package enum RESPValue: Sendable, Equatable {
    /// `+OK`
    case simpleString(String)
    /// `-ERR message` (and RESP3's blob error `!`)
    case error(String)
    /// `:1`
    case integer(Int64)
    /// `$3\r\nabc`; `$-1` is nil.
    case bulkString([UInt8]?)
    /// `*2 ...`; `*-1` is nil.
    case array([RESPValue]?)
    /// RESP3 `_`
    case null
    /// RESP3 `#t` / `#f`
    case boolean(Bool)
    /// RESP3 `,1.5` (also `inf`, `-inf`, `nan`)
    case double(Double)
    /// RESP3 `(12345678901234567890`, kept as its digits.
    case bigNumber(String)
    /// RESP3 `=15\r\ntxt:Some string`: the three-letter format and the text.
    case verbatimString(format: String, text: [UInt8])
    /// RESP3 `%`, in the order received (keys may repeat and need not be strings).
    case map([RESPPair])
    /// RESP3 `~`
    case set([RESPValue])
    /// RESP3 `>`: out-of-band data such as pub/sub messages.
    case push([RESPValue])
}

/// One entry of a RESP3 map.
package struct RESPPair: Sendable, Equatable {
    package var key: RESPValue
    package var value: RESPValue

    package init(_ key: RESPValue, _ value: RESPValue) {
        self.key = key
        self.value = value
    }
}

extension RESPValue {
    /// The bytes of a bulk, simple or verbatim string.
    package var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): return bytes
        case .simpleString(let text): return Array(text.utf8)
        case .verbatimString(_, let text): return text
        default: return nil
        }
    }

    /// A bulk, simple or verbatim string as text (invalid UTF-8 is repaired, so only for display or names).
    package var string: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    package var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The elements of an array, set or push.
    package var elements: [RESPValue]? {
        switch self {
        case .array(let elements): return elements
        case .set(let elements), .push(let elements): return elements
        default: return nil
        }
    }

    /// `$-1`, `*-1` or RESP3's `_`.
    package var isNull: Bool {
        switch self {
        case .null, .bulkString(nil), .array(nil): return true
        default: return false
        }
    }
}
