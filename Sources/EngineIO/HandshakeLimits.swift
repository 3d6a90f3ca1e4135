import Synchronization
import HTTP1
import HTTPServer

/// Why a handshake was turned away by a limit (rather than by the protocol's own checks).
package enum HandshakeRefusal: Error, Sendable, Equatable {
    /// Over `maxHandshakesPerSecondPerAddress`: 429.
    case tooManyHandshakes(limit: Int)
    /// Over `maxSessions`: 503.
    case sessionLimit(limit: Int)
    /// The server is draining (`EngineServer.startDraining`): 503, so a balancer tries another server.
    case draining

    package var status: Int {
        switch self {
        case .tooManyHandshakes: 429
        case .sessionLimit, .draining: 503
        }
    }

    package var message: String {
        switch self {
        case .tooManyHandshakes(let limit): "Too many handshakes from your address (limit \(limit) per second); retry later"
        case .sessionLimit(let limit): "The server is at its session limit (\(limit)); retry later"
        case .draining: "The server is draining before it stops; connect to another server"
        }
    }

    /// Node's error body with code 4 (a refusal, as `allowRequest` answers) and a message saying
    /// which limit; `Retry-After` says when to come back.
    package func response(extraHeaders: HTTPHeaders) -> HTTPResponse {
        var headers = extraHeaders
        headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        headers.replaceOrAdd(name: "Retry-After", value: "1")
        let body = "{\"code\":\(EngineError.forbidden.rawValue),\"message\":\"\(message)\"}"
        return HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
    }

    /// A refused WebSocket handshake: the bare message, as Node answers a refused upgrade.
    package func upgradeResponse() -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/html")
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Retry-After", value: "1")
        return HTTPResponse(status: status, headers: headers, body: Array(message.utf8))
    }
}

/// How many handshakes the server turned away, by limit (for tests now, metrics later).
package struct HandshakeRefusalCounts: Sendable, Equatable {
    package var tooManyHandshakes = 0
    package var sessionLimit = 0
    package var draining = 0
}

/// Handshake admission: handshakes per address per second, and the open-session count.
/// Touched once per handshake and once per session end, never per packet.
final class HandshakeLimits: Sendable {
    let perAddressPerSecond: Int?
    let maxSessions: Int
    private let windows = Mutex<HandshakeWindows>(HandshakeWindows())
    private let openSessions = Atomic<Int>(0)
    private let refusedRate = Atomic<Int>(0)
    private let refusedSessions = Atomic<Int>(0)

    /// A token bucket per address: `limit` handshakes at once, refilled at `limit` per second, so a
    /// burst is allowed once and a steady stream only at the rate (no doubling across a second's edge).
    struct HandshakeWindows {
        var buckets: [String: (tokens: Double, updated: UInt64)] = [:]
        var lastSweep: UInt64 = 0
    }

    init(options: EngineOptions) {
        perAddressPerSecond = options.maxHandshakesPerSecondPerAddress
        maxSessions = options.maxSessions
    }

    /// Takes a session slot for a handshake from `address` at `nowNanos`, or says which limit refuses it.
    func admit(_ address: String, nowNanos: UInt64) -> HandshakeRefusal? {
        if let limit = perAddressPerSecond {
            let allowed = windows.withLock { w in
                let full = Double(limit)
                var bucket = w.buckets[address] ?? (full, nowNanos)
                // Loops read the clock separately: one may be a little behind the last update.
                let elapsed = Double(nowNanos > bucket.updated ? nowNanos - bucket.updated : 0) / 1e9
                bucket = (Swift.min(full, bucket.tokens + elapsed * full), Swift.max(nowNanos, bucket.updated))
                let admitted = bucket.tokens >= 1
                if admitted { bucket.tokens -= 1 }
                w.buckets[address] = bucket
                // Buckets that have refilled say nothing a fresh one would not: drop them, at most
                // once a second, so the table holds only addresses seen in the last second.
                if nowNanos >= w.lastSweep + 1_000_000_000, w.buckets.count > 64 {
                    w.lastSweep = nowNanos
                    w.buckets = w.buckets.filter { $0.value.updated + 1_000_000_000 > nowNanos }
                }
                return admitted
            }
            if !allowed {
                refusedRate.add(1, ordering: .relaxed)
                return .tooManyHandshakes(limit: limit)
            }
        }
        if openSessions.wrappingAdd(1, ordering: .relaxed).newValue > maxSessions {
            openSessions.wrappingSubtract(1, ordering: .relaxed)
            refusedSessions.add(1, ordering: .relaxed)
            return .sessionLimit(limit: maxSessions)
        }
        return nil
    }

    /// A session `admit` let in has ended.
    func sessionEnded() { openSessions.wrappingSubtract(1, ordering: .relaxed) }

    var refusals: HandshakeRefusalCounts {
        HandshakeRefusalCounts(tooManyHandshakes: refusedRate.load(ordering: .relaxed),
                               sessionLimit: refusedSessions.load(ordering: .relaxed))
    }
}
