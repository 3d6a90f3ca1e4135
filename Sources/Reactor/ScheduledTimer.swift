/// Loop-confined handle to a pending timer.
package final class ScheduledTimer {
    let deadline: UInt64
    let sequence: UInt64
    var body: (() -> Void)?
    /// Position in the owning heap, -1 once fired or cancelled; makes cancel O(log n) instead of
    /// leaving dead entries behind (keep-alive timers are re-armed on every request).
    var heapIndex = -1
    unowned let loop: EventLoop

    init(deadline: UInt64, sequence: UInt64, loop: EventLoop, body: @escaping () -> Void) {
        self.deadline = deadline
        self.sequence = sequence
        self.loop = loop
        self.body = body
    }

    /// Loop thread only. Cancelling a fired or cancelled timer does nothing.
    package func cancel() {
        assert(loop.inEventLoop, "ScheduledTimer.cancel must run on its loop")
        if heapIndex >= 0 { loop.timers.remove(self) }
        body = nil
    }

    /// True until the timer fires or is cancelled.
    package var isPending: Bool { heapIndex >= 0 }

    func precedes(_ other: ScheduledTimer) -> Bool {
        deadline != other.deadline ? deadline < other.deadline : sequence < other.sequence
    }
}

extension EventLoop {
    /// Loop thread only. Fires `body` on the loop after `delay` (late by at most a few ms).
    @discardableResult
    package func schedule(after delay: Duration, _ body: @escaping () -> Void) -> ScheduledTimer {
        precondition(inEventLoop, "EventLoop.schedule(after:) must be called on the loop thread; hop with execute first")
        let (seconds, attoseconds) = delay.components
        var nanos: UInt64 = 0
        if seconds > 0 || (seconds == 0 && attoseconds > 0) {
            let s = UInt64(clamping: seconds)
            let (whole, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
            nanos = overflow ? UInt64.max / 2 : whole &+ UInt64(attoseconds / 1_000_000_000)
        }
        let deadline = now().addingReportingOverflow(nanos)
        return timers.insert(deadline: deadline.overflow ? UInt64.max : deadline.partialValue, loop: self, body: body)
    }
}

/// Min-heap of timers ordered by deadline, then by scheduling order so equal deadlines fire FIFO.
struct TimerHeap {
    private var items: [ScheduledTimer] = []
    private var nextSequence: UInt64 = 0

    var nextDeadline: UInt64? { items.first?.deadline }
    var count: Int { items.count }

    mutating func insert(deadline: UInt64, loop: EventLoop, body: @escaping () -> Void) -> ScheduledTimer {
        let timer = ScheduledTimer(deadline: deadline, sequence: nextSequence, loop: loop, body: body)
        nextSequence += 1
        timer.heapIndex = items.count
        items.append(timer)
        siftUp(items.count - 1)
        return timer
    }

    mutating func remove(_ timer: ScheduledTimer) {
        let i = timer.heapIndex
        guard i >= 0, i < items.count, items[i] === timer else { return }
        let last = items.count - 1
        if i != last {
            items.swapAt(i, last)
            items[i].heapIndex = i
        }
        items.removeLast()
        timer.heapIndex = -1
        if i < items.count {
            siftDown(i)
            siftUp(i)
        }
    }

    /// The earliest timer if it is due at `now`, taken out of the heap. The loop fires it outside any
    /// access to the heap, because the callback may schedule or cancel timers.
    mutating func popDue(now: UInt64) -> ScheduledTimer? {
        guard let first = items.first, first.deadline <= now else { return nil }
        remove(first)
        return first
    }

    mutating func removeAll() {
        for timer in items { timer.heapIndex = -1; timer.body = nil }
        items.removeAll()
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            items[child].heapIndex = child
            items[parent].heapIndex = parent
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let n = items.count
        while true {
            let left = 2 * parent + 1
            guard left < n else { break }
            var best = left
            if left + 1 < n, items[left + 1].precedes(items[left]) { best = left + 1 }
            guard items[best].precedes(items[parent]) else { break }
            items.swapAt(best, parent)
            items[best].heapIndex = best
            items[parent].heapIndex = parent
            parent = best
        }
    }
}
