import CEpoll
import Dispatch
import Glibc

/// A listening TCP socket. It accepts on one loop and hands every accepted socket to the group's next
/// loop, where the connection then lives for good.
///
/// Confinement: `token`, `paused`, `resumeTimer` and `closed` belong to `acceptLoop`'s thread; `port`
/// and `fd` are immutable after init.
package final class TCPListener: @unchecked Sendable, EventSource {
    package let host: String
    /// The bound port (the kernel's choice when 0 was asked for).
    package let port: Int
    package let group: EventLoopGroup
    /// The loop that runs `accept4`.
    package let acceptLoop: EventLoop
    private let fd: Int32
    private let onAccept: @Sendable (TCPConnection) -> Void
    private var token: UInt64 = 0
    private var paused = false
    private var resumeTimer: ScheduledTimer?
    private var closed = false

    /// Binds and listens at once (so the port is known and errors surface here) but accepts only
    /// after `start()`. `onAccept` runs on the connection's own loop, before any of its events.
    package init(host: String, port: Int, group: EventLoopGroup, backlog: Int32 = 1024,
                 onAccept: @escaping @Sendable (TCPConnection) -> Void) throws(ReactorError) {
        let address = try SocketAddress.make(host: host, port: port)
        let fd = cepoll_socket(address.family)
        guard fd >= 0 else { throw .systemCall("socket", errno: cepoll_errno()) }
        _ = cepoll_set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        if address.family == AF_INET6 {
            // "::" serves IPv4 clients too, as Node does; "::1" is IPv6-only either way.
            _ = cepoll_set_int_option(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 0)
        }
        var storage = address.storage
        let bound = withUnsafePointer(to: &storage) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, address.length) }
        }
        guard bound == 0 else {
            let e = cepoll_errno()
            Glibc.close(fd)
            throw .bindFailed(host: host, port: port, errno: e)
        }
        guard listen(fd, backlog) == 0 else {
            let e = cepoll_errno()
            Glibc.close(fd)
            throw .listenFailed(host: host, port: port, errno: e)
        }
        self.host = host
        self.fd = fd
        self.port = SocketAddress.boundPort(fd: fd) ?? port
        self.group = group
        self.acceptLoop = group.loops[0]
        self.onAccept = onAccept
    }

    /// Starts accepting. Callable from any thread.
    package func start() {
        acceptLoop.execute { [self] in
            guard !closed else { return }
            do {
                token = try acceptLoop.register(fd: fd, events: CEPOLL_IN, source: self)
            } catch {
                // Registration of a fresh fd fails only when the kernel is out of memory.
                closed = true
                Glibc.close(fd)
            }
        }
    }

    /// Stops accepting and closes the socket. Callable from any thread; off the loops it returns once
    /// the socket is closed, so the port is free again.
    package func close() {
        let done = DispatchSemaphore(value: 0)
        let wait = EventLoop.current == nil
        acceptLoop.execute { [self] in
            if !closed {
                closed = true
                resumeTimer?.cancel()
                resumeTimer = nil
                if token != 0 { acceptLoop.deregister(fd: fd, token: token) }
                Glibc.close(fd)
            }
            done.signal()
        }
        if wait { done.wait() }
    }

    func handleEvents(_ events: UInt32) {
        // Bounded so a connection storm cannot starve the loop's other sockets.
        for _ in 0..<128 {
            guard !closed, !paused else { return }
            var peer = sockaddr_storage()
            let client = cepoll_accept(fd, &peer)
            if client >= 0 {
                dispatch(client: client, remoteAddress: SocketAddress.ipString(peer))
                continue
            }
            switch cepoll_errno() {
            case EAGAIN, EWOULDBLOCK:
                return
            case EINTR, ECONNABORTED, EPROTO, EPERM:
                continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                // Out of descriptors or memory: the pending connection stays in the backlog and the fd
                // stays readable, so keep retrying only after a pause instead of spinning.
                pauseAccepting()
                return
            default:
                pauseAccepting()
                return
            }
        }
    }

    func loopDidStop() {
        guard !closed else { return }
        closed = true
        resumeTimer = nil
        acceptLoop.deregister(fd: fd, token: token)
        Glibc.close(fd)
    }

    private func pauseAccepting() {
        paused = true
        acceptLoop.modify(fd: fd, token: token, events: 0)
        resumeTimer = acceptLoop.schedule(after: .milliseconds(100)) { [self] in
            resumeTimer = nil
            guard !closed else { return }
            paused = false
            acceptLoop.modify(fd: fd, token: token, events: CEPOLL_IN)
        }
    }

    private func dispatch(client: Int32, remoteAddress: String) {
        _ = cepoll_set_int_option(client, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        let target = group.next()
        let onAccept = self.onAccept
        if target === acceptLoop {
            TCPListener.adopt(fd: client, loop: target, remoteAddress: remoteAddress, onAccept: onAccept)
        } else {
            target.execute {
                TCPListener.adopt(fd: client, loop: target, remoteAddress: remoteAddress, onAccept: onAccept)
            }
        }
    }

    private static func adopt(fd: Int32, loop: EventLoop, remoteAddress: String,
                              onAccept: @Sendable (TCPConnection) -> Void) {
        let connection = TCPConnection(fd: fd, loop: loop, remoteAddress: remoteAddress)
        guard connection.register() else { return }
        onAccept(connection)
    }
}
