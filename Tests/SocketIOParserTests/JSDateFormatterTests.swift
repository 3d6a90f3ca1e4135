import Testing
@testable import SocketIOParser

/// `Date.prototype.toISOString` of `new Date(seconds * 1e3 + nanoseconds / 1e6)`; expected strings
/// printed by Node.
@Suite struct JSDateFormatterTests {
    static let cases: [(Int64, UInt32, String?)] = [
        (0, 0, "1970-01-01T00:00:00.000Z"),
        (1_704_164_645, 678_000_000, "2024-01-02T03:04:05.678Z"),
        (1_704_164_645, 678_999_999, "2024-01-02T03:04:05.679Z"),  // the double sum rounds up, as in JavaScript
        (-1, 0, "1969-12-31T23:59:59.000Z"),
        (-1, 999_000_000, "1969-12-31T23:59:59.999Z"),
        (-1, 500_000_500, "1969-12-31T23:59:59.501Z"),              // -499.9995 ms truncates towards zero
        (951_825_600, 0, "2000-02-29T12:00:00.000Z"),
        (4_107_542_400, 0, "2100-03-01T00:00:00.000Z"),
        (-2_208_988_800, 0, "1900-01-01T00:00:00.000Z"),
        (-62_167_219_200, 0, "0000-01-01T00:00:00.000Z"),
        (-62_198_755_200, 0, "-000001-01-01T00:00:00.000Z"),
        (253_402_300_800, 0, "+010000-01-01T00:00:00.000Z"),
        (8_640_000_000_000, 0, "+275760-09-13T00:00:00.000Z"),      // the last valid Date
        (-8_640_000_000_000, 0, "-271821-04-20T00:00:00.000Z"),     // the first
        (8_640_000_000_000, 1_000_000, nil),                         // one millisecond past: invalid
        (Int64.max, 999_999_999, nil), (Int64.min, 0, nil),
    ]

    @Test(arguments: cases)
    func formatsAsJavaScript(_ seconds: Int64, _ nanoseconds: UInt32, _ expected: String?) {
        #expect(JSDateFormatter.isoString(seconds: seconds, nanoseconds: nanoseconds) == expected)
    }

    /// The era arithmetic against a plain walk over years and months, for every day from 1600 to 2500.
    @Test func civilDatesMatchAWalkOverTheCalendar() {
        func isLeap(_ y: Int64) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }
        var days: Int64 = -135_140  // 1600-01-01 is 135,140 days before 1970-01-01
        for year in Int64(1600)...2500 {
            let lengths: [Int64] = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            for (index, length) in lengths.enumerated() {
                for day in 1...length {
                    let civil = JSDateFormatter.civilDate(daysSince1970: days)
                    if civil != (year, Int64(index + 1), day) {
                        Issue.record("day \(days): \(civil), expected \(year)-\(index + 1)-\(day)")
                        return
                    }
                    days += 1
                }
            }
        }
    }
}
