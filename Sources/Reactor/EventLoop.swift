import CEpoll
import Glibc
import Synchronization

/// Something registered with a loop's epoll set; called on the loop thread with the ready events.
protocol EventSource: AnyObject {
    func handleEvents(_ events: UInt32)
    /// The loop is exiting with this source still registered: release the fd.
    func loopDidStop()
}

/// The slot in thread-local storage that names the loop running on the current thread.
private let currentLoopKey: pthread_key_t = {
    var key = pthread_key_t()
    let rc = pthread_key_create(&key, nil)
    precondition(rc == 0, "pthread_key_create failed: \(rc)")
    return key
}()

// One thread, one epoll fd, an eventfd for wake-ups and timers.
/// Everything an event loop owns (connections, HTTP state, Engine.IO sessions) is touched only on its
/// thread. Other threads hand work over with `execute`.
///
/// Confinement: `timers`, `sources`, `pendingFlushes`, `endOfTick`, `toWake` and `readBuffer` are touched only on the loop thread;
/// `inbox` is the one piece shared with other threads, behind a `Mutex`.
/// Loop-confined stored state is `@exclusivity(unchecked)`: only the loop thread touches it, and the
/// runtime's dynamic exclusivity checks cost more than the rest of a broadcast delivery (README, Performance).
package final class EventLoop: @unchecked Sendable {
    struct Inbox {
        var tasks: [@Sendable () -> Void] = []
        /// True while an eventfd write is outstanding, so a burst of `execute` calls costs one syscall.
        var wakePending = false
        var stopRequested = false
    }

    /// Position in the group, for naming threads and diagnostics.
    package let index: Int
    let epfd: Int32
    private let wakeFd: Int32
    private let inbox = Mutex(Inbox())

    @exclusivity(unchecked) var timers = TimerHeap()
    @exclusivity(unchecked) private var sources: [UInt64: any EventSource] = [:]
    @exclusivity(unchecked) private var nextToken: UInt64 = 1
    /// Connections with writes queued this iteration; each flushes once, at the end of the iteration.
    @exclusivity(unchecked) private var pendingFlushes: [TCPConnection] = []
    /// Work that must happen once per iteration, after its events, timers and tasks and before queued
    /// writes leave (see `runAtEndOfTick`).
    @exclusivity(unchecked) private var endOfTick: [() -> Void] = []
    /// Loops this loop's thread queued tasks on during the current iteration, each woken once at its
    /// end (see `execute`).
    @exclusivity(unchecked) private var toWake: [EventLoop] = []
    /// Shared by every connection of this loop: a read is delivered and consumed before the next one,
    /// so no connection needs a read buffer of its own.
    let readBuffer: UnsafeMutableRawBufferPointer
    private static let wakeToken: UInt64 = 0

    init(index: Int) throws(ReactorError) {
        self.index = index
        let ep = cepoll_create()
        guard ep >= 0 else { throw .systemCall("epoll_create1", errno: cepoll_errno()) }
        let wake = cepoll_eventfd()
        guard wake >= 0 else {
            let e = cepoll_errno()
            Glibc.close(ep)
            throw .systemCall("eventfd", errno: e)
        }
        guard cepoll_add(ep, wake, CEPOLL_IN, Self.wakeToken) == 0 else {
            let e = cepoll_errno()
            Glibc.close(ep); Glibc.close(wake)
            throw .systemCall("epoll_ctl(ADD eventfd)", errno: e)
        }
        epfd = ep
        wakeFd = wake
        readBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit {
        Glibc.close(epfd)
        Glibc.close(wakeFd)
        readBuffer.deallocate()
    }

    /// True when called on this loop's thread.
    package var inEventLoop: Bool { EventLoop.current === self }

    /// The loop whose thread is calling, if any.
    package static var current: EventLoop? {
        guard let raw = pthread_getspecific(currentLoopKey) else { return nil }
        return Unmanaged<EventLoop>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Monotonic clock in nanoseconds, the one timers use.
    package func now() -> UInt64 { EventLoop.monotonicNow() }

    package static func monotonicNow() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Runs `task` on the loop thread, in submission order. Callable from any thread, including the loop.
    ///
    /// The task is queued at once, so whatever its submitter does next (telling another thread, which
    /// then submits here too) comes after it. From another loop's thread only the wake-up waits for
    /// the end of that loop's iteration: a burst (broadcasts arriving from another loop, or from Redis)
    /// wakes this loop once, and an idle loop runs it in one iteration, so the writes it queues leave
    /// in one `writev` per socket instead of one each.
    package func execute(_ task: @escaping @Sendable () -> Void) {
        if let current = EventLoop.current {
            // The loop polls with a zero timeout while tasks are queued, so it needs no wake-up itself.
            inbox.withLock { $0.tasks.append(task) }
            if current !== self { current.wakeAtEndOfIteration(self) }
            return
        }
        let mustWake = inbox.withLock { inbox -> Bool in
            inbox.tasks.append(task)
            if inbox.wakePending { return false }
            inbox.wakePending = true
            return true
        }
        if mustWake { wake() }
    }

    /// Loop thread only.
    private func wakeAtEndOfIteration(_ target: EventLoop) {
        if !toWake.contains(where: { $0 === target }) { toWake.append(target) }
    }

    /// Loop thread only: wakes every loop this iteration queued tasks on, unless it took them already.
    private func wakeTargets() {
        guard !toWake.isEmpty else { return }
        for target in toWake {
            let mustWake = target.inbox.withLock { inbox -> Bool in
                if inbox.wakePending || inbox.tasks.isEmpty { return false }
                inbox.wakePending = true
                return true
            }
            if mustWake { target.wake() }
        }
        toWake.removeAll(keepingCapacity: true)
    }

    private func wake() {
        var one: UInt64 = 1
        // EAGAIN only happens when the counter is saturated, which still means "readable": ignore it.
        _ = withUnsafeBytes(of: &one) { Glibc.write(wakeFd, $0.baseAddress, 8) }
    }

    /// Flushes `connection` once the current iteration's events, timers and tasks are done, so that
    /// everything queued for a socket in one iteration leaves in a single `writev`.
    func flushAtEndOfTick(_ connection: TCPConnection) {
        pendingFlushes.append(connection)
    }

    /// Runs `body` on this loop once the current iteration's events, timers and tasks are done, before
    /// the iteration's writes are flushed, so work gathered over an iteration (a broadcast batch) is
    /// done once and still leaves in that iteration's `writev`s. Loop thread only.
    package func runAtEndOfTick(_ body: @escaping () -> Void) {
        endOfTick.append(body)
    }

    // MARK: fd registration (loop thread only)

    func register(fd: Int32, events: UInt32, source: any EventSource) throws(ReactorError) -> UInt64 {
        let token = nextToken
        nextToken += 1
        guard cepoll_add(epfd, fd, events, token) == 0 else {
            throw .systemCall("epoll_ctl(ADD)", errno: cepoll_errno())
        }
        sources[token] = source
        return token
    }

    @discardableResult
    func modify(fd: Int32, token: UInt64, events: UInt32) -> Bool {
        cepoll_mod(epfd, fd, events, token) == 0
    }

    /// Tokens are never reused, so events already fetched for a closed fd cannot reach whoever reuses it.
    func deregister(fd: Int32, token: UInt64) {
        _ = cepoll_del(epfd, fd)
        sources[token] = nil
    }

    // MARK: the loop

    func requestStop() {
        let mustWake = inbox.withLock { inbox -> Bool in
            inbox.stopRequested = true
            if inbox.wakePending { return false }
            inbox.wakePending = true
            return true
        }
        if mustWake { wake() }
    }

    func run() {
        pthread_setspecific(currentLoopKey, Unmanaged.passUnretained(self).toOpaque())
        defer { pthread_setspecific(currentLoopKey, nil) }
        let capacity = 256
        let eventBits = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
        let tokens = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
        defer { eventBits.deallocate(); tokens.deallocate() }
        var batch: [@Sendable () -> Void] = []
        var flushing: [TCPConnection] = []
        var ending: [() -> Void] = []

        while true {
            let hasTasks = inbox.withLock { !$0.tasks.isEmpty || $0.stopRequested }
            var timeout: Int64 = -1
            if hasTasks || !pendingFlushes.isEmpty || !endOfTick.isEmpty || !toWake.isEmpty {
                timeout = 0
            } else if let deadline = timers.nextDeadline {
                let now = now()
                timeout = deadline > now ? Int64(deadline - now) : 0
            }
            let n = cepoll_wait(epfd, eventBits, tokens, Int32(capacity), timeout)
            if n > 0 {
                for i in 0..<Int(n) {
                    let token = tokens[i]
                    if token == Self.wakeToken {
                        // Drain the counter BEFORE clearing the flag: the other order lets a writer's
                        // wake-up be swallowed while the flag still says one is pending, and the loop
                        // would then sleep with tasks queued.
                        var value: UInt64 = 0
                        _ = withUnsafeMutableBytes(of: &value) { Glibc.read(wakeFd, $0.baseAddress, 8) }
                        inbox.withLock { $0.wakePending = false }
                    } else if let source = sources[token] {
                        source.handleEvents(eventBits[i])
                    }
                }
            }
            // n < 0 is EINTR in practice (no other error is possible with a valid epfd): just go round.

            // Timers due at this instant only: one that re-arms itself with zero delay waits a round.
            let dueAt = now()
            while let timer = timers.popDue(now: dueAt) {
                let body = timer.body
                timer.body = nil
                body?()
            }

            let stop = inbox.withLock { inbox -> Bool in
                swap(&batch, &inbox.tasks)
                return inbox.stopRequested
            }
            for task in batch { task() }
            batch.removeAll(keepingCapacity: true)

            // End-of-tick work may queue writes, and a flush that fails may run close handlers that
            // queue more of either: go round until both are empty.
            while !endOfTick.isEmpty || !pendingFlushes.isEmpty {
                if !endOfTick.isEmpty {
                    swap(&ending, &endOfTick)
                    for body in ending { body() }
                    ending.removeAll(keepingCapacity: true)
                }
                while !pendingFlushes.isEmpty {
                    swap(&flushing, &pendingFlushes)
                    for connection in flushing { connection.flushAtEndOfTick() }
                    flushing.removeAll(keepingCapacity: true)
                }
            }
            wakeTargets()

            if stop, inbox.withLock({ $0.tasks.isEmpty }) { break }
        }
        // Close whatever is still registered so no descriptor outlives the loop.
        for source in Array(sources.values) { source.loopDidStop() }
        wakeTargets()
        sources.removeAll()
        timers.removeAll()
    }
}
