extension MessagePackValue: CustomStringConvertible {
    /// JSON-like and short, for logs and test failures: `["uid", {"type": 2, "n": 1.5}, bin(3), nil]`.
    package var description: String {
        var out = ""
        describe(into: &out)
        return out
    }

    private func describe(into out: inout String) {
        switch self {
        case .null: out += "nil"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .uint(let u): out += String(u)
        case .double(let d): out += String(d)
        case .string(let s): out += "\"" + s + "\""
        case .binary(let b): out += "bin(\(b.count))"
        case .array(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += ", " }
                element.describe(into: &out)
            }
            out += "]"
        case .map(let entries):
            out += "{"
            for (index, entry) in entries.enumerated() {
                if index > 0 { out += ", " }
                entry.key.describe(into: &out)
                out += ": "
                entry.value.describe(into: &out)
            }
            out += "}"
        case .timestamp(let seconds, let nanoseconds): out += "timestamp(\(seconds), \(nanoseconds))"
        case .ext(let type, let data): out += "ext(\(type), \(data.count))"
        }
    }
}
