import Glibc

/// Failures of the reactor's system calls, each naming the call and the OS's reason.
package enum ReactorError: Error, Sendable, CustomStringConvertible {
    /// A system call failed where no caller-chosen address is involved (epoll, eventfd, threads).
    case systemCall(String, errno: Int32)
    /// `host` is not an IPv4/IPv6 literal (or `localhost`).
    case invalidAddress(host: String)
    /// Binding or listening failed, e.g. the port is taken or privileged.
    case bindFailed(host: String, port: Int, errno: Int32)
    case listenFailed(host: String, port: Int, errno: Int32)

    package var description: String {
        switch self {
        case .systemCall(let call, let code):
            return "\(call) failed: \(ReactorError.errnoText(code)); the process may be out of file descriptors or memory"
        case .invalidAddress(let host):
            return "cannot listen on host \"\(host)\": use an IPv4 or IPv6 literal such as 127.0.0.1, 0.0.0.0, ::1 or ::"
        case .bindFailed(let host, let port, let code):
            var hint = ""
            if code == EADDRINUSE { hint = "; another process is using the port: stop it or pick another port (0 picks a free one)" }
            if code == EACCES { hint = "; ports below 1024 need privileges: pick a port >= 1024" }
            if code == EADDRNOTAVAIL { hint = "; the address is not assigned to any interface of this machine" }
            return "cannot bind \(ReactorError.format(host: host, port: port)): \(ReactorError.errnoText(code))\(hint)"
        case .listenFailed(let host, let port, let code):
            return "cannot listen on \(ReactorError.format(host: host, port: port)): \(ReactorError.errnoText(code))"
        }
    }

    static func format(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    package static func errnoText(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}
