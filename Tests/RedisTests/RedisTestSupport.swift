import Foundation
import Reactor
import Redis
import RESP
import Synchronization

/// A value several threads append to; tests read snapshots.
final class Recorder<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])

    func append(_ item: Element) { items.withLock { $0.append(item) } }
    var all: [Element] { items.withLock { $0 } }
    var count: Int { items.withLock { $0.count } }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
func eventually(within timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// A configuration for a test server: short timeouts and backoff, state-change lines kept in `log`.
func testConfiguration(port: Int, log: Recorder<String>? = nil) -> RedisConfiguration {
    var configuration = RedisConfiguration()
    configuration.port = port
    configuration.commandTimeout = .seconds(5)
    configuration.connectTimeout = .seconds(2)
    configuration.reconnectBackoff = (.milliseconds(20), .milliseconds(200))
    configuration.log = { line in log?.append(line) }
    return configuration
}

extension RedisClient {
    /// Connects and waits until connected (or fails the test's expectation by returning false).
    func connectAndWait() async -> Bool {
        connect()
        return await eventually { state == .connected }
    }
}

extension RedisSubscriber {
    func connectAndWait() async -> Bool {
        connect()
        return await eventually { state == .connected }
    }
}

extension RedisClient {
    /// The result and how long it took, measured from the call to the completion on the loop, so a
    /// busy test thread pool (tests run in parallel) does not count.
    func timedSend(_ command: [String], timeout: Duration? = nil) async -> (Result<RESPValue, RedisError>, Duration) {
        await withCheckedContinuation { continuation in
            let clock = ContinuousClock()
            let started = clock.now
            send(command, timeout: timeout) { result in continuation.resume(returning: (result, clock.now - started)) }
        }
    }
}

let allBytes: [UInt8] = (0...255).map { UInt8($0) }
