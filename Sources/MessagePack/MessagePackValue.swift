/// One MessagePack value, as the wire carries it (spec: github.com/msgpack/msgpack/blob/master/spec.md).
///
/// Integers: every integer that fits `Int64` is `.int`, whatever its wire format (a `uint 64` of 5 is
/// `.int(5)`); only integers above `Int64.max` are `.uint`. Maps keep their wire order and may repeat
/// keys or use non-string keys, as the format allows; equality compares entries in order.
package enum MessagePackValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    /// Only for integers above `Int64.max`.
    case uint(UInt64)
    /// float 64; a decoded float 32 widens to this.
    case double(Double)
    case string(String)
    case binary([UInt8])
    case array([MessagePackValue])
    case map([(key: MessagePackValue, value: MessagePackValue)])
    /// The timestamp extension (type -1) in any of its three sizes; `nanoseconds` is below 1,000,000,000.
    case timestamp(seconds: Int64, nanoseconds: UInt32)
    /// Any other extension type, kept raw.
    case ext(type: Int8, data: [UInt8])
}

extension MessagePackValue: Equatable {
    package static func == (lhs: MessagePackValue, rhs: MessagePackValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.uint(let a), .uint(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.binary(let a), .binary(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.map(let a), .map(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.timestamp(let s1, let n1), .timestamp(let s2, let n2)): return s1 == s2 && n1 == n2
        case (.ext(let t1, let d1), .ext(let t2, let d2)): return t1 == t2 && d1 == d2
        default: return false
        }
    }
}

extension MessagePackValue: Hashable {
    package func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(1); hasher.combine(b)
        case .int(let i): hasher.combine(2); hasher.combine(i)
        case .uint(let u): hasher.combine(3); hasher.combine(u)
        case .double(let d): hasher.combine(4); hasher.combine(d)
        case .string(let s): hasher.combine(5); hasher.combine(s)
        case .binary(let b): hasher.combine(6); hasher.combine(b)
        case .array(let a): hasher.combine(7); hasher.combine(a)
        case .map(let entries):
            hasher.combine(8)
            hasher.combine(entries.count)
            for entry in entries {
                hasher.combine(entry.key)
                hasher.combine(entry.value)
            }
        case .timestamp(let s, let n): hasher.combine(9); hasher.combine(s); hasher.combine(n)
        case .ext(let t, let d): hasher.combine(10); hasher.combine(t); hasher.combine(d)
        }
    }
}

// MARK: - Accessors

extension MessagePackValue {
    package var isNull: Bool { if case .null = self { return true } else { return false } }

    package var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }

    /// The integer as `Int`, from `.int` or from a `.uint` that fits; nil for doubles and anything else.
    package var intValue: Int? {
        switch self {
        case .int(let i): return Int(exactly: i)
        case .uint(let u): return Int(exactly: u)
        default: return nil
        }
    }

    /// The number as a `Double`, from any numeric case (as JavaScript sees every number).
    package var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .uint(let u): return Double(u)
        case .double(let d): return d
        default: return nil
        }
    }

    package var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    package var binaryValue: [UInt8]? { if case .binary(let b) = self { return b } else { return nil } }
    package var arrayValue: [MessagePackValue]? { if case .array(let a) = self { return a } else { return nil } }

    package var mapValue: [(key: MessagePackValue, value: MessagePackValue)]? {
        if case .map(let m) = self { return m } else { return nil }
    }

    /// The value under a string key of a map; with a repeated key the last one wins, as in a JavaScript
    /// object built from the map. Nil for a missing key or a non-map.
    package subscript(key: String) -> MessagePackValue? {
        guard case .map(let entries) = self else { return nil }
        for entry in entries.reversed() {
            if case .string(let k) = entry.key, k == key { return entry.value }
        }
        return nil
    }

    /// Element of an array; nil when out of range or not an array.
    package subscript(index: Int) -> MessagePackValue? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }
}
