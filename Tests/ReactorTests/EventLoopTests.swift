import Dispatch
import Foundation
import Synchronization
import Testing
@testable import Reactor

@Suite struct EventLoopTests {
    @Test func executeRunsOnTheLoopThread() {
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        #expect(!loop.inEventLoop)
        #expect(EventLoop.current == nil)
        let done = DispatchSemaphore(value: 0)
        let seen = Mutex<(Bool, Bool)>((false, false))
        loop.execute {
            seen.withLock { $0 = (loop.inEventLoop, EventLoop.current === loop) }
            done.signal()
        }
        done.wait()
        #expect(seen.withLock { $0 } == (true, true))
    }

    @Test func executeKeepsPerThreadOrderAcrossManyThreads() {
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let threads = 8, perThread = 2000
        let log = Mutex<[[Int]]>(Array(repeating: [], count: threads))
        let done = DispatchSemaphore(value: 0)
        let remaining = Atomic<Int>(threads * perThread)
        // Plain threads, not Dispatch: the test must not depend on the shared worker pool.
        for t in 0..<threads {
            Thread {
                for i in 0..<perThread {
                    loop.execute {
                        log.withLock { $0[t].append(i) }
                        if remaining.subtract(1, ordering: .relaxed).newValue == 0 { done.signal() }
                    }
                }
            }.start()
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        let result = log.withLock { $0 }
        for t in 0..<threads { #expect(result[t] == Array(0..<perThread)) }
    }

    @Test func executeFromTheLoopItselfIsFIFO() {
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let order = Mutex<[Int]>([])
        let done = DispatchSemaphore(value: 0)
        loop.execute {
            for i in 0..<100 { loop.execute { order.withLock { $0.append(i) } } }
            loop.execute { done.signal() }
        }
        done.wait()
        #expect(order.withLock { $0 } == Array(0..<100))
    }

    /// A task a loop thread hands to another loop is queued at once, before anything its submission
    /// causes elsewhere: a plain thread told afterwards (while the first loop is still in the same
    /// iteration) submits to the same loop, and its task must run second. With tasks held back until
    /// the end of the iteration, the second ran first (a packet emitted from a loop, then one emitted
    /// by a `Task` it started, reached the socket in the wrong order).
    @Test func executeFromALoopKeepsCausalOrderWithOtherThreads() {
        let group = EventLoopGroup(loopCount: 2)
        defer { group.shutdown() }
        let (from, to) = (group.loops[0], group.loops[1])
        let order = Mutex<[String]>([])
        let ran = DispatchSemaphore(value: 0)
        from.execute {
            to.execute { order.withLock { $0.append("first") }; ran.signal() }
            let secondQueued = DispatchSemaphore(value: 0)
            Thread {
                to.execute { order.withLock { $0.append("second") }; ran.signal() }
                secondQueued.signal()
            }.start()
            _ = secondQueued.wait(timeout: .now() + 5)
        }
        #expect(ran.wait(timeout: .now() + 5) == .success)
        #expect(ran.wait(timeout: .now() + 5) == .success)
        #expect(order.withLock { $0 } == ["first", "second"])
    }

    /// A burst handed over by one loop iteration costs the target one wake-up and runs there together.
    @Test func burstFromALoopRunsInOneTargetIteration() {
        let group = EventLoopGroup(loopCount: 2)
        defer { group.shutdown() }
        let (from, to) = (group.loops[0], group.loops[1])
        let iterations = Mutex<Set<Int>>([])
        let tick = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)
        // The target is idle (asleep in epoll_wait) when the burst starts.
        to.execute { done.signal() }
        done.wait()
        usleep(50_000)
        from.execute {
            for i in 0..<100 {
                to.execute {
                    // An end-of-tick hook per task counts the target's iterations the burst spans.
                    let now = tick.load(ordering: .relaxed)
                    iterations.withLock { _ = $0.insert(now) }
                    to.runAtEndOfTick { tick.add(1, ordering: .relaxed) }
                    if i == 99 { done.signal() }
                }
            }
            usleep(20_000)  // the target is idle meanwhile: nothing may wake it before this iteration ends
        }
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(iterations.withLock { $0.count } == 1)
    }

    @Test func timersFireOnTimeAndInOrder() {
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let lateness = Mutex<[(Int, Int64)]>([])
        let done = DispatchSemaphore(value: 0)
        let delays = [30, 5, 20, 10, 15, 25, 1, 40]
        loop.execute {
            let start = loop.now()
            for (i, ms) in delays.enumerated() {
                loop.schedule(after: .milliseconds(ms)) {
                    let late = Int64(loop.now()) - Int64(start) - Int64(ms) * 1_000_000
                    lateness.withLock { $0.append((i, late)) }
                    if lateness.withLock({ $0.count }) == delays.count { done.signal() }
                }
            }
        }
        #expect(done.wait(timeout: .now() + 5) == .success)
        let results = lateness.withLock { $0 }
        #expect(results.map { delays[$0.0] } == delays.sorted())
        for (_, late) in results {
            #expect(late >= 0, "a timer fired early by \(-late) ns")
        }
        let sortedLate = results.map(\.1).sorted()
        // No millisecond rounding: the best case is well under a millisecond late. The median allows for
        // a loaded 2-core machine running other test suites at the same time.
        #expect(sortedLate[0] < 2_000_000, "lateness ns: \(sortedLate)")
        #expect(sortedLate[sortedLate.count / 2] < 20_000_000, "lateness ns: \(sortedLate)")
    }

    @Test func cancelledTimerNeverFires() {
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let fired = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)
        loop.execute {
            let a = loop.schedule(after: .milliseconds(10)) { fired.add(1, ordering: .relaxed) }
            let b = loop.schedule(after: .milliseconds(5)) { fired.add(10, ordering: .relaxed) }
            #expect(a.isPending)
            a.cancel()
            a.cancel()
            #expect(!a.isPending)
            _ = b
            loop.schedule(after: .milliseconds(30)) {
                b.cancel() // already fired: no effect
                done.signal()
            }
        }
        done.wait()
        #expect(fired.load(ordering: .relaxed) == 10)
    }

