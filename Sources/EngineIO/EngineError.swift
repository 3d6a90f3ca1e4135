import HTTP1
import HTTPServer

/// Request errors with Node engine.io's codes and messages, so clients and tools see the same answers.
package enum EngineError: Int, Error, Sendable {
    case unknownTransport = 0
    case unknownSessionID = 1
    case badHandshakeMethod = 2
    case badRequest = 3
    case forbidden = 4
    case unsupportedProtocolVersion = 5

    package var message: String {
        switch self {
        case .unknownTransport: "Transport unknown"
        case .unknownSessionID: "Session ID unknown"
        case .badHandshakeMethod: "Bad handshake method"
        case .badRequest: "Bad request"
        case .forbidden: "Forbidden"
        case .unsupportedProtocolVersion: "Unsupported protocol version"
        }
    }

    /// 403 for a rejected `allowRequest`, 400 otherwise, as Node answers.
    package var status: Int { self == .forbidden ? 403 : 400 }

    /// The JSON body `{"code":N,"message":"..."}` for a polling request.
    package func response(extraHeaders: HTTPHeaders) -> HTTPResponse {
        var headers = extraHeaders
        headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        let body = "{\"code\":\(rawValue),\"message\":\"\(message)\"}"
        return HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
    }

    /// A refused WebSocket upgrade: Node answers 400 with the bare message and closes.
    package func upgradeResponse() -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/html")
        headers.add(name: "Connection", value: "close")
        return HTTPResponse(status: 400, headers: headers, body: Array(message.utf8))
    }
}
