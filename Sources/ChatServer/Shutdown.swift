import Dispatch
import Foundation
import SocketIO
import Synchronization

/// Stops the server on SIGTERM or SIGINT: clients are told first, so the page can say why the
/// connection drops, then every connection closes and the process exits. Their reconnect attempts then
/// reach the next process, which can bind the port at once (the listener sets SO_REUSEADDR).
enum Shutdown {
    /// Time for `server shutting down` to reach polling clients, whose next GET collects it.
    static let noticeDelay: Duration = .milliseconds(300)
    /// Whoever stops us (the test harness, systemd) waits about 5 s before killing.
    static let deadline: DispatchTimeInterval = .seconds(4)

    /// Keep the returned sources alive for as long as the signals should be handled.
    /// With `drainSeconds` > 0 the server drains instead (`io.drain`): no notice, new sessions refused,
    /// connections closed one by one over that window, so pages reconnect to the other processes
    /// behind the balancer a few at a time.
    static func onSignals(_ io: SocketIOServer, drainSeconds: Int = 0) -> [any DispatchSourceSignal] {
        let started = OnceFlag()
        return [SIGTERM, SIGINT].map { number in
            // Dispatch takes the signal only once the default action (terminate at once) is off.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
            source.setEventHandler {
                guard started.set() else { return }
                log(drainSeconds > 0 ? "chat: draining over \(drainSeconds) s" : "chat: shutting down")
                DispatchQueue.global().asyncAfter(deadline: .now() + deadline + .seconds(drainSeconds)) {
                    log("chat: connections did not close in time; exiting anyway")
                    exit(1)
                }
                if drainSeconds > 0 {
                    Task {
                        await io.drain(over: .seconds(drainSeconds))
                        exit(0)
                    }
                    return
                }
                Task {
                    do { try io.emit("server shutting down", Empty()) } catch { log("chat: \(error)") }
                    try? await Task.sleep(for: noticeDelay)
                    await io.close()
                    exit(0)
                }
            }
            source.resume()
            return source
        }
    }
}

/// A second signal (an impatient Ctrl-C) must not start a second shutdown.
private final class OnceFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    /// True for the first caller only.
    func set() -> Bool { !flag.exchange(true, ordering: .relaxed) }
}