    @Test func manyTimersCancelledOutOfOrderKeepHeapValid() {
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let fired = Mutex<[Int]>([])
        let done = DispatchSemaphore(value: 0)
        loop.execute {
            var timers: [ScheduledTimer] = []
            // Deadlines from one instant, so a slow machine scheduling them over several milliseconds
            // does not change their order.
            let base = loop.now()
            for i in 0..<200 {
                let deadline = base + UInt64(20 + (i * 7) % 20) * 1_000_000
                let delay = Duration.nanoseconds(Int64(deadline) - Int64(loop.now()))
                timers.append(loop.schedule(after: delay) { fired.withLock { $0.append(i) } })
            }
            for i in stride(from: 0, to: 200, by: 2) { timers[i].cancel() }
            loop.schedule(after: .milliseconds(80)) { done.signal() }
        }
        done.wait()
        let got = fired.withLock { $0 }
        #expect(Set(got) == Set(stride(from: 1, to: 200, by: 2)))
        #expect(got.map { (($0 * 7) % 20) } == got.map { (($0 * 7) % 20) }.sorted())
    }

    @Test func groupRoundRobinAndIdempotentShutdown() {
        let group = EventLoopGroup(loopCount: 3)
        let picks = (0..<6).map { _ in group.next() }
        #expect(picks[0] === picks[3] && picks[1] === picks[4] && picks[2] === picks[5])
        #expect(picks[0] !== picks[1] && picks[1] !== picks[2])
        let ran = Atomic<Int>(0)
        for loop in group.loops { loop.execute { ran.add(1, ordering: .relaxed) } }
        group.shutdown()
        group.shutdown()
        #expect(ran.load(ordering: .relaxed) == 3)
    }
}
