// Literals, so fixtures and callers can write `["uid", ["type": 2], nil]`.

extension MessagePackValue: ExpressibleByNilLiteral {
    package init(nilLiteral: ()) { self = .null }
}

extension MessagePackValue: ExpressibleByBooleanLiteral {
    package init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension MessagePackValue: ExpressibleByIntegerLiteral {
    package init(integerLiteral value: Int64) { self = .int(value) }
}

extension MessagePackValue: ExpressibleByFloatLiteral {
    package init(floatLiteral value: Double) { self = .double(value) }
}

extension MessagePackValue: ExpressibleByStringLiteral {
    package init(stringLiteral value: String) { self = .string(value) }
}

extension MessagePackValue: ExpressibleByArrayLiteral {
    package init(arrayLiteral elements: MessagePackValue...) { self = .array(elements) }
}

extension MessagePackValue: ExpressibleByDictionaryLiteral {
    /// Entries stay in the order written.
    package init(dictionaryLiteral elements: (MessagePackValue, MessagePackValue)...) {
        self = .map(elements.map { (key: $0.0, value: $0.1) })
    }
}
