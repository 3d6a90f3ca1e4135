import Glibc
import Testing
@testable import Reactor

/// The queue is drained by `writev`s that the kernel may cut anywhere: what leaves must be exactly
/// what was queued, in order, however the writes are split.
@Suite struct OutboundQueueTests {
    /// A fake `writev` taking at most `limit` bytes, appending them to `sink`.
    static func drain(_ queue: inout OutboundQueue, maxIOV: Int, limit: Int, into sink: inout [UInt8]) -> Int {
        var taken: [UInt8] = []
        var offered = 0
        let result = queue.withIOVecs(max: maxIOV) { iov, count in
            offered = (0..<count).reduce(0) { $0 + iov[$1].iov_len }
            var budget = limit
            for i in 0..<count where budget > 0 {
                let part = UnsafeRawBufferPointer(start: iov[i].iov_base, count: iov[i].iov_len)
                let n = min(budget, part.count)
                taken += part[..<n]
                budget -= n
            }
            return taken.count
        }
        #expect(result.offered == offered)   // the iovecs and the count the queue reports agree
        queue.consume(result.written)
        sink += taken
        return result.written
    }

    @Test func randomSplitsDeliverEveryByteInOrder() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var queue = OutboundQueue()
            var expected: [UInt8] = []
            var sink: [UInt8] = []
            var next: UInt8 = 0
            for _ in 0..<Int.random(in: 1...40, using: &generator) {
                // Interleave appends and partial drains, as loop iterations do.
                for _ in 0..<Int.random(in: 0...4, using: &generator) {
                    let block = (0..<Int.random(in: 1...50, using: &generator)).map { _ in next &+= 1; return next }
                    expected += block
                    queue.append(ByteBlock(block))
                }
                if !queue.isEmpty {
                    _ = Self.drain(&queue, maxIOV: Int.random(in: 1...8, using: &generator),
                                   limit: Int.random(in: 0...120, using: &generator), into: &sink)
                }
            }
            while !queue.isEmpty { _ = Self.drain(&queue, maxIOV: 3, limit: 17, into: &sink) }
            #expect(sink == expected)
        }
    }

    @Test func emptyQueueOffersNothingAndRemoveAllEmpties() {
        var queue = OutboundQueue()
        #expect(queue.isEmpty)
        #expect(queue.withIOVecs(max: 4) { _, _ in Issue.record("called"); return 0 } == (0, 0))
        queue.append(ByteBlock([1, 2, 3]))
        queue.append(ByteBlock([4]))
        queue.removeAll()
        #expect(queue.isEmpty)
    }
}
