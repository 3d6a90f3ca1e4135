/// Recursive-descent RFC 8259 parser over borrowed UTF-8 bytes.
///
/// Recursion depth is bounded by `maxDepth`, so hostile nesting cannot overflow the stack.
struct JSONParser {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0
    private let maxDepth: Int
    /// Reused across strings that contain escapes, so only the final `String` allocates.
    private var scratch: [UInt8] = []

    init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(SocketParseError) -> JSONValue {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else { throw .badJSON }
        return value
    }

    // MARK: Values

    private mutating func parseValue(depth: Int) throws(SocketParseError) -> JSONValue {
        skipWhitespace()
        guard position < bytes.count else { throw .badJSON }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw .badJSON
        }
    }

    private mutating func parseObject(depth: Int) throws(SocketParseError) -> JSONValue {
        guard depth <= maxDepth else { throw .badJSON }
        position += 1  // {
        var object = JSONObject()
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            position += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard try peek() == UInt8(ascii: "\"") else { throw .badJSON }
            let key = try parseString()
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else { throw .badJSON }
            position += 1
            object[key] = try parseValue(depth: depth)
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(object)
            default: throw .badJSON
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(SocketParseError) -> JSONValue {
        guard depth <= maxDepth else { throw .badJSON }
        position += 1  // [
        var array: [JSONValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            position += 1
            return .array(array)
        }
        while true {
            array.append(try parseValue(depth: depth))
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(array)
            default: throw .badJSON
            }
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(SocketParseError) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - position >= count else { throw .badJSON }
        let expected = UnsafeRawBufferPointer(start: literal.utf8Start, count: count)
        for offset in 0..<count where bytes[position + offset] != expected[offset] {
            throw .badJSON
        }
        position += count
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(SocketParseError) -> JSONValue {
        let start = position
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw .badJSON }

        // Accumulate negatively so Int.min parses; overflow just means "use a Double".
        var accumulator = 0
        var overflowed = false
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw .badJSON }
        } else {
            while position < bytes.count, isDigit(bytes[position]) {
                let digit = Int(bytes[position] &- UInt8(ascii: "0"))
                if !overflowed {
                    let (times10, o1) = accumulator.multipliedReportingOverflow(by: 10)
                    let (next, o2) = times10.subtractingReportingOverflow(digit)
                    if o1 || o2 { overflowed = true } else { accumulator = next }
                }
                position += 1
            }
        }

        var integral = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            integral = false
            position += 1
            try skipDigits()
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            integral = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            try skipDigits()
        }

        if integral && !overflowed {
            if negative {
                return accumulator == 0 ? .double(-0.0) : .int(accumulator)
            }
            if accumulator != Int.min { return .int(-accumulator) }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text) else { throw .badJSON }
        return .double(value)
    }

    private mutating func skipDigits() throws(SocketParseError) {
        let start = position
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        guard position > start else { throw .badJSON }
    }

    // MARK: Strings

    /// Parses from the opening quote. The common case (no escapes) slices the input straight into a String.
    private mutating func parseString() throws(SocketParseError) -> String {
        position += 1  // "
        let start = position
        var nonASCII: UInt8 = 0
        // Eight bytes at a time while none ends the plain run (quote, backslash, control character);
        // the byte loop below then finds which one did.
        while position + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
            guard !Self.endsPlainRun(word) else { break }
            if word & Self.highBits != 0 { nonASCII = 0x80 }
            position += 8
        }
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let run = UnsafeRawBufferPointer(rebasing: bytes[start..<position])
                position += 1
                return try Self.makeString(run, maybeInvalid: nonASCII & 0x80 != 0)
            }
            if byte == UInt8(ascii: "\\") { return try parseEscapedString(from: start, nonASCII: nonASCII) }
            if byte < 0x20 { throw .badJSON }
            nonASCII |= byte
            position += 1
        }
        throw .badJSON
    }

    private static let lowBits: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// True when a byte of `word` is `"`, `\` or below 0x20 (exact as a whole, per the classic
    /// has-zero-byte / has-less-than tricks).
    private static func endsPlainRun(_ word: UInt64) -> Bool {
        func hasZeroByte(_ v: UInt64) -> Bool { (v &- lowBits) & ~v & highBits != 0 }
        let control = (word &- lowBits &* 0x20) & ~word & highBits != 0
        return control || hasZeroByte(word ^ (lowBits &* 0x22)) || hasZeroByte(word ^ (lowBits &* 0x5C))
    }

    private mutating func parseEscapedString(from start: Int, nonASCII initial: UInt8) throws(SocketParseError) -> String {
        var nonASCII = initial
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                let maybeInvalid = nonASCII & 0x80 != 0
                let result = scratch.withUnsafeBytes { buffer in
                    Result { () throws(SocketParseError) -> String in
                        try Self.makeString(buffer, maybeInvalid: maybeInvalid)
                    }
                }
                return try result.get()
            case UInt8(ascii: "\\"):
                try parseEscape()
            case 0..<0x20:
                throw .badJSON
            default:
                nonASCII |= byte
                scratch.append(byte)
            }
        }
        throw .badJSON
    }

    /// Decodes one escape (the backslash already consumed) into `scratch` as UTF-8.
    private mutating func parseEscape() throws(SocketParseError) {
        let byte = try next()
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(byte)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try parseHex4()
            var scalar: UInt32 = 0xFFFD
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate counts only if a low-surrogate escape follows; else it is lone.
                if bytes.count - position >= 6, bytes[position] == UInt8(ascii: "\\"),
                   bytes[position + 1] == UInt8(ascii: "u") {
                    let saved = position
                    position += 2
                    let low = try parseHex4()
                    if (0xDC00...0xDFFF).contains(low) {
                        scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    } else {
                        position = saved
                    }
                }
            case 0xDC00...0xDFFF:
                break
            default:
                scalar = UInt32(unit)
            }
            appendUTF8(scalar)
        default:
            throw .badJSON
        }
    }

    private mutating func parseHex4() throws(SocketParseError) -> UInt16 {
        guard bytes.count - position >= 4 else { throw .badJSON }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte - UInt8(ascii: "A") + 10
            default: throw .badJSON
            }
            value = value << 4 | UInt16(nibble)
            position += 1
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// ASCII needs no validation; anything else must be well-formed UTF-8 (strict, never repaired).
    private static func makeString(_ utf8: UnsafeRawBufferPointer, maybeInvalid: Bool) throws(SocketParseError) -> String {
        let units = utf8.assumingMemoryBound(to: UInt8.self)
        if !maybeInvalid { return String(decoding: units, as: UTF8.self) }
        guard let string = String(validating: units, as: UTF8.self) else { throw .badJSON }
        return string
    }

    // MARK: Helpers

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private func peek() throws(SocketParseError) -> UInt8 {
        guard position < bytes.count else { throw .badJSON }
        return bytes[position]
    }

    private mutating func next() throws(SocketParseError) -> UInt8 {
        guard position < bytes.count else { throw .badJSON }
        defer { position += 1 }
        return bytes[position]
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
}
