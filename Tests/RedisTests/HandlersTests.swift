import Synchronization
import Testing
@testable import Redis

@Suite struct HandlersTests {
    /// Reading a closure out of a `Mutex` used to wrap it in another thunk per read: the n-th message
    /// cost n calls. 200,000 deliveries finish at once when each costs one.
    @Test(.timeLimit(.minutes(1)))
    func deliveringDoesNotSlowDownWithEachMessage() {
        let handlers = Handlers()
        let count = Atomic<Int>(0)
        handlers.onMessage = { _, _, _ in count.add(1, ordering: .relaxed) }
        let clock = ContinuousClock()
        let started = clock.now
        for _ in 0..<200_000 { handlers.deliver([1], nil, [2]) }
        #expect(count.load(ordering: .relaxed) == 200_000)
        #expect(clock.now - started < .seconds(10))
        handlers.onMessage = nil
        handlers.deliver([1], nil, [2])
        #expect(count.load(ordering: .relaxed) == 200_000)
    }

    @Test func stateChangesReachTheHandlerAndTheCurrentState() {
        let handlers = Handlers()
        let seen = Mutex<[RedisConnectionState]>([])
        handlers.onStateChange = { state in seen.withLock { $0.append(state) } }
        handlers.report(.connecting)
        handlers.report(.connected)
        #expect(seen.withLock { $0 } == [.connecting, .connected])
        #expect(handlers.current == .connected)
    }
}
