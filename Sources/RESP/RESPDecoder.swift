/// Incremental RESP2/RESP3 decoder: `feed` bytes as they arrive, then call `next` until it returns nil.
///
/// Work is linear in the input however it is split: a complete value is consumed as soon as it is
/// parsed, a partial aggregate keeps the elements already decoded (a stack of open aggregates), a
/// bulk string waits with its header parsed and only checks whether its bytes are there, and a
/// pending line is not rescanned. Nothing is reserved from a declared length: buffers grow with the
/// bytes actually received. RESP3 attributes (`|`) are not supported.
package struct RESPDecoder {
    package let limits: RESPLimits

    /// Received bytes; `buffer[start...]` is not consumed yet.
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes after `start` already searched for a line feed without finding one.
    private var scanned = 0
    /// A bulk-like value (`$`, `!`, `=`) whose header is parsed: its type byte and length.
    private var pendingBulk: (type: UInt8, length: Int)?
    private var open: [OpenAggregate] = []
    /// Once malformed, always malformed: the stream cannot be resynchronised.
    private var failure: RESPError?

    private struct OpenAggregate {
        var type: UInt8
        var remaining: Int
        var elements: [RESPValue] = []
    }

    package init(limits: RESPLimits = .init()) {
        self.limits = limits
    }

    /// Bytes received and not yet returned as part of a value.
    package var bufferedBytes: Int { buffer.count - start }

    package mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    package mutating func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// The next complete value, or nil when more bytes are needed.
    package mutating func next() throws(RESPError) -> RESPValue? {
        if let failure { throw failure }
        do {
            return try decode()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func decode() throws(RESPError) -> RESPValue? {
        while true {
            guard var value = try nextScalarOrOpen() else { return nil }
            // Attach to the enclosing aggregates, closing each one that is now complete.
            while !open.isEmpty {
                let top = open.count - 1
                open[top].elements.append(value)
                open[top].remaining -= 1
                if open[top].remaining > 0 { break }
                let done = open.removeLast()
                value = Self.aggregate(done.type, done.elements)
                if open.isEmpty { return value }
            }
            if open.isEmpty { return value }
        }
    }

    /// The next complete scalar or empty/nil aggregate (opening any non-empty aggregate on the way);
    /// nil when more bytes are needed.
    private mutating func nextScalarOrOpen() throws(RESPError) -> RESPValue? {
        while true {
            if let bulk = pendingBulk {
                guard buffer.count - start >= bulk.length + 2 else { return nil }
                let end = start + bulk.length
                guard buffer[end] == 13, buffer[end + 1] == 10 else { throw .invalidLineEnding }
                let body = Array(buffer[start..<end])
                start = end + 2
                pendingBulk = nil
                return try Self.bulk(bulk.type, body)
            }
            guard let (type, line) = try readLine() else { return nil }
            switch type {
            case UInt8(ascii: "+"): return .simpleString(Self.text(line))
            case UInt8(ascii: "-"): return .error(Self.text(line))
            case UInt8(ascii: ":"):
                guard let value = Self.integer(line) else { throw .invalidInteger(Self.text(line)) }
                return .integer(value)
            case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="):
                let length = try length(line, nilAllowed: type == UInt8(ascii: "$"))
                if length < 0 { return .bulkString(nil) }
                guard length <= limits.maxBulkBytes else { throw .bulkTooLarge(length: length, limit: limits.maxBulkBytes) }
                pendingBulk = (type, length)
            case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"):
                let count = try length(line, nilAllowed: type == UInt8(ascii: "*"))
                if count < 0 { return .array(nil) }
                guard count <= limits.maxArrayCount else { throw .arrayTooLarge(count: count, limit: limits.maxArrayCount) }
                guard open.count < limits.maxDepth else { throw .nestingTooDeep(limit: limits.maxDepth) }
                if count == 0 { return Self.aggregate(type, []) }
                open.append(OpenAggregate(type: type, remaining: type == UInt8(ascii: "%") ? 2 * count : count))
            case UInt8(ascii: "_"):
                guard line.isEmpty else { throw .invalidValue("_" + Self.text(line)) }
                return .null
            case UInt8(ascii: "#"):
                if line.elementsEqual([UInt8(ascii: "t")]) { return .boolean(true) }
                if line.elementsEqual([UInt8(ascii: "f")]) { return .boolean(false) }
                throw .invalidValue("#" + Self.text(line))
            case UInt8(ascii: ","):
                guard let value = Self.double(line) else { throw .invalidValue("," + Self.text(line)) }
                return .double(value)
            case UInt8(ascii: "("):
                let digits = line.first == UInt8(ascii: "-") || line.first == UInt8(ascii: "+") ? line.dropFirst() : line
                guard !digits.isEmpty, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { throw .invalidValue("(" + Self.text(line)) }
                return .bigNumber(Self.text(line))
            default:
                throw .invalidTypeByte(type)
            }
        }
    }

    /// One CRLF-terminated line: its type byte and content, consumed. Nil when the line is incomplete.
    private mutating func readLine() throws(RESPError) -> (UInt8, ArraySlice<UInt8>)? {
        let available = buffer.count - start
        guard available > 0 else { return nil }
        // Refuse garbage on its first byte rather than after a line of it.
        guard Self.typeBytes.contains(buffer[start]) else { throw .invalidTypeByte(buffer[start]) }
        var i = start + Swift.max(1, scanned)
        let end = buffer.count
        while i < end, buffer[i] != 10 { i += 1 }
        guard i < end else {
            scanned = available
            // Content of maxLineBytes plus CR would have put the LF at offset maxLineBytes + 2.
            if available > limits.maxLineBytes + 2 { throw .lineTooLong(limit: limits.maxLineBytes) }
            return nil
        }
        guard i - 1 > start, buffer[i - 1] == 13 else { throw .invalidLineEnding }
        guard i - 1 - (start + 1) <= limits.maxLineBytes else { throw .lineTooLong(limit: limits.maxLineBytes) }
        let type = buffer[start]
        let line = buffer[(start + 1)..<(i - 1)]
        start = i + 1
        scanned = 0
        return (type, line)
    }

    private func length(_ line: ArraySlice<UInt8>, nilAllowed: Bool) throws(RESPError) -> Int {
        if nilAllowed, line.elementsEqual([UInt8(ascii: "-"), UInt8(ascii: "1")]) { return -1 }
        guard !line.isEmpty, line.count <= 18, line.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw .invalidLength(Self.text(line))
        }
        return line.reduce(0) { $0 * 10 + Int($1 - 48) }
    }

    /// Drops consumed bytes when that is cheap relative to what was consumed (amortised linear).
    private mutating func compact() {
        guard start > 0 else { return }
        if start == buffer.count {
            // Give a large buffer back once a big reply is done; keep a small one for reuse.
            if buffer.capacity > 1 << 20 { buffer = [] } else { buffer.removeAll(keepingCapacity: true) }
            start = 0
        } else if start >= 4096, start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }

    // MARK: values

    private static let typeBytes: Set<UInt8> = Set("+-:$*_#,(!=%~>".utf8)

    private static func text(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    private static func integer(_ line: ArraySlice<UInt8>) -> Int64? {
        var digits = line[...]
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= 48, byte <= 57 else { return nil }
            let digit = Int64(byte - 48)
            // Accumulate negatively so Int64.min parses.
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.subtractingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            value = next
        }
        if negative { return value }
        guard value != Int64.min else { return nil }
        return -value
    }

    private static func double(_ line: ArraySlice<UInt8>) -> Double? {
        switch text(line) {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan", "-nan": return .nan
        case let text:
            // Double(String) also takes "0x1p3" and "infinity": allow only RESP's decimal form.
            guard !text.isEmpty, text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 45 || $0 == 43 || $0 == 101 || $0 == 69 }) else {
                return nil
            }
            return Double(text)
        }
    }

    private static func bulk(_ type: UInt8, _ body: [UInt8]) throws(RESPError) -> RESPValue {
        switch type {
        case UInt8(ascii: "!"): return .error(text(body))
        case UInt8(ascii: "="):
            guard body.count >= 4, body[3] == UInt8(ascii: ":") else { throw .invalidValue("=" + text(body.prefix(16))) }
            return .verbatimString(format: text(body[0..<3]), text: Array(body[4...]))
        default: return .bulkString(body)
        }
    }

    private static func aggregate(_ type: UInt8, _ elements: [RESPValue]) -> RESPValue {
        switch type {
        case UInt8(ascii: "~"): return .set(elements)
        case UInt8(ascii: ">"): return .push(elements)
        case UInt8(ascii: "%"):
            var pairs: [RESPPair] = []
            pairs.reserveCapacity(elements.count / 2)
            var i = 0
            while i + 1 < elements.count {
                pairs.append(RESPPair(elements[i], elements[i + 1]))
                i += 2
            }
            return .map(pairs)
        default: return .array(elements)
        }
    }
}

extension RESPDecoder {
    /// For tests: what the input buffer holds room for.
    var bufferCapacity: Int { buffer.capacity }
}
