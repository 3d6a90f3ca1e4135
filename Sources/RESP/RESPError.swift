/// Why bytes are not RESP. After any of these the stream cannot be resynchronised: drop the connection.
package enum RESPError: Error, Equatable, CustomStringConvertible {
    /// The first byte of a value is none of RESP's type bytes.
    case invalidTypeByte(UInt8)
    /// An `:` line that is not a 64-bit signed integer.
    case invalidInteger(String)
    /// A `$`/`*`/`%`... header that is not `-1` (where allowed) or a non-negative integer.
    case invalidLength(String)
    /// A line ended in LF without CR, or a bulk string's bytes were not followed by CRLF.
    case invalidLineEnding
    /// A RESP3 scalar with an impossible body (`#x`, `,abc`, `_x`, a verbatim string without `fmt:`).
    case invalidValue(String)
    /// A line (simple string, error, number, header) longer than `RESPLimits.maxLineBytes`.
    case lineTooLong(limit: Int)
    /// A bulk string declared longer than `RESPLimits.maxBulkBytes`.
    case bulkTooLarge(length: Int, limit: Int)
    /// An aggregate declared with more elements than `RESPLimits.maxArrayCount`.
    case arrayTooLarge(count: Int, limit: Int)
    /// Aggregates nested deeper than `RESPLimits.maxDepth`.
    case nestingTooDeep(limit: Int)

    package var description: String {
        switch self {
        case .invalidTypeByte(let byte):
            return "RESP: unknown type byte 0x\(String(byte, radix: 16)) (is this a Redis server?)"
        case .invalidInteger(let text): return "RESP: integer reply \"\(text)\" is not a 64-bit integer"
        case .invalidLength(let text): return "RESP: length \"\(text)\" is not a valid length"
        case .invalidLineEnding: return "RESP: line or bulk string not terminated by CRLF"
        case .invalidValue(let text): return "RESP: malformed value \"\(text)\""
        case .lineTooLong(let limit): return "RESP: line longer than \(limit) bytes (RESPLimits.maxLineBytes)"
        case .bulkTooLarge(let length, let limit):
            return "RESP: bulk string of \(length) bytes exceeds \(limit) (RESPLimits.maxBulkBytes)"
        case .arrayTooLarge(let count, let limit):
            return "RESP: aggregate of \(count) elements exceeds \(limit) (RESPLimits.maxArrayCount)"
        case .nestingTooDeep(let limit): return "RESP: aggregates nested deeper than \(limit) (RESPLimits.maxDepth)"
        }
    }
}

/// Bounds on what the decoder accepts, checked on the header, before anything is buffered for it.
package struct RESPLimits: Sendable, Equatable {
    /// Longest bulk string. Redis's own `proto-max-bulk-len` is 512 MiB; a reply that large is a bug
    /// in a Socket.IO deployment, so the default is lower.
    package var maxBulkBytes = 64 * 1024 * 1024
    /// Most elements in one array, set or push (entries in one map).
    package var maxArrayCount = 4 * 1024 * 1024
    /// Deepest nesting of aggregates (a flat array is depth 1).
    package var maxDepth = 32
    /// Longest simple string, error, number or header line, without its type byte and CRLF.
    package var maxLineBytes = 64 * 1024

    package init() {}

    package init(maxBulkBytes: Int? = nil, maxArrayCount: Int? = nil, maxDepth: Int? = nil, maxLineBytes: Int? = nil) {
        if let maxBulkBytes { self.maxBulkBytes = maxBulkBytes }
        if let maxArrayCount { self.maxArrayCount = maxArrayCount }
        if let maxDepth { self.maxDepth = maxDepth }
        if let maxLineBytes { self.maxLineBytes = maxLineBytes }
    }
}
