/// Writes compact JSON the way `JSON.stringify` does, straight into a byte buffer.
///
/// With `extractBinary`, each `.binary` is moved into `attachments` (depth-first, in order) and replaced
/// by a Socket.IO placeholder, so a binary packet is encoded in one pass without copying the tree.
struct JSONWriter {
    var output: [UInt8]
    var attachments: [[UInt8]] = []
    let extractBinary: Bool

    init(output: [UInt8], extractBinary: Bool) {
        self.output = output
        self.extractBinary = extractBinary
    }

    mutating func write(_ value: JSONValue) {
        switch value {
        case .null: appendStatic("null")
        case .bool(let b): appendStatic(b ? "true" : "false")
        case .int(let i): writeInt(i)
        case .double(let d): JSNumberFormatter.write(d, into: &output)
        case .string(let s): writeString(s)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                write(element)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            var first = true
            for (key, member) in object {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                writeString(key)
                output.append(UInt8(ascii: ":"))
                write(member)
            }
            output.append(UInt8(ascii: "}"))
        case .binary(let bytes):
            if extractBinary {
                appendStatic("{\"_placeholder\":true,\"num\":")
                writeInt(attachments.count)
                output.append(UInt8(ascii: "}"))
                attachments.append(bytes)
            } else {
                // What JSON.stringify makes of a Node Buffer (its toJSON).
                appendStatic("{\"type\":\"Buffer\",\"data\":[")
                for (offset, byte) in bytes.enumerated() {
                    if offset > 0 { output.append(UInt8(ascii: ",")) }
                    writeInt(Int(byte))
                }
                appendStatic("]}")
            }
        }
    }

    mutating func appendStatic(_ text: StaticString) {
        output.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func writeInt(_ value: Int) {
        JSNumberFormatter.writeInt(value, into: &output)
    }

    /// Copies runs of plain bytes in bulk; only `"`, `\` and C0 controls are escaped. `/` and non-ASCII
    /// pass through as JSON.stringify leaves them.
    mutating func writeString(_ string: String) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for offset in 0..<utf8.count {
                let byte = utf8[offset]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < offset {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<offset]))
                }
                runStart = offset + 1
                output.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
                case 0x08: output.append(UInt8(ascii: "b"))
                case 0x0C: output.append(UInt8(ascii: "f"))
                case 0x0A: output.append(UInt8(ascii: "n"))
                case 0x0D: output.append(UInt8(ascii: "r"))
                case 0x09: output.append(UInt8(ascii: "t"))
                default:
                    let hex: StaticString = "0123456789abcdef"
                    output.append(UInt8(ascii: "u"))
                    output.append(UInt8(ascii: "0"))
                    output.append(UInt8(ascii: "0"))
                    output.append(hex.utf8Start[Int(byte >> 4)])
                    output.append(hex.utf8Start[Int(byte & 0xF)])
                }
            }
            if runStart < utf8.count {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

extension JSONValue {
    /// How many `.binary` values sit anywhere inside (the attachment count of a binary packet).
    var binaryCount: Int {
        switch self {
        case .binary: return 1
        case .array(let elements):
            var total = 0
            for element in elements { total += element.binaryCount }
            return total
        case .object(let object):
            var total = 0
            for (_, member) in object { total += member.binaryCount }
            return total
        default: return 0
        }
    }
}
