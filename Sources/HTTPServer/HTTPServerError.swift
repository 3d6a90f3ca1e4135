import Reactor

/// Why the server could not do what was asked, in terms a user can act on.
package enum HTTPServerError: Error, Sendable, CustomStringConvertible {
    /// Binding or listening failed; `reason` names the address and the OS error.
    case cannotListen(host: String, port: Int, reason: ReactorError)
    /// `start()` was called twice, or after `stop()`.
    case alreadyStarted

    package var description: String {
        switch self {
        case .cannotListen(_, _, let reason):
            return "HTTP server cannot start: \(reason)"
        case .alreadyStarted:
            return "HTTP server was already started; create a new HTTPServer to listen again"
        }
    }
}
