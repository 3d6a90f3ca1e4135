import Synchronization
import Testing
import SocketIOParser
@testable import SocketIO

/// Collects callback results from @Sendable closures.
final class Recorder<T: Sendable>: Sendable {
    private let items = Mutex<[T]>([])
    func record(_ item: T) { items.withLock { $0.append(item) } }
    var all: [T] { items.withLock { $0 } }
}

@Suite struct AckRegistryTests {
    @Test func resolveCallsOnceAndCancelsTimer() {
        var registry = AckRegistry()
        let results = Recorder<AckResult>()
        let cancels = Recorder<Int>()
        registry.register(7) { results.record($0) }
        registry.setTimer(7) { cancels.record(7) }
        #expect(registry.contains(7))
        registry.resolve(7, with: ["ok", 1])?()
        #expect(results.all == [.success(["ok", 1])])
        #expect(cancels.all == [7])
        #expect(registry.count == 0)
        // A duplicate ACK from the client is ignored.
        #expect(registry.resolve(7, with: []) == nil)
    }

    @Test func expireReportsTimeoutAndIgnoresLateReply() {
        var registry = AckRegistry()
        let results = Recorder<AckResult>()
        registry.register(1) { results.record($0) }
        registry.expire(1)?()
        #expect(results.all == [.failure(.ackTimeout)])
        #expect(registry.resolve(1, with: ["late"]) == nil)
        #expect(results.all.count == 1)
    }

    @Test func unknownIdsAreIgnored() {
        var registry = AckRegistry()
        #expect(registry.resolve(99, with: []) == nil)
        #expect(registry.expire(99) == nil)
    }

    @Test func failAllFailsEveryPendingAck() {
        var registry = AckRegistry()
        let results = Recorder<AckResult>()
        for id in 0..<3 { registry.register(id) { results.record($0) } }
        for fail in registry.failAll(.disconnected) { fail() }
        #expect(results.all == Array(repeating: .failure(.disconnected), count: 3))
        #expect(registry.count == 0)
    }

    @Test func takeForgetsSilently() {
        var registry = AckRegistry()
        let results = Recorder<AckResult>()
        registry.register(5) { results.record($0) }
        #expect(registry.take(5) != nil)
        #expect(registry.resolve(5, with: []) == nil)
        #expect(results.all.isEmpty)
    }
}

@Suite struct BroadcastAckCollectorTests {
    @Test func completesWhenEveryRecipientAnswered() {
        let done = Recorder<Result<[JSONValue], SocketIOError>>()
        let collector = BroadcastAckCollector { done.record($0) }
        collector.expect(2)
        collector.receive(.success(["a", "extra"]))
        #expect(done.all.isEmpty)
        collector.receive(.success(["b"]))
        #expect(done.all == [.success(["a", "b"])])
        collector.timeOut()
        collector.receive(.success(["late"]))
        #expect(done.all.count == 1)
    }

    @Test func repliesBeforeTheCountAreKept() {
        let done = Recorder<Result<[JSONValue], SocketIOError>>()
        let collector = BroadcastAckCollector { done.record($0) }
        collector.receive(.success([1]))
        #expect(done.all.isEmpty)
        collector.expect(1)
        #expect(done.all == [.success([1])])
    }

    @Test func noRecipientsCompletesAtOnce() {
        let done = Recorder<Result<[JSONValue], SocketIOError>>()
        BroadcastAckCollector { done.record($0) }.expect(0)
        #expect(done.all == [.success([])])
    }

    @Test func departedRecipientsStopBeingAwaited() {
        let done = Recorder<Result<[JSONValue], SocketIOError>>()
        let collector = BroadcastAckCollector { done.record($0) }
        collector.expect(2)
        collector.receive(.failure(.disconnected))
        collector.receive(.success([]))
        #expect(done.all == [.success([.null])])
    }

    @Test func timeoutCarriesPartialResponses() {
        let done = Recorder<Result<[JSONValue], SocketIOError>>()
        let collector = BroadcastAckCollector { done.record($0) }
        collector.expect(3)
        collector.receive(.success(["x"]))
        collector.timeOut()
        #expect(done.all == [.failure(.broadcastAckTimeout(responses: ["x"]))])
    }
}
