/// Builds RESP bytes: commands (what a client sends) and any value (what a server replies).
package enum RESPEncoder {
    /// A command as Redis expects it: an array of bulk strings, e.g. `*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`.
    package static func command(_ arguments: [[UInt8]]) -> [UInt8] {
        let count = commandCount(arguments)
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            writeCommand(arguments, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// A command whose arguments are all text (sent as their UTF-8 bytes).
    package static func command(_ arguments: [String]) -> [UInt8] {
        command(arguments.map { Array($0.utf8) })
    }

    /// The size of `command(arguments)`, so a caller can encode straight into memory of its own.
    package static func commandCount(_ arguments: [[UInt8]]) -> Int {
        var count = 1 + digitCount(arguments.count) + 2
        for argument in arguments { count += 1 + digitCount(argument.count) + 2 + argument.count + 2 }
        return count
    }

    /// Writes `command(arguments)` into `buffer`, which holds exactly `commandCount(arguments)` bytes.
    package static func writeCommand(_ arguments: [[UInt8]], into buffer: UnsafeMutableRawBufferPointer) {
        var at = 0
        func put(_ byte: UInt8) { buffer[at] = byte; at += 1 }
        func header(_ type: UInt8, _ value: Int) {
            put(type)
            let digits = digitCount(value)
            var n = value
            for i in stride(from: digits - 1, through: 0, by: -1) {
                buffer[at + i] = UInt8(48 + n % 10)
                n /= 10
            }
            at += digits
            put(13); put(10)
        }
        header(UInt8(ascii: "*"), arguments.count)
        for argument in arguments {
            header(UInt8(ascii: "$"), argument.count)
            argument.withUnsafeBytes { bytes in
                UnsafeMutableRawBufferPointer(rebasing: buffer[at..<(at + bytes.count)]).copyMemory(from: bytes)
            }
            at += argument.count
            put(13); put(10)
        }
        precondition(at == buffer.count, "writeCommand: the buffer must hold exactly commandCount(arguments) bytes")
    }

    /// Any value, RESP3 types included (for tests and fake servers).
    package static func encode(_ value: RESPValue) -> [UInt8] {
        var out: [UInt8] = []
        encode(value, into: &out)
        return out
    }

    package static func encode(_ value: RESPValue, into out: inout [UInt8]) {
        switch value {
        case .simpleString(let text): line(UInt8(ascii: "+"), text, into: &out)
        case .error(let text): line(UInt8(ascii: "-"), text, into: &out)
        case .integer(let number): line(UInt8(ascii: ":"), String(number), into: &out)
        case .bulkString(nil): line(UInt8(ascii: "$"), "-1", into: &out)
        case .bulkString(let bytes?): bulk(UInt8(ascii: "$"), bytes, into: &out)
        case .array(nil): line(UInt8(ascii: "*"), "-1", into: &out)
        case .array(let elements?): aggregate(UInt8(ascii: "*"), elements, into: &out)
        case .null: line(UInt8(ascii: "_"), "", into: &out)
        case .boolean(let flag): line(UInt8(ascii: "#"), flag ? "t" : "f", into: &out)
        case .double(let number):
            let text = number.isNaN ? "nan" : number.isInfinite ? (number < 0 ? "-inf" : "inf") : "\(number)"
            line(UInt8(ascii: ","), text, into: &out)
        case .bigNumber(let digits): line(UInt8(ascii: "("), digits, into: &out)
        case .verbatimString(let format, let text): bulk(UInt8(ascii: "="), Array(format.utf8) + [UInt8(ascii: ":")] + text, into: &out)
        case .map(let pairs):
            line(UInt8(ascii: "%"), String(pairs.count), into: &out)
            for pair in pairs {
                encode(pair.key, into: &out)
                encode(pair.value, into: &out)
            }
        case .set(let elements): aggregate(UInt8(ascii: "~"), elements, into: &out)
        case .push(let elements): aggregate(UInt8(ascii: ">"), elements, into: &out)
        }
    }

    private static func aggregate(_ type: UInt8, _ elements: [RESPValue], into out: inout [UInt8]) {
        line(type, String(elements.count), into: &out)
        for element in elements { encode(element, into: &out) }
    }

    private static func bulk(_ type: UInt8, _ bytes: [UInt8], into out: inout [UInt8]) {
        line(type, String(bytes.count), into: &out)
        out.append(contentsOf: bytes)
        out.append(13); out.append(10)
    }

    private static func line(_ type: UInt8, _ text: String, into out: inout [UInt8]) {
        out.append(type)
        out.append(contentsOf: text.utf8)
        out.append(13); out.append(10)
    }

    private static func digitCount(_ value: Int) -> Int {
        var digits = 1, n = value
        while n >= 10 { n /= 10; digits += 1 }
        return digits
    }
}
