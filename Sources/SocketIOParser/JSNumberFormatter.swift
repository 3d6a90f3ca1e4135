/// Prints numbers exactly as JavaScript's `Number.prototype.toString` does (what JSON.stringify emits),
/// so a browser and this server agree on every byte of an encoded packet.
enum JSNumberFormatter {
    /// Decimal digits without allocating: the magnitude keeps `Int.min` in range.
    static func writeInt(_ value: Int, into out: inout [UInt8]) {
        if value >= 0 && value < 10 {
            out.append(UInt8(truncatingIfNeeded: value) + UInt8(ascii: "0"))
            return
        }
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            repeat {
                digits[19 - count] = UInt8(truncatingIfNeeded: magnitude % 10) + UInt8(ascii: "0")
                magnitude /= 10
                count += 1
            } while magnitude > 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - count)...]))
        }
    }

    /// NaN and ±Infinity become `null` like JSON.stringify; `-0` prints `0`.
    static func write(_ value: Double, into out: inout [UInt8]) {
        guard value.isFinite else {
            out.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")])
            return
        }
        // Integral values below 2^53 are the common case and print as plain integers.
        // (Conversion, not `rounded()`, so the module needs no libm.)
        if value.magnitude < 9_007_199_254_740_992, Double(Int(value)) == value {
            writeInt(Int(value), into: &out)
            return
        }
        if value < 0 { out.append(UInt8(ascii: "-")) }
        let (digits, pointPosition) = shortestDigits(value.magnitude)
        layOut(digits: digits, pointPosition: pointPosition, into: &out)
    }

    /// The shortest round-tripping digits and the decimal point position `n` (value = 0.d1d2… × 10^n).
    /// Swift's `description` already yields the shortest round-trip digits; only its layout differs.
    private static func shortestDigits(_ magnitude: Double) -> (digits: [UInt8], pointPosition: Int) {
        var digits: [UInt8] = []
        digits.reserveCapacity(17)
        var pointAfter: Int? = nil
        var exponent = 0
        var exponentNegative = false
        var inExponent = false
        for byte in magnitude.description.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inExponent {
                    exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
                } else {
                    digits.append(byte)
                }
            case UInt8(ascii: "."): pointAfter = digits.count
            case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
            case UInt8(ascii: "-"): exponentNegative = true
            default: break
            }
        }
        var pointPosition = (pointAfter ?? digits.count) + (exponentNegative ? -exponent : exponent)
        var leading = 0
        while leading < digits.count - 1, digits[leading] == UInt8(ascii: "0") { leading += 1 }
        pointPosition -= leading
        var end = digits.count
        while end > leading + 1, digits[end - 1] == UInt8(ascii: "0") { end -= 1 }
        return (Array(digits[leading..<end]), pointPosition)
    }

    /// ECMA-262 Number::toString layout for k digits with the point after n of them.
    private static func layOut(digits: [UInt8], pointPosition n: Int, into out: inout [UInt8]) {
        let k = digits.count
        if k <= n && n <= 21 {
            out.append(contentsOf: digits)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n - k))
        } else if 0 < n && n <= 21 {
            out.append(contentsOf: digits[..<n])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[n...])
        } else if -6 < n && n <= 0 {
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -n))
            out.append(contentsOf: digits)
        } else {
            out.append(digits[0])
            if k > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[1...])
            }
            out.append(UInt8(ascii: "e"))
            out.append(n - 1 >= 0 ? UInt8(ascii: "+") : UInt8(ascii: "-"))
            writeInt(abs(n - 1), into: &out)
        }
    }
}
