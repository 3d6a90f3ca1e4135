/// A request the server must refuse, with the status and a message for the client.
package enum HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Request line plus headers exceed the limit: 431.
    case headTooLarge(limit: Int)
    /// The body (declared or received) exceeds the limit: 413.
    case bodyTooLarge(limit: Int)
    /// Syntax the server will not guess about: 400.
    case malformed(String)
    /// A well-formed version other than HTTP/1.0 or HTTP/1.1: 505.
    case unsupportedVersion(String)
    /// A transfer coding other than `chunked`: 501.
    case unsupportedTransferEncoding(String)
    /// A method name that is not one of RFC 9110's (compared case-sensitively): 501.
    case unsupportedMethod(String)

    package var status: Int {
        switch self {
        case .headTooLarge: return 431
        case .bodyTooLarge: return 413
        case .malformed: return 400
        case .unsupportedVersion: return 505
        case .unsupportedTransferEncoding, .unsupportedMethod: return 501
        }
    }

    package var message: String {
        switch self {
        case .headTooLarge(let limit):
            return "Request header fields too large: the request line and headers must fit in \(limit) bytes"
        case .bodyTooLarge(let limit):
            return "Payload too large: the request body must not exceed \(limit) bytes"
        case .malformed(let reason):
            return "Bad request: \(reason)"
        case .unsupportedVersion(let version):
            return "HTTP version not supported: \(version); use HTTP/1.1 or HTTP/1.0"
        case .unsupportedTransferEncoding(let coding):
            return "Transfer-Encoding \"\(coding)\" is not supported; only chunked is"
        case .unsupportedMethod(let method):
            return "Not implemented: method \"\(method)\" is not supported (method names are case-sensitive:"
                + " GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH)"
        }
    }

    package var description: String { "\(status) \(message)" }
}
