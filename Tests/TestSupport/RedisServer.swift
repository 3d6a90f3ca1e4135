import Foundation
import Glibc

/// A real `redis-server` for one test, on a free loopback port, with no persistence. Killed on `stop`
/// (or when released); `restart` brings it back on the same port.
package final class RedisServer: @unchecked Sendable {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "redis-server is not installed: run scripts/setup-redis (Debian package redis-server)"
        }
    }

    struct NotReady: Error, CustomStringConvertible {
        let port: Int
        var description: String { "redis-server did not accept connections on 127.0.0.1:\(port) within 10 s" }
    }

    /// `REDIS_SERVER` names the binary to use (and nothing else); otherwise it is looked up on PATH.
    package static let binary: String? = {
        if let chosen = ProcessInfo.processInfo.environment["REDIS_SERVER"] {
            return access(chosen, X_OK) == 0 ? chosen : nil
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").map { "\($0)/redis-server" } + ["/usr/bin/redis-server", "/usr/sbin/redis-server"]
        return candidates.first { access($0, X_OK) == 0 }
    }()

    /// In CI a missing server is a failure (the suites run and throw `Missing`); locally they are skipped.
    package static let shouldRun: Bool = {
        let ci = ProcessInfo.processInfo.environment["CI"] ?? ""
        return binary != nil || !(ci.isEmpty || ci == "false" || ci == "0")
    }()

    package let port: Int
    private let arguments: [String]
    private var process: Process?

    /// `arguments` are extra redis-server options (`--requirepass x`, `--user ...`).
    package init(_ arguments: [String] = []) async throws {
        port = try freePort()
        self.arguments = arguments
        try await start()
    }

    deinit { stop() }

    /// Waits without blocking a thread of the shared pool: tests run in parallel on few cores.
    package func start() async throws {
        guard let binary = Self.binary else { throw Missing() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--daemonize", "no", "--loglevel", "warning", "--dir", NSTemporaryDirectory()] + arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.process = process
        // Ready once it takes a connection and answers (PONG, or NOAUTH when a password is required).
        for _ in 0..<500 {
            if let socket = try? BlockingSocket.connect(port: port, timeoutSeconds: 2),
               socket.send("PING\r\n"), socket.readUntil([13, 10]) != nil {
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw NotReady(port: port)
    }

    /// SIGKILL: Redis vanishes as in a crash, connections reset.
    package func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    package func stop() { kill() }
}

/// A loopback port nobody listens on right now (bound, then released).
package func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard ok else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    return Int(UInt16(bigEndian: address.sin_port))
}
