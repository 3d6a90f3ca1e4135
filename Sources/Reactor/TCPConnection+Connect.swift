import CEpoll
import Glibc

extension TCPConnection {
    /// Opens a client connection to `host:port` (an IP literal or `localhost`) without blocking the loop:
    /// the connect completes on EPOLLOUT. Loop thread only. `completion` runs once, on `loop`, with a
    /// connection already registered for reads, or the error.
    package static func connect(host: String, port: Int, on loop: EventLoop,
                                _ completion: @escaping (Result<TCPConnection, ReactorError>) -> Void) {
        let address: (storage: sockaddr_storage, length: socklen_t, family: Int32)
        do { address = try SocketAddress.make(host: host, port: port) } catch {
            return completion(.failure(error))
        }
        let fd = cepoll_socket(address.family)
        guard fd >= 0 else { return completion(.failure(.systemCall("socket", errno: cepoll_errno()))) }
        _ = cepoll_set_int_option(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        var storage = address.storage
        let rc = cepoll_connect(fd, &storage, address.length)
        let remote = "\(host):\(port)"
        if rc == 0 {
            return completion(Connector.adopt(fd: fd, loop: loop, remote: remote))
        }
        let e = cepoll_errno()
        guard e == EINPROGRESS || e == EINTR else {
            Glibc.close(fd)
            return completion(.failure(.systemCall("connect", errno: e)))
        }
        let connector = Connector(fd: fd, loop: loop, remote: remote, completion: completion)
        do {
            connector.token = try loop.register(fd: fd, events: CEPOLL_OUT, source: connector)
        } catch {
            Glibc.close(fd)
            completion(.failure(error))
        }
    }
}

/// Waits for one non-blocking connect; the loop's source table keeps it alive until then.
private final class Connector: EventSource {
    let fd: Int32
    let loop: EventLoop
    let remote: String
    var token: UInt64 = 0
    var completion: ((Result<TCPConnection, ReactorError>) -> Void)?

    init(fd: Int32, loop: EventLoop, remote: String,
         completion: @escaping (Result<TCPConnection, ReactorError>) -> Void) {
        self.fd = fd
        self.loop = loop
        self.remote = remote
        self.completion = completion
    }

    func handleEvents(_ events: UInt32) {
        guard let done = completion else { return }
        completion = nil
        // Hand the fd over to a TCPConnection, which registers it afresh with its own token.
        loop.deregister(fd: fd, token: token)
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
        if code != 0 || events & CEPOLL_ERR != 0 {
            Glibc.close(fd)
            return done(.failure(.systemCall("connect", errno: code == 0 ? ECONNREFUSED : code)))
        }
        done(Connector.adopt(fd: fd, loop: loop, remote: remote))
    }

    func loopDidStop() {
        guard completion != nil else { return }
        completion = nil
        Glibc.close(fd)
    }

    static func adopt(fd: Int32, loop: EventLoop, remote: String) -> Result<TCPConnection, ReactorError> {
        let connection = TCPConnection(fd: fd, loop: loop, remoteAddress: remote)
        guard connection.register() else { return .failure(.systemCall("epoll_ctl(ADD)", errno: cepoll_errno())) }
        return .success(connection)
    }
}
