/// Any Socket.IO argument: a JSON value, or binary (sent as an attachment).
///
/// Round-trips exactly: integers stay integers, `true` is never `1`, object key order is kept.
///
/// Numbers: JSON integers that fit `Int` decode as `.int`; anything with a fraction or exponent, or too
/// large for `Int`, decodes as `.double`. `-0` decodes as `.double(-0.0)` because JavaScript keeps the
/// sign there. Encoding follows `JSON.stringify`, so `.double(2.0)` is written `2` and reads back `.int(2)`.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
    case binary([UInt8])
}

// MARK: - Accessors

extension JSONValue {
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }

    /// The integer, also from an integral `.double` (JavaScript has one number type, so `2.0` is `2`).
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d):
            // Range check then truncating conversion: `Int(exactly:)` would pull in libm.
            guard d >= -0x1p63, d < 0x1p63 else { return nil }
            let i = Int(d)
            return Double(i) == d ? i : nil
        default: return nil
        }
    }

    /// The number as a `Double`, from either numeric case.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
    public var binaryValue: [UInt8]? { if case .binary(let b) = self { return b } else { return nil } }

    /// Member of an object; nil for a missing key or a non-object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] } else { return nil }
    }

    /// Element of an array; nil when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }

    /// True when a `.binary` appears anywhere inside (such a value travels as a binary packet).
    public var containsBinary: Bool {
        switch self {
        case .binary: return true
        case .array(let a): return a.contains { $0.containsBinary }
        case .object(let o): return o.contains { $0.value.containsBinary }
        default: return false
        }
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .int(value) }
}

extension JSONValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
}

// MARK: - Description

extension JSONValue: CustomStringConvertible {
    /// Compact JSON, as `JSON.stringify` would print it; binary shows as Node prints a `Buffer` in JSON.
    public var description: String {
        var out: [UInt8] = []
        JSONCodec.encode(self, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
