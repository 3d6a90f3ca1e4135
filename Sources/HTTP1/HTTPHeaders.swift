/// Header fields in arrival order; names compare case-insensitively.
package struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    private var fields: [(name: String, value: String)]

    package init() { fields = [] }
    package init(_ fields: [(name: String, value: String)]) { self.fields = fields }
    package init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { (name: $0.0, value: $0.1) }
    }

    /// The first value for `name`, case-insensitive.
    package subscript(name: String) -> String? {
        fields.first { HTTPHeaders.sameName($0.name, name) }?.value
    }

    /// Every value for `name`, in order.
    package func values(for name: String) -> [String] {
        fields.filter { HTTPHeaders.sameName($0.name, name) }.map(\.value)
    }

    package mutating func add(name: String, value: String) {
        fields.append((name: name, value: value))
    }

    /// Removes every field called `name`, then adds this one.
    package mutating func replaceOrAdd(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    package mutating func remove(name: String) {
        fields.removeAll { HTTPHeaders.sameName($0.name, name) }
    }

    /// True if a comma-separated header (e.g. `Connection`) lists `token`, case-insensitive.
    /// A parameterised item (`gzip;q=1`) counts by its token part.
    package func contains(name: String, token: String) -> Bool {
        fields.contains { HTTPHeaders.sameName($0.name, name) && HTTPHeaders.list($0.value, contains: token) }
    }

    /// Byte-wise, as it runs for several headers of every request.
    static func list(_ value: String, contains token: String) -> Bool {
        let bytes = value.utf8, wanted = token.utf8
        var start = bytes.startIndex
        while true {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: ",")) ?? bytes.endIndex
            var item = bytes[start..<end]
            if let semicolon = item.firstIndex(of: UInt8(ascii: ";")) { item = item[..<semicolon] }
            while let first = item.first, first == 0x20 || first == 0x09 { item = item.dropFirst() }
            while let last = item.last, last == 0x20 || last == 0x09 { item = item.dropLast() }
            if item.elementsEqual(wanted, by: { asciiLower($0) == asciiLower($1) }) { return true }
            guard end < bytes.endIndex else { return false }
            start = bytes.index(after: end)
        }
    }

    package var count: Int { fields.count }
    package var isEmpty: Bool { fields.isEmpty }

    package func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    package static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        guard lhs.fields.count == rhs.fields.count else { return false }
        for (l, r) in zip(lhs.fields, rhs.fields) where !sameName(l.name, r.name) || l.value != r.value {
            return false
        }
        return true
    }

    package var description: String {
        fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    }

    /// ASCII case-insensitive comparison; header names are ASCII tokens, so no Unicode folding.
    package static func sameName(_ a: String, _ b: String) -> Bool {
        let a = a.utf8, b = b.utf8
        guard a.count == b.count else { return false }
        // Header lookups run many times per request: compare the contiguous bytes when we can.
        let fast = a.withContiguousStorageIfAvailable { x in
            b.withContiguousStorageIfAvailable { y in
                for i in 0..<x.count where x[i] != y[i] && asciiLower(x[i]) != asciiLower(y[i]) { return false }
                return true
            }
        }
        if let fast, let result = fast { return result }
        for (x, y) in zip(a, b) where x != y {
            if asciiLower(x) != asciiLower(y) { return false }
        }
        return true
    }

    @inline(__always)
    static func asciiLower(_ c: UInt8) -> UInt8 {
        (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c
    }
}

extension StringProtocol {
    /// Without leading/trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingOWS() -> Substring {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return Substring(s)
    }
}
