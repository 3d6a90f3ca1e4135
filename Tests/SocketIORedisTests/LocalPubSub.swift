import Dispatch
import Synchronization
import SocketIO
@testable import SocketIORedis

/// Redis's pub/sub semantics in one process, for adapter tests that need no network: every
/// subscriber of a channel or matching `prefix*` pattern gets each message, on one serial queue
/// (as a Redis subscriber connection delivers them in order).
final class LocalPubSub: Sendable {
    fileprivate struct Subscription {
        let owner: ObjectIdentifier
        let handler: PubSubHandler
    }
    fileprivate struct State {
        var channels: [String: [Subscription]] = [:]
        var patterns: [String: [Subscription]] = [:]
        var up = true
    }
    fileprivate let state = Mutex(State())
    fileprivate let queue = DispatchQueue(label: "LocalPubSub")

    /// One server's connection to the bus.
    func connection() -> Connection { Connection(bus: self) }

    /// Simulates Redis going away (publishes fail) and coming back.
    func setUp(_ up: Bool) { state.withLock { $0.up = up } }

    final class Connection: PubSubTransport, Sendable {
        let bus: LocalPubSub
        init(bus: LocalPubSub) { self.bus = bus }

        func publish(_ channel: String, _ payload: [UInt8]) -> Bool {
            let targets = bus.state.withLock { state -> [(PubSubHandler)]? in
                guard state.up else { return nil }
                var handlers = state.channels[channel]?.map(\.handler) ?? []
                for (pattern, subscriptions) in state.patterns where channel.hasPrefix(String(pattern.dropLast())) {
                    handlers += subscriptions.map(\.handler)
                }
                return handlers
            }
            guard let targets else { return false }
            bus.queue.async { for handler in targets { handler(channel, payload) } }
            return true
        }

        func subscriberCount(_ channel: String) async throws(SocketIOError) -> Int {
            try bus.state.withLock { state throws(SocketIOError) -> Int in
                guard state.up else { throw .clusterUnavailable("bus down") }
                return state.channels[channel]?.count ?? 0
            }
        }

        func subscribe(channels: [String], patterns: [String], handler: @escaping PubSubHandler) async throws(SocketIOError) {
            let me = ObjectIdentifier(self)
            bus.state.withLock { state in
                for channel in channels { state.channels[channel, default: []].append(.init(owner: me, handler: handler)) }
                for pattern in patterns { state.patterns[pattern, default: []].append(.init(owner: me, handler: handler)) }
            }
        }

        func unsubscribe(channels: [String], patterns: [String]) {
            let me = ObjectIdentifier(self)
            bus.state.withLock { state in
                for channel in channels { state.channels[channel]?.removeAll { $0.owner == me } }
                for pattern in patterns { state.patterns[pattern]?.removeAll { $0.owner == me } }
            }
        }
    }
}
