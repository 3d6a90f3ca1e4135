/// Header fields in arrival order; names compare case-insensitively.
///
/// Stored as one byte buffer plus field boundaries, not a `String` pair per field: a handshake's
/// headers live as long as its session, and a dozen browser headers as separate strings cost
/// more than a kilobyte of every idle connection.
package struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// Every field's name then value, back to back.
    private var bytes: [UInt8] = []
    /// Two per field: where its name ends and where its value ends; a name starts where the previous
    /// value ended.
    private var ends: [UInt32] = []

    package init() {}
    package init(_ fields: [(name: String, value: String)]) {
        for field in fields { add(name: field.name, value: field.value) }
    }
    package init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { add(name: name, value: value) }
    }

    /// Room for `fields` fields of `bytes` bytes in all, so a parsed head is stored without slack.
    package mutating func reserveCapacity(fields: Int, bytes byteCount: Int) {
        ends.reserveCapacity(2 * fields)
        bytes.reserveCapacity(byteCount)
    }

    package var count: Int { ends.count / 2 }
    package var isEmpty: Bool { ends.isEmpty }

    private func nameRange(_ field: Int) -> Range<Int> {
        (field == 0 ? 0 : Int(ends[2 * field - 1]))..<Int(ends[2 * field])
    }
    private func valueRange(_ field: Int) -> Range<Int> { Int(ends[2 * field])..<Int(ends[2 * field + 1]) }
    private func name(_ field: Int) -> String { String(decoding: bytes[nameRange(field)], as: UTF8.self) }
    private func value(_ field: Int) -> String { String(decoding: bytes[valueRange(field)], as: UTF8.self) }

    /// True if field `field` is called `name` (ASCII case-insensitive).
    private func field(_ field: Int, isNamed name: String) -> Bool {
        let range = nameRange(field)
        let wanted = name.utf8
        guard range.count == wanted.count else { return false }
        return zip(bytes[range], wanted).allSatisfy { $0 == $1 || Self.asciiLower($0) == Self.asciiLower($1) }
    }

    private func fields(named name: String) -> some Collection<Int> {
        (0..<count).lazy.filter { field($0, isNamed: name) }
    }

    /// The first value for `name`, case-insensitive.
    package subscript(name: String) -> String? {
        fields(named: name).first.map(value)
    }

    /// Every value for `name`, in order.
    package func values(for name: String) -> [String] {
        fields(named: name).map(value)
    }

    package mutating func add(name: String, value: String) {
        add(name: name.utf8, value: value.utf8)
    }

    /// Appends a field from raw bytes (the parser's slices), without building strings.
    package mutating func add(name: some Collection<UInt8>, value: some Collection<UInt8>) {
        bytes.append(contentsOf: name)
        ends.append(UInt32(bytes.count))
        bytes.append(contentsOf: value)
        ends.append(UInt32(bytes.count))
    }

    /// Removes every field called `name`, then adds this one.
    package mutating func replaceOrAdd(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    package mutating func remove(name: String) {
        guard !fields(named: name).isEmpty else { return }
        var kept = HTTPHeaders()
        for index in 0..<count where !field(index, isNamed: name) {
            kept.add(name: bytes[nameRange(index)], value: bytes[valueRange(index)])
        }
        self = kept
    }

    /// True if a comma-separated header (e.g. `Connection`) lists `token`, case-insensitive.
    /// A parameterised item (`gzip;q=1`) counts by its token part.
    package func contains(name: String, token: String) -> Bool {
        fields(named: name).contains { HTTPHeaders.list(bytes[valueRange($0)], contains: token) }
    }

    /// Byte-wise, as it runs for several headers of every request.
    static func list(_ value: ArraySlice<UInt8>, contains token: String) -> Bool {
        let wanted = token.utf8
        var start = value.startIndex
        while true {
            let end = value[start...].firstIndex(of: UInt8(ascii: ",")) ?? value.endIndex
            var item = value[start..<end]
            if let semicolon = item.firstIndex(of: UInt8(ascii: ";")) { item = item[..<semicolon] }
            while let first = item.first, first == 0x20 || first == 0x09 { item = item.dropFirst() }
            while let last = item.last, last == 0x20 || last == 0x09 { item = item.dropLast() }
            // Empty items (`a,,b`) are not elements (RFC 7230 §7).
            if !item.isEmpty, item.elementsEqual(wanted, by: { asciiLower($0) == asciiLower($1) }) { return true }
            guard end < value.endIndex else { return false }
            start = end + 1
        }
    }

    package func makeIterator() -> Iterator { Iterator(headers: self) }

    package struct Iterator: IteratorProtocol {
        let headers: HTTPHeaders
        var position = 0
        package mutating func next() -> (name: String, value: String)? {
            guard position < headers.count else { return nil }
            defer { position += 1 }
            return (headers.name(position), headers.value(position))
        }
    }

    package static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for index in 0..<lhs.count {
            guard lhs.field(index, isNamed: rhs.name(index)),
                  lhs.bytes[lhs.valueRange(index)] == rhs.bytes[rhs.valueRange(index)] else { return false }
        }
        return true
    }

    package var description: String {
        map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    }

    /// ASCII case-insensitive comparison; header names are ASCII tokens, so no Unicode folding.
    package static func sameName(_ a: String, _ b: String) -> Bool {
        let a = a.utf8, b = b.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { $0 == $1 || asciiLower($0) == asciiLower($1) }
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
