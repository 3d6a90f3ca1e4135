/// What every fuzz target shares: reading libFuzzer's input and reporting a broken property.
///
/// Compiled into each target's executable next to its own file (see scripts/fuzz).

/// The input as an array (libFuzzer may pass a null pointer for the empty input).
func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Reads the leading control bytes a target uses for its options, then leaves the rest as payload.
struct FuzzReader {
    private(set) var rest: ArraySlice<UInt8>

    init(_ bytes: [UInt8]) { rest = bytes[...] }

    /// One control byte (0 once the input is used up, so short inputs still run).
    mutating func byte() -> UInt8 {
        rest.popFirst() ?? 0
    }

    /// A split offset into the payload that follows: two bytes, reduced modulo the payload length + 1.
    mutating func splitOffset() -> Int {
        let raw = Int(byte()) << 8 | Int(byte())
        return raw % (rest.count + 1)
    }

    var payload: [UInt8] { Array(rest) }
}

/// Stops the run: libFuzzer saves the input as `crash-…` next to this message.
func propertyFailed(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("fuzz property failed: \(message)", file: file, line: line)
}

func check(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition { propertyFailed(message(), file: file, line: line) }
}
