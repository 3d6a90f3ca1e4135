/// Log-linear latency buckets (64 per power of two, about 1.6 % resolution) over nanoseconds: fixed
/// memory, O(1) recording, mergeable across loops. The maximum is also kept exactly.
struct LatencyHistogram {
    private static let subBits = 6
    private static let subCount = 1 << subBits
    private static let bucketCount = (64 - subBits + 1) * subCount

    private var counts = [UInt64](repeating: 0, count: LatencyHistogram.bucketCount)
    private(set) var total: UInt64 = 0
    private(set) var max: UInt64 = 0

    mutating func record(_ value: UInt64) {
        counts[Self.index(value)] &+= 1
        total &+= 1
        if value > max { max = value }
    }

    mutating func merge(_ other: LatencyHistogram) {
        for i in 0..<counts.count { counts[i] &+= other.counts[i] }
        total &+= other.total
        if other.max > max { max = other.max }
    }

    /// The highest value equivalent to the bucket holding the `fraction` quantile (0 when empty).
    func percentile(_ fraction: Double) -> UInt64 {
        guard total > 0 else { return 0 }
        let target = Swift.max(1, UInt64((Double(total) * fraction).rounded(.up)))
        var seen: UInt64 = 0
        for (i, count) in counts.enumerated() where count > 0 {
            seen += count
            if seen >= target { return Swift.min(Self.upperBound(i), max) }
        }
        return max
    }

    private static func index(_ value: UInt64) -> Int {
        if value < UInt64(subCount) { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount
        let sub = Int(value >> UInt64(exponent - subBits)) & (subCount - 1)
        return (exponent - subBits + 1) * subCount + sub
    }

    private static func upperBound(_ index: Int) -> UInt64 {
        if index < subCount { return UInt64(index) }
        let exponent = index / subCount + subBits - 1
        let sub = UInt64(index % subCount)
        let width = UInt64(1) << UInt64(exponent - subBits)
        return (UInt64(subCount) + sub) * width + width - 1
    }
}
