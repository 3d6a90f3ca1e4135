// CONTRACT (transport helper implements).
/// A fixed set of event loops, one thread each (default: one per core).
package final class EventLoopGroup: @unchecked Sendable {
    package let loops: [EventLoop]

    /// Starts `loopCount` loop threads.
    package init(loopCount: Int) { fatalError("unimplemented") }

    /// Round-robin choice for a new connection. Thread-safe.
    package func next() -> EventLoop { fatalError("unimplemented") }

    /// Stops every loop after its queued tasks and joins the threads. Idempotent; not from a loop thread.
    package func shutdown() { fatalError("unimplemented") }
}
