import Reactor

/// What one generator loop counted. Loop-confined while running; copied out for reporting.
struct LoopStats {
    /// Messages sent (fanout broadcasts requested, echo requests), whole run and measure window.
    var sent = 0
    var sentMeasured = 0
    /// Deliveries at the fanout receivers, or acks at the echo clients.
    var received = 0
    var receivedMeasured = 0
    /// The fanout sender's own copies (it is in the room too); they pace the window.
    var selfReceived = 0
    /// Ready connections that dropped later.
    var disconnects = 0
    /// Received messages whose payload carried no readable stamp.
    var malformed = 0
    var latency = LatencyHistogram()
    var connectLatency = LatencyHistogram()

    mutating func merge(_ other: LoopStats) {
        sent += other.sent
        sentMeasured += other.sentMeasured
        received += other.received
        receivedMeasured += other.receivedMeasured
        selfReceived += other.selfReceived
        disconnects += other.disconnects
        malformed += other.malformed
        latency.merge(other.latency)
        connectLatency.merge(other.connectLatency)
    }
}

/// The phase boundaries, monotonic ns. Written once by the runner before the load starts (the loops'
/// task queue orders that write before every read), read-only afterwards.
final class RunClock: @unchecked Sendable {
    var start: UInt64 = .max
    var warmupEnd: UInt64 = .max
    var measureEnd: UInt64 = .max

    @inline(__always) func inWindow(_ now: UInt64) -> Bool { now >= warmupEnd && now < measureEnd }
}
