import Glibc

/// FIFO of blocks waiting for the kernel; the head block may be partly written.
///
/// The head is kept apart from the rest: a connection usually has one block queued per loop
/// iteration, which then needs no array storage at all (a kept array was ~40 bytes of every idle
/// connection).
struct OutboundQueue {
    private var head: ByteBlock?
    /// Bytes of `head` already written.
    private var headOffset = 0
    /// Blocks behind the head; `rest[restStart...]` are still queued.
    private var rest: [ByteBlock] = []
    private var restStart = 0

    var isEmpty: Bool { head == nil }

    mutating func append(_ block: ByteBlock) {
        if head == nil { head = block } else { rest.append(block) }
    }

    /// Calls `body` with iovecs over up to `max` queued blocks; returns what it wrote and offered.
    func withIOVecs(max: Int, _ body: (UnsafePointer<iovec>, Int) -> Int) -> (written: Int, offered: Int) {
        guard let head else { return (0, 0) }
        let count = Swift.min(max, 1 + rest.count - restStart)
        return withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) { iov in
            iov[0] = iovec(iov_base: UnsafeMutableRawPointer(mutating: head.bytes.baseAddress!) + headOffset,
                           iov_len: head.count - headOffset)
            var offered = head.count - headOffset
            for i in 1..<count {
                let block = rest[restStart + i - 1]
                iov[i] = iovec(iov_base: UnsafeMutableRawPointer(mutating: block.bytes.baseAddress!), iov_len: block.count)
                offered += block.count
            }
            let written = body(UnsafePointer(iov.baseAddress!), count)
            return (written, offered)
        }
    }

    mutating func consume(_ written: Int) {
        var remaining = written
        while remaining > 0, let block = head {
            let available = block.count - headOffset
            if remaining < available {
                headOffset += remaining
                return
            }
            remaining -= available
            headOffset = 0
            if restStart < rest.count {
                head = rest[restStart]
                restStart += 1
            } else {
                head = nil
            }
        }
        if restStart == rest.count {
            // Drained behind the head: a busy connection keeps the storage for its next burst.
            rest.removeAll(keepingCapacity: rest.capacity <= 64)
            restStart = 0
        } else if restStart >= 64, restStart * 2 >= rest.count {
            rest.removeFirst(restStart)
            restStart = 0
        }
    }

    mutating func removeAll() {
        head = nil
        headOffset = 0
        rest.removeAll()
        restStart = 0
    }
}
