/// Writes MessagePack one piece at a time into one growing buffer, for callers whose data is in
/// another shape (a `JSONValue`, a message built field by field): no `MessagePackValue` tree in between.
///
/// Every choice is notepack.io 3.x's for the same JavaScript value: integers in their shortest form
/// (non-negative as positive fixint/uint 8/16/32/64, negative as negative fixint/int 8/16/32/64),
/// every double as float 64, str as fixstr/str 8/16/32, bin 8/16/32, fixarray/array 16/32,
/// fixmap/map 16/32, timestamps in the smallest of their three forms, other extensions as fixext
/// or ext 8/16/32 (ext 8 for a one-byte extension of type 0, which as fixext 1 would read back as
/// notepack 2.x `undefined`). A header announces a count; the caller writes that many values (maps:
/// key, value, key, value…) after it.
package struct MessagePackWriter {
    package var bytes: [UInt8]

    package init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Continues `bytes` (take it back from `bytes` when done).
    package init(appendingTo bytes: [UInt8]) {
        self.bytes = bytes
    }

    package mutating func writeNil() { bytes.append(Format.nilValue) }

    package mutating func write(_ value: Bool) { bytes.append(value ? Format.trueValue : Format.falseValue) }

    package mutating func write(_ value: Int64) {
        if value >= 0 { write(UInt64(value)); return }
        if value >= -32 {
            bytes.append(UInt8(truncatingIfNeeded: value))
        } else if value >= Int64(Int8.min) {
            bytes.append(Format.int8); bytes.append(UInt8(truncatingIfNeeded: value))
        } else if value >= Int64(Int16.min) {
            bytes.append(Format.int16); appendBigEndian(Int16(value))
        } else if value >= Int64(Int32.min) {
            bytes.append(Format.int32); appendBigEndian(Int32(value))
        } else {
            bytes.append(Format.int64); appendBigEndian(value)
        }
    }

    package mutating func write(_ value: Int) { write(Int64(value)) }

    package mutating func write(_ value: UInt64) {
        if value <= UInt64(Format.positiveFixintMax) {
            bytes.append(UInt8(value))
        } else if value <= 0xff {
            bytes.append(Format.uint8); bytes.append(UInt8(value))
        } else if value <= 0xffff {
            bytes.append(Format.uint16); appendBigEndian(UInt16(value))
        } else if value <= 0xffff_ffff {
            bytes.append(Format.uint32); appendBigEndian(UInt32(value))
        } else {
            bytes.append(Format.uint64); appendBigEndian(value)
        }
    }

    /// Always float 64, even for integral values: converting is the caller's choice (see
    /// `JSONValue.messagePackValue` for JavaScript's).
    package mutating func write(_ value: Double) {
        bytes.append(Format.float64)
        appendBigEndian(value.bitPattern)
    }

    package mutating func write(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            writeHeader(utf8.count, fix: (Format.fixstr, 31), formats: (Format.str8, Format.str16, Format.str32))
            bytes.append(contentsOf: utf8)
        }
    }

    package mutating func writeBinary(_ value: some Collection<UInt8>) {
        writeHeader(value.count, fix: nil, formats: (Format.bin8, Format.bin16, Format.bin32))
        bytes.append(contentsOf: value)
    }

    package mutating func writeArrayHeader(count: Int) {
        writeHeader(count, fix: (Format.fixarray, 15), formats: (nil, Format.array16, Format.array32))
    }

    package mutating func writeMapHeader(count: Int) {
        writeHeader(count, fix: (Format.fixmap, 15), formats: (nil, Format.map16, Format.map32))
    }

    /// Nanoseconds of a second or more carry into the seconds, so what is written is always valid.
    package mutating func writeTimestamp(seconds: Int64, nanoseconds: UInt32) {
        let (s, n) = Self.normalized(seconds: seconds, nanoseconds: nanoseconds)
        switch Self.timestampForm(seconds: s, nanoseconds: n) {
        case .seconds32:
            writeExtHeader(type: Format.timestampType, length: 4)
            appendBigEndian(UInt32(s))
        case .packed64:
            writeExtHeader(type: Format.timestampType, length: 8)
            appendBigEndian(UInt64(n) << 34 | UInt64(s))
        case .full96:
            writeExtHeader(type: Format.timestampType, length: 12)
            appendBigEndian(n)
            appendBigEndian(s)
        }
    }

    package mutating func writeExt(type: Int8, data: some Collection<UInt8>) {
        writeExtHeader(type: type, length: data.count)
        bytes.append(contentsOf: data)
    }

    // MARK: - Headers

    /// A length-prefixed header: the fix form when there is one and `count` fits, else 8/16/32-bit.
    private mutating func writeHeader(_ count: Int, fix: (base: UInt8, max: Int)?, formats: (UInt8?, UInt8, UInt8)) {
        precondition(count >= 0 && count <= 0xffff_ffff, "MessagePack cannot encode a length above 2^32-1")
        if let fix, count <= fix.max {
            bytes.append(fix.base | UInt8(count))
        } else if let format8 = formats.0, count <= 0xff {
            bytes.append(format8); bytes.append(UInt8(count))
        } else if count <= 0xffff {
            bytes.append(formats.1); appendBigEndian(UInt16(count))
        } else {
            bytes.append(formats.2); appendBigEndian(UInt32(count))
        }
    }

    private mutating func writeExtHeader(type: Int8, length: Int) {
        precondition(length >= 0 && length <= 0xffff_ffff, "MessagePack cannot encode an extension above 2^32-1 bytes")
        switch length {
        case 1 where type == 0:
            bytes.append(Format.ext8); bytes.append(1)
        case 1: bytes.append(Format.fixext1)
        case 2: bytes.append(Format.fixext2)
        case 4: bytes.append(Format.fixext4)
        case 8: bytes.append(Format.fixext8)
        case 16: bytes.append(Format.fixext16)
        case ...0xff: bytes.append(Format.ext8); bytes.append(UInt8(length))
        case ...0xffff: bytes.append(Format.ext16); appendBigEndian(UInt16(length))
        default: bytes.append(Format.ext32); appendBigEndian(UInt32(length))
        }
        bytes.append(UInt8(bitPattern: type))
    }

    private mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    // MARK: - Timestamp form

    enum TimestampForm { case seconds32, packed64, full96 }

    /// The smallest of the spec's three forms: 32-bit seconds when there are no nanoseconds and the
    /// seconds fit; 30-bit nanoseconds + 34-bit seconds for 0 ≤ seconds < 2^34; else 96 bits.
    private static func timestampForm(seconds: Int64, nanoseconds: UInt32) -> TimestampForm {
        guard seconds >= 0, seconds >> 34 == 0 else { return .full96 }
        return nanoseconds == 0 && seconds <= 0xffff_ffff ? .seconds32 : .packed64
    }

    private static func normalized(seconds: Int64, nanoseconds: UInt32) -> (Int64, UInt32) {
        guard nanoseconds >= Format.nanosecondsPerSecond else { return (seconds, nanoseconds) }
        return (seconds &+ Int64(nanoseconds / Format.nanosecondsPerSecond), nanoseconds % Format.nanosecondsPerSecond)
    }
}
