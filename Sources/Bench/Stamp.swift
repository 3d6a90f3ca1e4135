import Reactor

/// The send time a message carries: the first `digits` characters of its string payload are the
/// monotonic clock in nanoseconds, zero-padded, then filler up to the payload size. Receivers find it
/// by scanning for the first string that starts with a digit, without decoding the JSON.
enum Stamp {
    static let digits = 20

    /// Appends `"<stamp><filler>"` (with quotes), `payloadBytes` characters between the quotes.
    static func appendQuoted(_ now: UInt64, payloadBytes: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var value = now
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        var index = start + digits - 1
        while value > 0 {
            out[index] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
            index -= 1
        }
        out.append(contentsOf: repeatElement(UInt8(ascii: "x"), count: payloadBytes - digits))
        out.append(UInt8(ascii: "\""))
    }

    /// The stamp in a Socket.IO packet's data (`["fan","000…"]` or `["000…"]`), nil when absent.
    static func find(in bytes: UnsafeRawBufferPointer) -> UInt64? {
        let count = bytes.count
        var i = 0
        while i < count {
            if bytes[i] == UInt8(ascii: "\""), i + 1 < count, bytes[i + 1] &- UInt8(ascii: "0") < 10 {
                guard i + digits < count else { return nil }
                var value: UInt64 = 0
                for k in (i + 1)...(i + digits) {
                    let digit = bytes[k] &- UInt8(ascii: "0")
                    guard digit < 10 else { return nil }
                    value = value &* 10 &+ UInt64(digit)
                }
                return value
            }
            i += 1
        }
        return nil
    }
}
