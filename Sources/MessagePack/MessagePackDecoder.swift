extension MessagePack {
    /// Decodes exactly one value; bytes after it are an error.
    ///
    /// Accepts every format of the spec: float 32 (widened to `.double`), all integer widths, the
    /// timestamp extension in its three sizes, fixext 1 of type 0 (notepack 2.x `undefined`) as `.null`,
    /// and any other extension as `.ext`. Rejects 0xc1 and str that is not UTF-8.
    package static func decode(_ bytes: UnsafeRawBufferPointer,
                               limits: MessagePackLimits = .init()) throws(MessagePackError) -> MessagePackValue {
        guard bytes.count <= limits.maxBytes else {
            throw .inputTooLarge(size: bytes.count, limit: limits.maxBytes)
        }
        var reader = Reader(bytes: bytes, limits: limits)
        let value = try reader.readValue()
        guard reader.offset == bytes.count else { throw .trailingBytes(at: reader.offset) }
        return value
    }

    package static func decode(_ bytes: [UInt8],
                               limits: MessagePackLimits = .init()) throws(MessagePackError) -> MessagePackValue {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(MessagePackError) in try decode(raw, limits: limits) }
        }
        return try result.get()
    }

    /// Any byte collection (`ArraySlice`, `Data`, …); contiguous ones are read in place.
    package static func decode(_ bytes: some Collection<UInt8>,
                               limits: MessagePackLimits = .init()) throws(MessagePackError) -> MessagePackValue {
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(MessagePackError) in try decode(UnsafeRawBufferPointer(buffer), limits: limits) }
        }
        if let contiguous { return try contiguous.get() }
        return try decode(Array(bytes), limits: limits)
    }
}

/// Reads one value with an explicit stack of open arrays and maps, so nesting never recurses.
private struct Reader {
    let bytes: UnsafeRawBufferPointer
    let limits: MessagePackLimits
    var offset = 0
    /// Values accounted for so far: the top value, plus every element an open container announced.
    var items = 1

