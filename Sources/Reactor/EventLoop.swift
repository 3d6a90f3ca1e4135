// CONTRACT (transport helper implements): one thread, one epoll fd, an eventfd for wake-ups, timers.
/// Everything an event loop owns (connections, HTTP state, Engine.IO sessions) is touched only on its
/// thread. Other threads hand work over with `execute`.
package final class EventLoop: @unchecked Sendable {
    /// True when called on this loop's thread.
    package var inEventLoop: Bool { fatalError("unimplemented") }

    /// Runs `task` on the loop thread, in submission order. Callable from any thread, including the loop.
    package func execute(_ task: @escaping @Sendable () -> Void) { fatalError("unimplemented") }

    /// Loop thread only. Fires `body` on the loop after `delay` (late by at most a few ms).
    @discardableResult
    package func schedule(after delay: Duration, _ body: @escaping () -> Void) -> ScheduledTimer {
        fatalError("unimplemented")
    }

    /// Monotonic clock in nanoseconds, the one timers use.
    package func now() -> UInt64 { fatalError("unimplemented") }

    /// The loop whose thread is calling, if any.
    package static var current: EventLoop? { fatalError("unimplemented") }
}

/// Loop-confined handle to a pending timer.
package final class ScheduledTimer {
    /// Loop thread only. Cancelling a fired or cancelled timer does nothing.
    package func cancel() { fatalError("unimplemented") }
}
