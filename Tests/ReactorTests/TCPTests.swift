import Dispatch
import Foundation
import Glibc
import Synchronization
import Testing
@testable import Reactor

/// A blocking IPv4/IPv6 client socket for tests.
final class BlockingClient: @unchecked Sendable {
    let fd: Int32
    init(port: Int, host: String = "127.0.0.1") throws {
        let v6 = host.contains(":")
        fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc: Int32
        if v6 {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET6, host, &sin6.sin6_addr)
            rc = withUnsafePointer(to: &sin6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, host, &sin.sin_addr)
            rc = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        if rc != 0 { Glibc.close(fd); throw ReactorError.systemCall("connect", errno: errno) }
    }
    deinit { Glibc.close(fd) }
    func send(_ bytes: [UInt8]) {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            off += n
        }
    }
    /// Reads until `count` bytes arrived, EOF or timeout.
    func read(count: Int) -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while out.count < count {
            let n = buf.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, Swift.min($0.count, count - out.count), 0) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return out
    }
    /// Reads until EOF; nil on timeout.
    func readToEOF() -> [UInt8]? {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return out }
            if n < 0 { return errno == ECONNRESET ? out : nil }
            out += buf[0..<n]
        }
    }
}

@Suite struct TCPTests {
    @Test func echoWithLargeWritesAndGracefulClose() throws {
        let group = EventLoopGroup(loopCount: 2)
        defer { group.shutdown() }
        let remote = Mutex<String>("")
        let listener = try TCPListener(host: "127.0.0.1", port: 0, group: group) { connection in
            remote.withLock { $0 = connection.remoteAddress }
            connection.onRead = { chunk in
                if chunk.contains(UInt8(ascii: "!")) {
                    connection.closeAfterFlush()
                } else {
                    connection.write(Array(chunk))
                }
            }
        }
        listener.start()
        defer { listener.close() }
        #expect(listener.port > 0)
        let client = try BlockingClient(port: listener.port)
        let payload = (0..<3_000_000).map { UInt8(65 + $0 % 26) }
        // Write from another thread so the server's queue backs up and EPOLLOUT is exercised.
        let writer = Thread { client.send(payload) }
        writer.start()
        let echoed = client.read(count: payload.count)
        #expect(echoed == payload)
        client.send(Array("!".utf8))
        #expect(client.readToEOF() == [])
        #expect(remote.withLock { $0 } == "127.0.0.1")
    }

    @Test func ipv6LoopbackAndBindErrors() throws {
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let listener = try TCPListener(host: "::1", port: 0, group: group) { connection in
            connection.write(Array(connection.remoteAddress.utf8))
            connection.closeAfterFlush()
        }
        listener.start()
        defer { listener.close() }
        let client = try BlockingClient(port: listener.port, host: "::1")
        #expect(client.readToEOF().map { String(decoding: $0, as: UTF8.self) } == "::1")

        #expect(throws: ReactorError.self) { try TCPListener(host: "::1", port: listener.port, group: group) { _ in } }
        do {
            _ = try TCPListener(host: "not-an-ip", port: 0, group: group) { _ in }
            Issue.record("expected invalidAddress")
        } catch {
            #expect("\(error)".contains("not-an-ip"))
        }
        do {
            _ = try TCPListener(host: "::1", port: listener.port, group: group) { _ in }
        } catch {
            #expect("\(error)".contains("[::1]:\(listener.port)"))
            #expect("\(error)".contains("in use"))
        }
    }

    @Test func peerResetIsReportedOnceAndNeverCrashes() throws {
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let reasons = Mutex<[TCPCloseReason]>([])
        let closed = DispatchSemaphore(value: 0)
        let listener = try TCPListener(host: "127.0.0.1", port: 0, group: group) { connection in
            connection.onClose = { reason in reasons.withLock { $0.append(reason) }; closed.signal() }
            connection.onRead = { _ in
                // Keep writing into a socket the peer is about to reset.
                for _ in 0..<64 { connection.write([UInt8](repeating: 1, count: 65536)) }
            }
        }
        listener.start()
        defer { listener.close() }
        do {
            let client = try BlockingClient(port: listener.port)
            client.send([1])
            _ = client.read(count: 1000)
            var lingerOff = linger(l_onoff: 1, l_linger: 0)
            setsockopt(client.fd, SOL_SOCKET, SO_LINGER, &lingerOff, socklen_t(MemoryLayout<linger>.size))
        }
        #expect(closed.wait(timeout: .now() + 5) == .success)
        Thread.sleep(forTimeInterval: 0.05)
        #expect(reasons.withLock { $0.count } == 1)
    }
}

@Suite struct TCPShutdownTests {
    @Test func shuttingDownTheGroupClosesOpenConnections() throws {
        let group = EventLoopGroup(loopCount: 2)
        let accepted = DispatchSemaphore(value: 0)
        let closed = DispatchSemaphore(value: 0)
        let listener = try TCPListener(host: "127.0.0.1", port: 0, group: group) { connection in
            connection.onClose = { _ in closed.signal() }
            accepted.signal()
        }
        listener.start()
        let client = try BlockingClient(port: listener.port)
        #expect(accepted.wait(timeout: .now() + 5) == .success)
        group.shutdown()
        #expect(closed.wait(timeout: .now() + 1) == .success)
        #expect(client.readToEOF() == [])
    }
}
