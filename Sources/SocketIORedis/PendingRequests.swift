import SocketIO
import SocketIOParser
import Synchronization

/// Requests this server sent to the others (`fetchSockets`, `allRooms`, `serverSideEmitWithAck`),
/// collecting one answer per server until all came or the time is up.
final class PendingRequests: Sendable {
    enum Outcome: Sendable {
        case complete([JSONValue])
        case timedOut([JSONValue])
    }

    private struct Request {
        var expected: Int
        var answers: [JSONValue] = []
        var continuation: CheckedContinuation<Outcome, Never>
    }

    private let requests = Mutex<[String: Request]>([:])

    /// Registers request `id` expecting `expected` answers, then runs `send` (which publishes it), and
    /// waits until the answers are in or `timeout` passed.
    func collect(_ id: String, expected: Int, timeout: Duration, send: () -> Void) async -> Outcome {
        guard expected > 0 else { return .complete([]) }
        return await withCheckedContinuation { continuation in
            requests.withLock { $0[id] = Request(expected: expected, continuation: continuation) }
            send()
            Task {
                try? await Task.sleep(for: timeout)
                self.expire(id)
            }
        }
    }

    /// True when `id` is one of ours (so a server ignores its own request coming back).
    func contains(_ id: String) -> Bool { requests.withLock { $0[id] != nil } }

    /// One server's answer; unknown ids (another server's request, or one that timed out) are ignored.
    func receive(_ id: String, _ answer: JSONValue) {
        let done = requests.withLock { requests -> (CheckedContinuation<Outcome, Never>, [JSONValue])? in
            guard var request = requests[id] else { return nil }
            request.answers.append(answer)
            if request.answers.count >= request.expected {
                requests[id] = nil
                return (request.continuation, request.answers)
            }
            requests[id] = request
            return nil
        }
        if let (continuation, answers) = done { continuation.resume(returning: .complete(answers)) }
    }

    /// Ends request `id` now with what it has.
    func cancel(_ id: String) { expire(id) }

    private func expire(_ id: String) {
        guard let request = requests.withLock({ $0.removeValue(forKey: id) }) else { return }
        request.continuation.resume(returning: .timedOut(request.answers))
    }

    /// Ends every request with what it has (the adapter is closing).
    func expireAll() {
        let all = requests.withLock { requests in defer { requests = [:] }; return Array(requests.values) }
        for request in all { request.continuation.resume(returning: .timedOut(request.answers)) }
    }

    var count: Int { requests.withLock { $0.count } }
}

/// Broadcasts with acks this server sent to the others: each server reports how many clients it
/// asked, then forwards their acks. Kept for the broadcast's timeout, then dropped (as Node does).
final class AckRequests: Sendable {
    struct Callbacks: Sendable {
        let clientCount: @Sendable (Int) -> Void
        let ack: @Sendable (AckResult) -> Void
    }

    private let requests = Mutex<[String: Callbacks]>([:])

    func register(_ id: String, _ callbacks: Callbacks, for duration: Duration) {
        requests.withLock { $0[id] = callbacks }
        Task {
            try? await Task.sleep(for: duration)
            self.remove(id)
        }
    }

    func callbacks(_ id: String) -> Callbacks? { requests.withLock { $0[id] } }
    func contains(_ id: String) -> Bool { requests.withLock { $0[id] != nil } }
    func remove(_ id: String) { _ = requests.withLock { $0.removeValue(forKey: id) } }
    func removeAll() { requests.withLock { $0 = [:] } }
    var count: Int { requests.withLock { $0.count } }
}

/// Adds up the client counts of every server answering one broadcast with acks, and reports the
/// total once: when every server counted by `PUBSUB NUMSUB` answered, or when the time is up.
final class ClientCountTally: Sendable {
    private struct State {
        var servers: Int? = nil
        var reported = 0
        var total = 0
        var report: (@Sendable (Int) -> Void)?
    }
    private let state: Mutex<State>

    init(report: @escaping @Sendable (Int) -> Void) { state = Mutex(State(report: report)) }

    func add(_ count: Int) { finish { $0.reported += 1; $0.total += count } }
    func expectServers(_ servers: Int) { finish { $0.servers = servers } }
    /// Reports what is known now, whoever is missing.
    func giveUp() { finish { $0.servers = 0 } }

    private func finish(_ update: (inout State) -> Void) {
        let done = state.withLock { state -> (@Sendable (Int) -> Void, Int)? in
            update(&state)
            guard let servers = state.servers, state.reported >= servers, let report = state.report else { return nil }
            state.report = nil
            return (report, state.total)
        }
        if let (report, total) = done { report(total) }
    }
}
