/// Encoding and decoding entry points.
///
/// The encoder writes what notepack.io 3.x writes for the same JavaScript value: integers in their
/// shortest form (non-negative as positive fixint/uint 8/16/32/64, negative as negative fixint/int
/// 8/16/32/64), every double as float 64, str as fixstr/str 8/16/32, bin 8/16/32, fixarray/array 16/32,
/// fixmap/map 16/32, timestamps in the smallest of their three forms, other extensions as fixext or
/// ext 8/16/32 (ext 8 for a one-byte extension of type 0, which as fixext 1 would read back as
/// notepack 2.x `undefined`).
package enum MessagePack {
    package static func encode(_ value: MessagePackValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(encodedSize(of: value))
        write(value, into: &out)
        return out
    }

    /// Appends the encoding to `buffer`, growing it at most once.
    package static func encode(_ value: MessagePackValue, into buffer: inout [UInt8]) {
        let needed = buffer.count + encodedSize(of: value)
        if needed > buffer.capacity {
            // Geometric, so appending many messages to one buffer stays linear.
            buffer.reserveCapacity(Swift.max(needed, buffer.capacity * 2))
        }
        write(value, into: &buffer)
    }

    /// Exactly the number of bytes `encode` produces.
    package static func encodedSize(of value: MessagePackValue) -> Int {
        switch value {
        case .null, .bool: return 1
        case .int(let i): return i >= 0 ? unsignedSize(UInt64(i)) : signedSize(i)
        case .uint(let u): return unsignedSize(u)
        case .double: return 9
        case .string(let s):
            let length = s.utf8.count
            return lengthHeaderSize(length, fixMax: 31, has8: true) + length
        case .binary(let b): return lengthHeaderSize(b.count, fixMax: nil, has8: true) + b.count
        case .array(let elements):
            var size = lengthHeaderSize(elements.count, fixMax: 15, has8: false)
            for element in elements { size += encodedSize(of: element) }
            return size
        case .map(let entries):
            var size = lengthHeaderSize(entries.count, fixMax: 15, has8: false)
            for entry in entries { size += encodedSize(of: entry.key) + encodedSize(of: entry.value) }
            return size
        case .timestamp(let seconds, let nanoseconds):
            switch timestampForm(seconds: seconds, nanoseconds: nanoseconds) {
            case .seconds32: return 6
            case .packed64: return 10
            case .full96: return 15
            }
        case .ext(let type, let data): return extHeaderSize(type: type, length: data.count) + data.count
        }
    }

    // MARK: - Writing

    private static func write(_ value: MessagePackValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(Format.nilValue)
        case .bool(let b): out.append(b ? Format.trueValue : Format.falseValue)
        case .int(let i):
            if i >= 0 { writeUnsigned(UInt64(i), into: &out) } else { writeNegative(i, into: &out) }
        case .uint(let u): writeUnsigned(u, into: &out)
        case .double(let d):
            out.append(Format.float64)
            appendBigEndian(d.bitPattern, into: &out)
        case .string(let s):
            let utf8 = s.utf8
            writeHeader(utf8.count, fix: (Format.fixstr, 31), formats: (Format.str8, Format.str16, Format.str32),
                        into: &out)
            out.append(contentsOf: utf8)
        case .binary(let bytes):
            writeHeader(bytes.count, fix: nil, formats: (Format.bin8, Format.bin16, Format.bin32), into: &out)
            out.append(contentsOf: bytes)
        case .array(let elements):
            writeHeader(elements.count, fix: (Format.fixarray, 15), formats: (nil, Format.array16, Format.array32),
                        into: &out)
            for element in elements { write(element, into: &out) }
        case .map(let entries):
            writeHeader(entries.count, fix: (Format.fixmap, 15), formats: (nil, Format.map16, Format.map32),
                        into: &out)
            for entry in entries {
                write(entry.key, into: &out)
                write(entry.value, into: &out)
            }
        case .timestamp(let seconds, let nanoseconds):
            writeTimestamp(seconds: seconds, nanoseconds: nanoseconds, into: &out)
        case .ext(let type, let data):
            writeExtHeader(type: type, length: data.count, into: &out)
            out.append(contentsOf: data)
        }
    }

    private static func writeUnsigned(_ u: UInt64, into out: inout [UInt8]) {
        if u <= UInt64(Format.positiveFixintMax) {
            out.append(UInt8(u))
        } else if u <= 0xff {
            out.append(Format.uint8); out.append(UInt8(u))
        } else if u <= 0xffff {
            out.append(Format.uint16); appendBigEndian(UInt16(u), into: &out)
        } else if u <= 0xffff_ffff {
            out.append(Format.uint32); appendBigEndian(UInt32(u), into: &out)
        } else {
            out.append(Format.uint64); appendBigEndian(u, into: &out)
        }
    }

    private static func writeNegative(_ i: Int64, into out: inout [UInt8]) {
        if i >= -32 {
            out.append(UInt8(truncatingIfNeeded: i))
        } else if i >= Int64(Int8.min) {
            out.append(Format.int8); out.append(UInt8(truncatingIfNeeded: i))
        } else if i >= Int64(Int16.min) {
            out.append(Format.int16); appendBigEndian(Int16(i), into: &out)
        } else if i >= Int64(Int32.min) {
            out.append(Format.int32); appendBigEndian(Int32(i), into: &out)
        } else {
            out.append(Format.int64); appendBigEndian(i, into: &out)
        }
    }

    /// A length-prefixed header: the fix form when there is one and `count` fits, else 8/16/32-bit.
    private static func writeHeader(_ count: Int, fix: (base: UInt8, max: Int)?,
                                    formats: (UInt8?, UInt8, UInt8), into out: inout [UInt8]) {
        precondition(count <= 0xffff_ffff, "MessagePack cannot encode a length above 2^32-1")
        if let fix, count <= fix.max {
            out.append(fix.base | UInt8(count))
        } else if let format8 = formats.0, count <= 0xff {
            out.append(format8); out.append(UInt8(count))
        } else if count <= 0xffff {
            out.append(formats.1); appendBigEndian(UInt16(count), into: &out)
        } else {
            out.append(formats.2); appendBigEndian(UInt32(count), into: &out)
        }
    }

    private static func writeExtHeader(type: Int8, length: Int, into out: inout [UInt8]) {
        precondition(length <= 0xffff_ffff, "MessagePack cannot encode an extension above 2^32-1 bytes")
        switch length {
        case 1 where type == 0:
            // fixext 1 of type 0 reads back as notepack 2.x `undefined`; ext 8 keeps the value.
            out.append(Format.ext8); out.append(1)
        case 1: out.append(Format.fixext1)
        case 2: out.append(Format.fixext2)
        case 4: out.append(Format.fixext4)
        case 8: out.append(Format.fixext8)
        case 16: out.append(Format.fixext16)
        case ...0xff: out.append(Format.ext8); out.append(UInt8(length))
        case ...0xffff: out.append(Format.ext16); appendBigEndian(UInt16(length), into: &out)
        default: out.append(Format.ext32); appendBigEndian(UInt32(length), into: &out)
        }
        out.append(UInt8(bitPattern: type))
    }

    // MARK: - Timestamps

    enum TimestampForm { case seconds32, packed64, full96 }

    /// The smallest of the spec's three forms: 32-bit seconds when there are no nanoseconds and the
    /// seconds fit; 30-bit nanoseconds + 34-bit seconds for 0 ≤ seconds < 2^34; else 96 bits.
    static func timestampForm(seconds: Int64, nanoseconds: UInt32) -> TimestampForm {
        let (s, n) = normalized(seconds: seconds, nanoseconds: nanoseconds)
        guard s >= 0, s >> 34 == 0 else { return .full96 }
        return n == 0 && s <= 0xffff_ffff ? .seconds32 : .packed64
    }

    /// Nanoseconds of a second or more carry into the seconds, so what is written is always valid.
    private static func normalized(seconds: Int64, nanoseconds: UInt32) -> (Int64, UInt32) {
        guard nanoseconds >= Format.nanosecondsPerSecond else { return (seconds, nanoseconds) }
        return (seconds &+ Int64(nanoseconds / Format.nanosecondsPerSecond),
                nanoseconds % Format.nanosecondsPerSecond)
    }

    private static func writeTimestamp(seconds: Int64, nanoseconds: UInt32, into out: inout [UInt8]) {
        let (s, n) = normalized(seconds: seconds, nanoseconds: nanoseconds)
        switch timestampForm(seconds: s, nanoseconds: n) {
        case .seconds32:
            writeExtHeader(type: Format.timestampType, length: 4, into: &out)
            appendBigEndian(UInt32(s), into: &out)
        case .packed64:
            writeExtHeader(type: Format.timestampType, length: 8, into: &out)
            appendBigEndian(UInt64(n) << 34 | UInt64(s), into: &out)
        case .full96:
            writeExtHeader(type: Format.timestampType, length: 12, into: &out)
            appendBigEndian(n, into: &out)
            appendBigEndian(s, into: &out)
        }
    }

    // MARK: - Sizes

    private static func unsignedSize(_ u: UInt64) -> Int {
        u <= 0x7f ? 1 : u <= 0xff ? 2 : u <= 0xffff ? 3 : u <= 0xffff_ffff ? 5 : 9
    }

    private static func signedSize(_ i: Int64) -> Int {
        i >= -32 ? 1 : i >= Int64(Int8.min) ? 2 : i >= Int64(Int16.min) ? 3 : i >= Int64(Int32.min) ? 5 : 9
    }

    /// Mirrors `writeHeader`: fixstr holds up to 31, fixarray and fixmap 15; bin and str have 8-bit forms.
    private static func lengthHeaderSize(_ count: Int, fixMax: Int?, has8: Bool) -> Int {
        if let fixMax, count <= fixMax { return 1 }
        if has8 && count <= 0xff { return 2 }
        return count <= 0xffff ? 3 : 5
    }

    private static func extHeaderSize(type: Int8, length: Int) -> Int {
        switch length {
        case 1 where type == 0: return 3
        case 1, 2, 4, 8, 16: return 2
        case ...0xff: return 3
        case ...0xffff: return 4
        default: return 6
        }
    }

    static func appendBigEndian<T: FixedWidthInteger>(_ value: T, into out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }
}
