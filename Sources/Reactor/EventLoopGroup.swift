import CEpoll
import Glibc
import Synchronization

/// A fixed set of event loops, one thread each (default: one per core).
package final class EventLoopGroup: @unchecked Sendable {
    package let loops: [EventLoop]
    private let cursor = Atomic<Int>(0)
    private let threads: Mutex<[pthread_t]?>

    /// Starts `loopCount` loop threads.
    package init(loopCount: Int) {
        let count = Swift.max(1, loopCount)
        var loops: [EventLoop] = []
        for i in 0..<count {
            do {
                loops.append(try EventLoop(index: i))
            } catch {
                // Without an epoll fd there is no server at all; say why instead of limping on.
                fatalError("EventLoopGroup: cannot create event loop \(i): \(error)")
            }
        }
        self.loops = loops
        var started: [pthread_t] = []
        for loop in loops {
            started.append(EventLoopGroup.startThread(name: "loop-\(loop.index)") { loop.run() })
        }
        threads = Mutex(started)
    }

    /// One loop per available core.
    package convenience init() {
        self.init(loopCount: Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
    }

    /// Round-robin choice for a new connection. Thread-safe.
    package func next() -> EventLoop {
        let n = cursor.wrappingAdd(1, ordering: .relaxed).oldValue
        return loops[(n % loops.count + loops.count) % loops.count]
    }

    /// Stops every loop after its queued tasks and joins the threads. Idempotent; not from a loop thread.
    package func shutdown() {
        precondition(EventLoop.current == nil, "EventLoopGroup.shutdown() would join its own thread: call it off the loops")
        guard let toJoin = threads.withLock({ threads -> [pthread_t]? in
            defer { threads = nil }
            return threads
        }) else { return }
        for loop in loops { loop.requestStop() }
        for thread in toJoin { pthread_join(thread, nil) }
    }

    deinit { shutdown() }

    private final class ThreadBody {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    private static func startThread(name: String, _ body: @escaping () -> Void) -> pthread_t {
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            let body = Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue()
            body.run()
            return nil
        }, context)
        guard rc == 0 else {
            fatalError("EventLoopGroup: pthread_create failed: \(ReactorError.errnoText(rc)); raise the thread limit or use fewer loops")
        }
        cepoll_set_thread_name(thread, String(name.prefix(15)))
        return thread
    }
}