    init(bytes: UnsafeRawBufferPointer, limits: MessagePackLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    /// An array or map still being filled.
    struct Container {
        let isMap: Bool
        /// Values still to read (a map counts keys and values).
        var remaining: Int
        var elements: [MessagePackValue] = []
        var entries: [(key: MessagePackValue, value: MessagePackValue)] = []
        var pendingKey: MessagePackValue? = nil

        mutating func add(_ value: MessagePackValue) {
            remaining -= 1
            guard isMap else { elements.append(value); return }
            if let key = pendingKey {
                entries.append((key: key, value: value))
                pendingKey = nil
            } else {
                pendingKey = value
            }
        }

        var value: MessagePackValue { isMap ? .map(entries) : .array(elements) }
    }

    mutating func readValue() throws(MessagePackError) -> MessagePackValue {
        guard items <= limits.maxItems else { throw .tooManyItems(limits.maxItems) }
        var open: [Container] = []
        open.reserveCapacity(8)
        while true {
            // nil: a container with elements to come was pushed onto `open`.
            guard var value = try readItem(open: &open) else { continue }
            // Hand the value to its container; each container that fills up becomes a value in turn.
            while !open.isEmpty {
                let last = open.count - 1
                open[last].add(value)
                if open[last].remaining > 0 { break }
                value = open.removeLast().value
            }
            if open.isEmpty { return value }
        }
    }

    /// One format byte and what follows it, except the elements of an array or map: a scalar or an
    /// empty container, or nil after pushing a container whose elements come next.
    private mutating func readItem(open: inout [Container]) throws(MessagePackError) -> MessagePackValue? {
        let start = offset
        let byte = try readByte()
        switch byte {
        case 0x00...Format.positiveFixintMax: return .int(Int64(byte))
        case Format.fixmap...0x8f: return try openContainer(count: Int(byte & 0x0f), isMap: true, at: start, open: &open)
        case Format.fixarray...0x9f: return try openContainer(count: Int(byte & 0x0f), isMap: false, at: start, open: &open)
        case Format.fixstr...0xbf: return try readString(length: Int(byte & 0x1f), at: start)
        case Format.nilValue: return .null
        case Format.neverUsed: throw .invalidByte(byte, at: start)
        case Format.falseValue: return .bool(false)
        case Format.trueValue: return .bool(true)
        case Format.bin8: return .binary(try readBytes(count: Int(try read(UInt8.self)), at: start))
        case Format.bin16: return .binary(try readBytes(count: Int(try read(UInt16.self)), at: start))
        case Format.bin32: return .binary(try readBytes(count: Int(try read(UInt32.self)), at: start))
        case Format.ext8: return try readExt(length: Int(try read(UInt8.self)), at: start)
        case Format.ext16: return try readExt(length: Int(try read(UInt16.self)), at: start)
        case Format.ext32: return try readExt(length: Int(try read(UInt32.self)), at: start)
        case Format.float32: return .double(Double(Float(bitPattern: try read(UInt32.self))))
        case Format.float64: return .double(Double(bitPattern: try read(UInt64.self)))
        case Format.uint8: return .int(Int64(try read(UInt8.self)))
        case Format.uint16: return .int(Int64(try read(UInt16.self)))
        case Format.uint32: return .int(Int64(try read(UInt32.self)))
        case Format.uint64:
            let u = try read(UInt64.self)
            return u <= UInt64(Int64.max) ? .int(Int64(u)) : .uint(u)
        case Format.int8: return .int(Int64(try read(Int8.self)))
        case Format.int16: return .int(Int64(try read(Int16.self)))
        case Format.int32: return .int(Int64(try read(Int32.self)))
        case Format.int64: return .int(try read(Int64.self))
        case Format.fixext1: return try readExt(length: 1, at: start)
        case Format.fixext2: return try readExt(length: 2, at: start)
        case Format.fixext4: return try readExt(length: 4, at: start)
        case Format.fixext8: return try readExt(length: 8, at: start)
        case Format.fixext16: return try readExt(length: 16, at: start)
        case Format.str8: return try readString(length: Int(try read(UInt8.self)), at: start)
        case Format.str16: return try readString(length: Int(try read(UInt16.self)), at: start)
        case Format.str32: return try readString(length: Int(try read(UInt32.self)), at: start)
        case Format.array16: return try openContainer(count: Int(try read(UInt16.self)), isMap: false, at: start, open: &open)
        case Format.array32: return try openContainer(count: Int(try read(UInt32.self)), isMap: false, at: start, open: &open)
        case Format.map16: return try openContainer(count: Int(try read(UInt16.self)), isMap: true, at: start, open: &open)
        case Format.map32: return try openContainer(count: Int(try read(UInt32.self)), isMap: true, at: start, open: &open)
        default: return .int(Int64(Int8(bitPattern: byte)))  // negative fixint
        }
    }

    /// Checks depth, item budget and the bytes left before reserving room for `count` elements.
    private mutating func openContainer(count: Int, isMap: Bool, at start: Int,
                                        open: inout [Container]) throws(MessagePackError) -> MessagePackValue? {
        guard open.count < limits.maxDepth else { throw .depthExceeded(limits.maxDepth) }
        guard count > 0 else { return isMap ? .map([]) : .array([]) }
        let values = isMap ? count * 2 : count
        // Every value takes at least one byte.
        guard values <= bytes.count - offset else {
            throw .tooLarge(declared: UInt64(count), available: bytes.count - offset, at: start)
        }
        guard values <= limits.maxItems - items else { throw .tooManyItems(limits.maxItems) }
        items += values
        var container = Container(isMap: isMap, remaining: values)
        if isMap { container.entries.reserveCapacity(count) } else { container.elements.reserveCapacity(count) }
        open.append(container)
        return nil
    }

    private mutating func readString(length: Int, at start: Int) throws(MessagePackError) -> MessagePackValue {
        let utf8 = UnsafeRawBufferPointer(rebasing: bytes[try take(length, at: start)])
        guard UTF8Validation.isValid(utf8) else { throw .invalidUTF8(at: start) }
        return .string(utf8.withMemoryRebound(to: UInt8.self) { String(decoding: $0, as: UTF8.self) })
    }

    private mutating func readBytes(count: Int, at start: Int) throws(MessagePackError) -> [UInt8] {
        Array(UnsafeRawBufferPointer(rebasing: bytes[try take(count, at: start)]))
    }

    /// Extension data of `length` bytes after its type byte.
    private mutating func readExt(length: Int, at start: Int) throws(MessagePackError) -> MessagePackValue {
        let type = try read(Int8.self)
        let range = try take(length, at: start)
        if type == Format.timestampType { return try timestamp(in: range, at: start) }
        // notepack 2.x wrote `undefined` as fixext 1 of type 0 (and reads it back as `undefined`).
        if type == 0 && length == 1 && bytes[start] == Format.fixext1 { return .null }
        return .ext(type: type, data: Array(UnsafeRawBufferPointer(rebasing: bytes[range])))
    }

    private func timestamp(in range: Range<Int>, at start: Int) throws(MessagePackError) -> MessagePackValue {
        let seconds: Int64
        let nanoseconds: UInt32
        switch range.count {
        case 4:
            seconds = Int64(load(UInt32.self, at: range.lowerBound))
            nanoseconds = 0
        case 8:
            let packed = load(UInt64.self, at: range.lowerBound)
            seconds = Int64(packed & ((1 << 34) - 1))
            nanoseconds = UInt32(packed >> 34)
        case 12:
            nanoseconds = load(UInt32.self, at: range.lowerBound)
            seconds = load(Int64.self, at: range.lowerBound + 4)
        default:
            throw .invalidTimestamp(at: start)
        }
        guard nanoseconds < Format.nanosecondsPerSecond else { throw .invalidTimestamp(at: start) }
        return .timestamp(seconds: seconds, nanoseconds: nanoseconds)
    }

    // MARK: - Bytes

    private mutating func readByte() throws(MessagePackError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(at: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// A big-endian fixed-width field.
    private mutating func read<T: FixedWidthInteger>(_: T.Type) throws(MessagePackError) -> T {
        guard MemoryLayout<T>.size <= bytes.count - offset else { throw .truncated(at: offset) }
        defer { offset += MemoryLayout<T>.size }
        return load(T.self, at: offset)
    }

    private func load<T: FixedWidthInteger>(_: T.Type, at position: Int) -> T {
        T(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
    }

    /// The next `count` bytes, if the input holds them; a length beyond the input is refused before
    /// anything is allocated for it.
    private mutating func take(_ count: Int, at start: Int) throws(MessagePackError) -> Range<Int> {
        let available = bytes.count - offset
        guard count <= available else {
            throw .tooLarge(declared: UInt64(count), available: available, at: start)
        }
        defer { offset += count }
        return offset..<(offset + count)
    }
}
