/// Why bytes are not one acceptable MessagePack value. Offsets count from the start of the input.
package enum MessagePackError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ends inside the value that starts or continues at `at`.
    case truncated(at: Int)
    /// A length or count declared at `at` needs more bytes than the `available` ones left after it.
    case tooLarge(declared: UInt64, available: Int, at: Int)
    /// The input is bigger than `MessagePackLimits.maxBytes`.
    case inputTooLarge(size: Int, limit: Int)
    /// 0xc1, the one byte the format reserves as never used.
    case invalidByte(UInt8, at: Int)
    /// Arrays and maps nest deeper than `MessagePackLimits.maxDepth` (the limit).
    case depthExceeded(Int)
    /// More values than `MessagePackLimits.maxItems` (the limit).
    case tooManyItems(Int)
    /// A str whose bytes are not UTF-8; `at` is its format byte.
    case invalidUTF8(at: Int)
    /// A timestamp extension (type -1) whose size is not 4, 8 or 12, or whose nanoseconds exceed 999,999,999.
    case invalidTimestamp(at: Int)
    /// A complete value ends before the input does.
    case trailingBytes(at: Int)

    package var description: String {
        switch self {
        case .truncated(let at):
            return "MessagePack input ends inside the value at byte \(at)"
        case .tooLarge(let declared, let available, let at):
            return "MessagePack length or count \(declared) declared at byte \(at) needs more than the \(available) bytes left"
        case .inputTooLarge(let size, let limit):
            return "MessagePack input of \(size) bytes exceeds the limit of \(limit) (MessagePackLimits.maxBytes)"
        case .invalidByte(let byte, let at):
            return "MessagePack format byte 0x\(String(byte, radix: 16)) at byte \(at) is reserved and never used"
        case .depthExceeded(let limit):
            return "MessagePack arrays and maps nest deeper than \(limit) (MessagePackLimits.maxDepth)"
        case .tooManyItems(let limit):
            return "MessagePack message holds more than \(limit) values (MessagePackLimits.maxItems)"
        case .invalidUTF8(let at):
            return "MessagePack str at byte \(at) is not valid UTF-8"
        case .invalidTimestamp(let at):
            return "MessagePack timestamp at byte \(at) has a size other than 4, 8 or 12 bytes or nanoseconds above 999999999"
        case .trailingBytes(let at):
            return "MessagePack value ends at byte \(at), before the end of the input"
        }
    }
}
