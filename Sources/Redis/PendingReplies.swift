import Reactor
import RESP

/// Called once with a command's reply (or why there is none).
package typealias RedisCompletion = @Sendable (Result<RESPValue, RedisError>) -> Void

/// Commands waiting for their replies, in the order sent (Redis answers in that order), each with a
/// deadline. Loop-confined.
///
/// A command that times out keeps its place with its completion removed, so its late reply is still
/// matched to it and dropped. One timer serves the whole queue: it fires at the earliest deadline and
/// sweeps, so a reply costs no timer work.
final class PendingReplies<Tag> {
    struct Entry {
        var tag: Tag
        var deadline: UInt64
        var completion: RedisCompletion?
    }

    private let loop: EventLoop
    private var entries: [Entry] = []
    private var head = 0
    private var timer: ScheduledTimer?
    private var timerDeadline = UInt64.max

    init(loop: EventLoop) { self.loop = loop }

    /// Entries in flight, timed-out ones included (they still await a reply).
    var count: Int { entries.count - head }
    var isEmpty: Bool { head == entries.count }
    /// True while a caller waits for a reply past `now + duration`: a command given a long timeout
    /// (a blocking one) that may be silent on purpose. Scans the queue, so only for rare checks.
    func waits(longerThan duration: Duration) -> Bool {
        let limit = loop.now() &+ nanoseconds(duration)
        return entries[head...].contains { $0.completion != nil && $0.deadline > limit }
    }

    func append(_ tag: Tag, timeout: Duration, completion: RedisCompletion?) {
        let deadline = loop.now() &+ nanoseconds(timeout)
        entries.append(Entry(tag: tag, deadline: deadline, completion: completion))
        if completion != nil, deadline < timerDeadline { arm(deadline) }
    }

    /// The oldest entry's tag (the command the next reply answers).
    var first: Tag? { isEmpty ? nil : entries[head].tag }

    func updateFirst(_ body: (inout Tag) -> Void) {
        guard !isEmpty else { return }
        body(&entries[head].tag)
    }

    /// Takes the oldest entry off and completes it (nothing when it had timed out).
    func completeFirst(_ result: Result<RESPValue, RedisError>) {
        guard !isEmpty else { return }
        let completion = entries[head].completion
        entries[head].completion = nil
        head += 1
        if head == entries.count {
            entries.removeAll(keepingCapacity: entries.capacity <= 4096)
            head = 0
        } else if head >= 1024, head * 2 >= entries.count {
            entries.removeFirst(head)
            head = 0
        }
        completion?(result)
    }

    /// Fails everything (connection lost or closed); each completion runs once.
    func failAll(_ error: RedisError) {
        let taken = entries[head...].compactMap(\.completion)
        entries = []
        head = 0
        timer?.cancel()
        timer = nil
        timerDeadline = .max
        for completion in taken { completion(.failure(error)) }
    }

    private func arm(_ deadline: UInt64) {
        timer?.cancel()
        timerDeadline = deadline
        let now = loop.now()
        let delay = deadline > now ? deadline - now : 0
        timer = loop.schedule(after: .nanoseconds(Int64(clamping: delay))) { [unowned self] in
            timer = nil
            timerDeadline = .max
            sweep()
        }
    }

    private func sweep() {
        let now = loop.now()
        var expired: [RedisCompletion] = []
        var next = UInt64.max
        for i in head..<entries.count {
            guard let completion = entries[i].completion else { continue }
            if entries[i].deadline <= now {
                entries[i].completion = nil
                expired.append(completion)
            } else {
                next = Swift.min(next, entries[i].deadline)
            }
        }
        if next != .max { arm(next) }
        for completion in expired { completion(.failure(.timeout)) }
    }
}

func nanoseconds(_ duration: Duration) -> UInt64 {
    let (seconds, attoseconds) = duration.components
    guard seconds >= 0, attoseconds >= 0 else { return 0 }
    let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
    return overflow ? UInt64.max / 2 : whole &+ UInt64(attoseconds / 1_000_000_000)
}
