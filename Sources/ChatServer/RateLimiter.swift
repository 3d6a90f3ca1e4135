/// Allows `limit` events in any sliding `window`. Refused attempts are not recorded, so a client that
/// keeps trying is let through again as soon as its oldest accepted event leaves the window.
struct RateLimiter: Sendable {
    let limit: Int
    let window: Duration
    private var accepted: [ContinuousClock.Instant] = []

    init(limit: Int, per window: Duration) {
        self.limit = limit
        self.window = window
    }

    mutating func allow(at now: ContinuousClock.Instant = .now) -> Bool {
        accepted.removeAll { now - $0 >= window }
        guard accepted.count < limit else { return false }
        accepted.append(now)
        return true
    }

    /// How long until `allow` would accept again: zero when it would now.
    func wait(at now: ContinuousClock.Instant = .now) -> Duration {
        let current = accepted.filter { now - $0 < window }
        guard current.count >= limit, let oldest = current.first else { return .zero }
        return window - (now - oldest)
    }

    /// Nothing accepted within the window: forgetting this limiter changes nothing.
    func isIdle(at now: ContinuousClock.Instant = .now) -> Bool {
        accepted.allSatisfy { now - $0 >= window }
    }
}
