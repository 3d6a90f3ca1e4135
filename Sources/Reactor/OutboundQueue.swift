import Glibc

/// FIFO of blocks waiting for the kernel; the head block may be partly written.
struct OutboundQueue {
    private var blocks: [ByteBlock] = []
    private var head = 0
    /// Bytes of `blocks[head]` already written.
    private var headOffset = 0

    var isEmpty: Bool { head == blocks.count }

    mutating func append(_ block: ByteBlock) {
        blocks.append(block)
    }

    /// Calls `body` with iovecs over up to `max` queued blocks; returns what it wrote and offered.
    func withIOVecs(max: Int, _ body: (UnsafePointer<iovec>, Int) -> Int) -> (written: Int, offered: Int) {
        let count = Swift.min(max, blocks.count - head)
        return withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) { iov in
            var offered = 0
            for i in 0..<count {
                let block = blocks[head + i]
                let skip = i == 0 ? headOffset : 0
                iov[i] = iovec(iov_base: UnsafeMutableRawPointer(mutating: block.bytes.baseAddress!) + skip,
                               iov_len: block.count - skip)
                offered += block.count - skip
            }
            let written = body(UnsafePointer(iov.baseAddress!), count)
            return (written, offered)
        }
    }

    mutating func consume(_ written: Int) {
        var remaining = written
        while remaining > 0, head < blocks.count {
            let available = blocks[head].count - headOffset
            if remaining >= available {
                remaining -= available
                head += 1
                headOffset = 0
            } else {
                headOffset += remaining
                remaining = 0
            }
        }
        if head == blocks.count {
            blocks.removeAll(keepingCapacity: blocks.count <= 64)
            head = 0
        } else if head >= 64, head * 2 >= blocks.count {
            blocks.removeFirst(head)
            head = 0
        }
    }

    mutating func removeAll() {
        blocks.removeAll()
        head = 0
        headOffset = 0
    }
}
