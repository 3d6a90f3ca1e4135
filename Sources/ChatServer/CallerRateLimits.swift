import Synchronization

/// A `RateLimiter` per caller address, for an HTTP route that anyone may reach.
final class CallerRateLimits: Sendable {
    private let limit: Int
    private let window: Duration
    private let maxCallers: Int
    private let limiters = Mutex<[String: RateLimiter]>([:])

    init(limit: Int, per window: Duration, maxCallers: Int) {
        self.limit = limit
        self.window = window
        self.maxCallers = maxCallers
    }

    /// nil: the request from `address` may go ahead (and is counted); else how long it should wait.
    func wait(for address: String, at now: ContinuousClock.Instant = .now) -> Duration? {
        limiters.withLock { limiters in
            if limiters[address] == nil, limiters.count >= maxCallers {
                limiters = limiters.filter { !$0.value.isIdle(at: now) }
                if limiters.count >= maxCallers { return window }
            }
            var limiter = limiters[address] ?? RateLimiter(limit: limit, per: window)
            defer { limiters[address] = limiter }
            return limiter.allow(at: now) ? nil : limiter.wait(at: now)
        }
    }
}

/// What the chat needs to know about a peer's address (as `IncomingRequest.remoteAddress` spells it).
enum CallerAddress {
    /// 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (a listener on `::` sees IPv4 peers so).
    static func isLoopback(_ address: String) -> Bool {
        let lowered = address.lowercased()
        let v4 = lowered.hasPrefix("::ffff:") ? String(lowered.dropFirst(7)) : lowered
        return v4.hasPrefix("127.") || lowered == "::1"
    }

    /// A `Host` header naming this machine by a loopback name. A web page that rebinds its own DNS
    /// name to 127.0.0.1 reaches us from loopback, but its requests still carry its name.
    static func isLoopbackHost(_ host: String?) -> Bool {
        guard let host = host?.lowercased(), !host.isEmpty else { return true }
        let name: Substring
        if host.hasPrefix("[") {
            guard let end = host.firstIndex(of: "]") else { return false }
            name = host[host.index(after: host.startIndex)..<end]
            return isLoopback(String(name))
        }
        name = host.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return name == "localhost" || name.hasSuffix(".localhost") || isLoopback(String(name))
    }
}
