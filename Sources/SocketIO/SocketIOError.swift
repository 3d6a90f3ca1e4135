import SocketIOParser

/// Every error the Socket.IO API reports to the application.
public enum SocketIOError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The client did not acknowledge within the `timeout(...)` given to the emit.
    case ackTimeout
    /// A broadcast's `timeout(...)` elapsed before every recipient answered; `responses` holds the answers
    /// that did arrive (the first argument of each).
    case broadcastAckTimeout(responses: [JSONValue])
    /// The socket disconnected (or was never connected) before the acknowledgement came back.
    case disconnected
    /// A volatile packet was dropped because the transport could not take it right now.
    case packetDropped
    /// A client sent arguments of the wrong shape for a typed handler or typed ack.
    case invalidPayload(event: String, reason: String)
    /// A value could not be encoded to JSON (e.g. a non-finite Double).
    case encodingFailed(String)
    /// The name is reserved by the protocol (`connect`, `disconnect`, ...) and cannot be emitted.
    case reservedEventName(String)
    /// A per-packet middleware (`socket.use`) rejected an incoming event.
    case middlewareRejected(event: String, message: String)
    /// `listen` could not start; `underlying` describes why (e.g. the port is taken).
    case listenFailed(String)
    /// The namespace pattern given to `of(matching:)` is not a valid regular expression.
    case invalidNamespacePattern(String)
    /// The client sent something the Socket.IO parser rejects; its connection then closes with
    /// `parse error` (every socket of that connection hears this first, as Node emits `error`).
    case invalidPacket(String)
    /// A cross-server operation could not be sent: the adapter has lost its connection to the other
    /// servers (e.g. Redis is down). Local sockets keep working.
    case clusterUnavailable(String)
    /// A cross-server request (`fetchSockets`, `allRooms`, `serverSideEmitWithAck`) did not get every
    /// server's answer in time; `responses` holds what did arrive.
    case clusterTimeout(operation: String, received: Int, expected: Int, responses: [JSONValue])

    public var description: String {
        switch self {
        case .ackTimeout: "operation has timed out (no acknowledgement from the client)"
        case .broadcastAckTimeout(let r): "operation has timed out (\(r.count) acknowledgement(s) received)"
        case .disconnected: "the socket is disconnected"
        case .packetDropped: "volatile packet dropped: the transport was not writable"
        case .invalidPayload(let e, let r): "invalid payload for event \"\(e)\": \(r)"
        case .encodingFailed(let r): "cannot encode value: \(r)"
        case .reservedEventName(let e): "\"\(e)\" is a reserved event name"
        case .middlewareRejected(let e, let m): "event \"\(e)\" rejected by middleware: \(m)"
        case .listenFailed(let r): "cannot listen: \(r)"
        case .invalidNamespacePattern(let p): "invalid namespace pattern: \(p)"
        case .invalidPacket(let r): "invalid packet from the client: \(r)"
        case .clusterUnavailable(let r): "the other servers cannot be reached: \(r)"
        case .clusterTimeout(let op, let got, let expected, _):
            "timeout reached while waiting for \(op) responses: only \(got) received out of \(expected)"
        }
    }
}

/// Thrown by a namespace middleware to refuse a connection: the client receives a CONNECT_ERROR
/// `{"message": message, "data": data}` and its `connect_error` handler fires.
public struct ConnectionRejected: Error, Sendable, Equatable {
    public var message: String
    public var data: JSONValue?
    public init(_ message: String, data: JSONValue? = nil) { self.message = message; self.data = data }
}

/// Why a socket left its namespace, with the exact strings the Node server uses.
public enum DisconnectReason: String, Sendable {
    case serverNamespaceDisconnect = "server namespace disconnect"
    case clientNamespaceDisconnect = "client namespace disconnect"
    case serverShuttingDown = "server shutting down"
    case pingTimeout = "ping timeout"
    case transportClose = "transport close"
    case transportError = "transport error"
    case parseError = "parse error"
    case forcedClose = "forced close"
}
