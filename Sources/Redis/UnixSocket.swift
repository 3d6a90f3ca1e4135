import Glibc
import Reactor

/// Connects to Redis's unix socket (`unixsocket` in redis.conf). A local stream socket connects at
/// once or not at all (no EINPROGRESS), so this needs no wait for writability; the connected
/// descriptor is then an ordinary reactor connection.
enum UnixSocket {
    static func connect(path: String, on loop: EventLoop) -> Result<TCPConnection, HostResolver.Failure> {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else {
            return .failure(.init(message: "unix socket path must be 1 to \(capacity - 1) bytes long: \(path)"))
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(.init(message: "socket: \(ReactorError.errnoText(errno))")) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        guard rc == 0 else {
            let code = errno
            close(fd)
            return .failure(.init(message: "connect \(path): \(ReactorError.errnoText(code))"))
        }
        let connection = TCPConnection(fd: fd, loop: loop, remoteAddress: path)
        guard connection.register() else { return .failure(.init(message: "cannot watch \(path): \(ReactorError.errnoText(errno))")) }
        return .success(connection)
    }
}
