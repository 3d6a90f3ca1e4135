/// Formats an instant as JavaScript's `Date.prototype.toISOString` does (what `JSON.stringify` writes
/// for a `Date`), without Foundation: `2024-01-02T03:04:05.678Z`, or `+010000-…`/`-000001-…` outside
/// years 0–9999.
enum JSDateFormatter {
    /// The largest time value a JavaScript `Date` holds, in milliseconds either side of 1970.
    static let maxTimeValue: Double = 8.64e15

    /// The ISO string of the `Date` that `new Date(seconds * 1e3 + nanoseconds / 1e6)` makes (how
    /// JavaScript MessagePack decoders turn a timestamp into a `Date`), or nil where that `Date` is
    /// invalid (out of range), which `JSON.stringify` writes as `null`.
    static func isoString(seconds: Int64, nanoseconds: UInt32) -> String? {
        let milliseconds = Double(seconds) * 1e3 + Double(nanoseconds) / 1e6
        guard milliseconds.magnitude <= maxTimeValue else { return nil }
        // TimeClip truncates towards zero; the range check above keeps the conversion in range.
        return isoString(timeValue: Int64(milliseconds))
    }

    /// `timeValue` is milliseconds since 1970-01-01T00:00:00Z, within ±8.64e15.
    static func isoString(timeValue: Int64) -> String {
        let msPerDay: Int64 = 86_400_000
        var days = timeValue / msPerDay
        var msOfDay = timeValue % msPerDay
        if msOfDay < 0 {
            days -= 1
            msOfDay += msPerDay
        }
        let (year, month, day) = civilDate(daysSince1970: days)
        var out: [UInt8] = []
        out.reserveCapacity(27)
        if year >= 0 && year <= 9999 {
            appendPadded(year, width: 4, into: &out)
        } else {
            out.append(year < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            appendPadded(year.magnitude, width: 6, into: &out)
        }
        out.append(UInt8(ascii: "-")); appendPadded(month, width: 2, into: &out)
        out.append(UInt8(ascii: "-")); appendPadded(day, width: 2, into: &out)
        out.append(UInt8(ascii: "T")); appendPadded(msOfDay / 3_600_000, width: 2, into: &out)
        out.append(UInt8(ascii: ":")); appendPadded(msOfDay / 60_000 % 60, width: 2, into: &out)
        out.append(UInt8(ascii: ":")); appendPadded(msOfDay / 1000 % 60, width: 2, into: &out)
        out.append(UInt8(ascii: ".")); appendPadded(msOfDay % 1000, width: 3, into: &out)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Proleptic Gregorian year, month (1–12) and day (1–31) of a day count from 1970-01-01.
    /// Works in 400-year eras (146,097 days each) of years that start on March 1, so the leap day
    /// falls at the end of a year and month lengths follow a fixed 153-days-per-5-months pattern.
    static func civilDate(daysSince1970: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let daysSince0000March1 = daysSince1970 + 719_468
        let era = (daysSince0000March1 >= 0 ? daysSince0000March1 : daysSince0000March1 - 146_096) / 146_097
        let dayOfEra = daysSince0000March1 - era * 146_097                                   // 0...146096
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365  // 0...399
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)      // 0...365, from March 1
        let monthFromMarch = (5 * dayOfYear + 2) / 153                                      // 0...11
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func appendPadded<T: BinaryInteger>(_ value: T, width: Int, into out: inout [UInt8]) {
        var digits: [UInt8] = []
        var rest = value
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        if digits.count < width { out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - digits.count)) }
        out.append(contentsOf: digits.reversed())
    }
}
