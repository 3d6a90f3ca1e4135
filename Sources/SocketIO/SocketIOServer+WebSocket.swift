extension SocketIOServer {
    /// Serves plain WebSocket clients at `path` on this server's port:
    /// `try io.webSocket("/ws") { ws in ws.onMessage { ws.send(text: …) } }`. `handler` runs on the
    /// connection's loop before any of its messages is read. Register before `listen` or after.
    @discardableResult
    public func webSocket(_ path: String, options: WebSocketOptions = WebSocketOptions(),
                          _ handler: @escaping @Sendable (WebSocket) -> Void) throws(WebSocketError) -> WebSocketEndpoint {
        try webSocket(path, options: options) { socket, _ in handler(socket) }
    }

    /// The same, with the upgrade request (query, headers such as `Authorization`, address); it is
    /// not kept afterwards, so copy what the connection needs.
    @discardableResult
    public func webSocket(_ path: String, options: WebSocketOptions = WebSocketOptions(),
                          _ handler: @escaping @Sendable (WebSocket, IncomingRequest) -> Void) throws(WebSocketError) -> WebSocketEndpoint {
        guard path.hasPrefix("/") else { throw .invalidPath(path) }
        let engineRoot = self.options.path.hasSuffix("/") ? self.options.path : self.options.path + "/"
        if path + "/" == engineRoot || path.hasPrefix(engineRoot) { throw .pathInUse(path) }
        let endpoint = WebSocketEndpoint(path: path, options: options, serverOptions: self.options, onConnection: handler)
        guard router.add(endpoint) else { throw .pathInUse(path) }
        return endpoint
    }
}
