import Reactor
import SocketIOParser
import Synchronization

/// Gathers the acks of one broadcast from sockets on several loops.
///
/// Completes once every expected recipient answered or left, or when the timeout fires, whichever is
/// first; the completion runs exactly once. Responses are the first argument of each reply, like Node.
final class BroadcastAckCollector: Sendable {
    private struct State {
        var expected: Int? = nil
        var responses: [JSONValue] = []
        var failed = 0
        var completion: (@Sendable (Result<[JSONValue], SocketIOError>) -> Void)?
        var timer: (loop: EventLoop, timer: UncheckedTimer)? = nil
    }

    private let state: Mutex<State>

    init(completion: @escaping @Sendable (Result<[JSONValue], SocketIOError>) -> Void) {
        state = Mutex(State(completion: completion))
    }

    /// How many recipients were sent the packet; may be called several times (one per server).
    func expect(_ count: Int) {
        finishIfComplete { $0.expected = ($0.expected ?? 0) + count }
    }

    /// One recipient's reply (or its failure: it disconnected or the volatile packet was dropped).
    func receive(_ result: AckResult) {
        finishIfComplete { state in
            switch result {
            case .success(let args): state.responses.append(args.first ?? .null)
            case .failure: state.failed += 1
            }
        }
    }

    /// Loop thread only (the timer's loop).
    func armTimer(on loop: EventLoop, after delay: Duration) {
        let timer = loop.schedule(after: delay) { [self] in self.timeOut() }
        let done = state.withLock { state -> Bool in
            if state.completion == nil { return true }
            state.timer = (loop, UncheckedTimer(timer))
            return false
        }
        if done { timer.cancel() }
    }

    func timeOut() {
        let (completion, responses) = state.withLock { state in
            defer { state.completion = nil; state.timer = nil }
            return (state.completion, state.responses)
        }
        completion?(.failure(.broadcastAckTimeout(responses: responses)))
    }

    private func finishIfComplete(_ update: (inout State) -> Void) {
        let finished = state.withLock { state -> (@Sendable (Result<[JSONValue], SocketIOError>) -> Void, [JSONValue], (loop: EventLoop, timer: UncheckedTimer)?)? in
            update(&state)
            guard let expected = state.expected, let completion = state.completion,
                  state.responses.count + state.failed >= expected else { return nil }
            defer { state.completion = nil; state.timer = nil }
            return (completion, state.responses, state.timer)
        }
        guard let (completion, responses, timer) = finished else { return }
        if let timer {
            let handle = timer.timer
            if timer.loop.inEventLoop { handle.timer.cancel() } else { timer.loop.execute { handle.timer.cancel() } }
        }
        completion(.success(responses))
    }
}

/// `ScheduledTimer` is loop-confined, not Sendable: it only crosses to its own loop to be cancelled.
struct UncheckedTimer: @unchecked Sendable {
    let timer: ScheduledTimer
    init(_ timer: ScheduledTimer) { self.timer = timer }
}
