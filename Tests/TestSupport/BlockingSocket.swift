import Glibc

/// A blocking TCP client for live tests: connect with a receive timeout, send-all, buffered reads, and
/// raw WebSocket frames in, so a test sees exactly what the server put on the wire.
///
/// Frames *out* (masked, through WebSocketCodec) stay with the test targets: this module depends on nothing.
public final class BlockingSocket: @unchecked Sendable {
    public enum Failure: Error, Equatable {
        /// `connect` failed with this errno.
        case connect(Int32)
        case send
        case timeout
    }

    /// One frame as it came off the wire.
    public struct Frame: Equatable, Sendable {
        public var fin: Bool
        /// RSV1: set on a permessage-deflate compressed message.
        public var rsv1: Bool
        public var opcode: UInt8
        public var payload: [UInt8]

        public init(fin: Bool = true, rsv1: Bool = false, opcode: UInt8, payload: [UInt8]) {
            self.fin = fin
            self.rsv1 = rsv1
            self.opcode = opcode
            self.payload = payload
        }

        public var text: String { String(decoding: payload, as: UTF8.self) }

        /// The close code of a close frame, nil for other frames or an empty close.
        public var closeCode: UInt16? {
            guard opcode == 8, payload.count >= 2 else { return nil }
            return UInt16(payload[0]) << 8 | UInt16(payload[1])
        }
    }

    private var fd: Int32
    private var buffer: [UInt8] = []
    /// Set (and left set) once a read ran into the receive timeout rather than the end of the connection.
    public private(set) var timedOut = false
    /// Whether the last read that came back empty-handed met EOF or a reset (rather than a timeout or another error).
    private var closedByPeer = false

    private init(fd: Int32) { self.fd = fd }

    deinit { close() }

    /// Connects to `host` (an IPv4 or IPv6 literal) with `timeoutSeconds` as the receive timeout, from
    /// `source` (an IPv4 literal such as 127.0.0.2: Linux routes all of 127/8 over loopback) if given.
    public static func connect(host: String = "127.0.0.1", port: Int, timeoutSeconds: Int = 5,
                               source: String? = nil) throws -> BlockingSocket {
        var storage = sockaddr_storage()
        func store<Address>(_ address: Address) -> Int {
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: address) { raw.copyMemory(from: $0) } }
            return MemoryLayout<Address>.size
        }
        let length: Int
        if host.contains(":") {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET6, host, &sin6.sin6_addr)
            length = store(sin6)
        } else {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, host, &sin.sin_addr)
            length = store(sin)
        }
        let fd = socket(Int32(storage.ss_family), Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, source, &local.sin_addr)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { let e = errno; Glibc.close(fd); throw Failure.connect(e) }
        }
        let rc = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(length)) }
        }
        guard rc == 0 else { let e = errno; Glibc.close(fd); throw Failure.connect(e) }
        return BlockingSocket(fd: fd)
    }

    /// Closes the connection now rather than when the socket is released; later calls do nothing.
    public func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    /// Sends all of `bytes`; false if the connection failed first.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// `send`, throwing `Failure.send` if the connection failed first.
    public func write(_ bytes: [UInt8]) throws {
        guard send(bytes) else { throw Failure.send }
    }

    /// The next `count` bytes, or nil on EOF, reset or timeout first.
    public func read(_ count: Int) -> [UInt8]? {
        while buffer.count < count { guard fill() else { return nil } }
        defer { buffer.removeFirst(count) }
        return Array(buffer[..<count])
    }

    /// The bytes before the next `delimiter`, which is consumed too; nil on EOF, reset or timeout first.
    public func readUntil(_ delimiter: [UInt8]) -> [UInt8]? {
        while true {
            if let range = buffer.firstRange(of: delimiter) {
                defer { buffer.removeSubrange(..<range.upperBound) }
                return Array(buffer[..<range.lowerBound])
            }
            guard fill() else { return nil }
        }
    }

    /// Everything until the connection ends, fails or times out (see `timedOut`).
    public func readToEnd() -> [UInt8] {
        while fill() {}
        defer { buffer.removeAll() }
        return buffer
    }

    /// True if the server closed the connection (EOF or reset) within the receive timeout; what arrives
    /// meanwhile is dropped.
    public func waitForClose() -> Bool {
        buffer.removeAll()
        while fill() { buffer.removeAll() }
        return closedByPeer
    }

    /// The next WebSocket frame, or nil on EOF, reset or timeout.
    public func readFrame() -> Frame? {
        guard let head = read(2) else { return nil }
        var length = Int(head[1] & 0x7F)
        if length == 126 {
            guard let b = read(2) else { return nil }
            length = Int(b[0]) << 8 | Int(b[1])
        } else if length == 127 {
            guard let b = read(8) else { return nil }
            length = b.reduce(0) { $0 << 8 | Int($1) }
        }
        guard let payload = read(length) else { return nil }
        return Frame(fin: head[0] & 0x80 != 0, rsv1: head[0] & 0x40 != 0, opcode: head[0] & 0x0F, payload: payload)
    }

    /// Reads more into the buffer; false on EOF, error or timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
        let error = n < 0 ? errno : 0
        guard n <= 0 else {
            buffer += chunk[..<n]
            return true
        }
        if error == EAGAIN || error == EWOULDBLOCK { timedOut = true }
        closedByPeer = n == 0 || error == ECONNRESET
        return false
    }
}
