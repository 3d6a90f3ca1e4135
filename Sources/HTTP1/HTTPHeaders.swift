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
    package func contains(name: String, token: String) -> Bool {
        for value in values(for: name) {
            for item in value.split(separator: ",") {
                let trimmed = item.trimmingOWS()
                // A parameterised item (`gzip;q=1`) counts by its token part.
                let bare = trimmed.split(separator: ";", maxSplits: 1).first.map { $0.trimmingOWS() } ?? trimmed
                if HTTPHeaders.sameName(String(bare), token) { return true }
            }
        }
        return false
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
