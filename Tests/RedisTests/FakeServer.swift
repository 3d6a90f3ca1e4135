import Foundation
import Glibc
import Synchronization

/// A loopback listener that accepts connections and reads what comes. It never answers on its own
/// (a Redis that hangs), or answers every read with fixed bytes (a peer that is not Redis), or
/// answers when the test calls `answer`. Counts the bytes it received.
final class FakeServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let received = Atomic<Int>(0)
    private let accepted = Mutex<[Int32]>([])

    /// `greeting` is written on accept, `answer` after every read.
    init(greeting: [UInt8] = [], answer: [UInt8] = []) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard ok, listen(listener, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in
            while true {
                let fd = accept(listener, nil, nil)
                guard fd >= 0 else { return }
                accepted.withLock { $0.append(fd) }
                if !greeting.isEmpty { _ = greeting.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
                Thread { [self] in
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    while true {
                        let n = read(fd, &buffer, buffer.count)
                        if n <= 0 { return }
                        received.add(n, ordering: .relaxed)
                        if !answer.isEmpty { _ = answer.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
                    }
                }.start()
            }
        }.start()
    }

    /// Writes `bytes` to every connection accepted so far.
    func answer(_ bytes: [UInt8]) {
        for fd in accepted.withLock({ $0 }) { _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
    }

    var connectionsAccepted: Int { accepted.withLock { $0.count } }

    var bytesReceived: Int { received.load(ordering: .relaxed) }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in accepted.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
    }
}
