import Deflate
import HTTP1
import Reactor
import WebSocketCodec

/// One HTTP/1.1 connection: parses requests, hands them out one at a time, writes the answers in order,
/// and enforces the timeouts. Confined to `tcp.loop`; every member is loop thread only. An upgrade
/// hands the TCP connection to a `WebSocketConnection`, and this object goes away.
final class HTTPConnection: ServerConnection {
    let tcp: TCPConnection
    let server: HTTPServerCore
    private var parser: HTTPRequestParser

    /// The request being answered; reading pauses until it is.
    private var current: InFlight?

    struct InFlight {
        let responder: HTTPResponder
        let method: String
        let keepAlive: Bool
        let acceptsGzip: Bool
        let isHTTP10: Bool
    }
    private var processing = false
    private var closing = false
    private var requestsStarted = 0
    private var headerTimer: ScheduledTimer?
    private var requestTimer: ScheduledTimer?
    private var idleTimer: ScheduledTimer?
    private var pendingUpgrade: (accept: String, offer: String?)?

    init(tcp: TCPConnection, server: HTTPServerCore) {
        self.tcp = tcp
        self.server = server
        self.parser = HTTPRequestParser(maxHeaderBytes: server.options.maxHeaderBytes,
                                        maxBodyBytes: server.options.maxBodyBytes)
    }

    var isClosed: Bool { tcp.isClosed || closing }
    var loop: EventLoop { tcp.loop }
    var remoteAddress: String { tcp.remoteAddress }

    func start() {
        tcp.onRead = { [unowned self] chunk in received(chunk) }
        tcp.onEndOfInput = { [unowned self] in peerEnded() }
        tcp.onClose = { [self] _ in closed() }
        armRequestTimers()
    }

    /// Closes at once (server shutdown).
    func shutdown() { tcp.close() }

    // MARK: input

    private func received(_ chunk: UnsafeRawBufferPointer) {
        if idleTimer != nil {
            idleTimer?.cancel()
            idleTimer = nil
            armRequestTimers()
        }
        parser.append(chunk)
        processBuffered()
    }

    private func peerEnded() {
        // A client that half-closes while its request is held has gone away (Node does the same).
        if current != nil {
            tcp.close()
        } else {
            closing = true
            tcp.closeAfterFlush(linger: false, deadline: server.options.closeTimeout)
        }
    }

    private func closed() {
        closing = true
        cancelTimers()
        if let current {
            self.current = nil
            current.responder.abort()
        }
        server.connectionClosed(self)
    }

    /// Dispatches buffered requests one at a time. Iterative, so a handler that answers synchronously
    /// on a pipelined connection does not grow the stack per request.
    private func processBuffered() {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        while current == nil, !closing {
            let message: HTTPRequestMessage?
            do {
                message = try parser.next()
            } catch {
                fail(error)
                return
            }
            guard let message else {
                if parser.takeContinueRequest() {
                    tcp.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                }
                if parser.isMidRequest {
                    if idleTimer != nil { idleTimer?.cancel(); idleTimer = nil }
                    armRequestTimers()
                    if parser.isReadingBody { headerTimer?.cancel(); headerTimer = nil }
                } else if requestsStarted > 0 {
                    armIdleTimer()
                }
                return
            }
            dispatch(message)
        }
    }

    private func dispatch(_ message: HTTPRequestMessage) {
        cancelTimers()
        requestsStarted += 1
        let decoded: (path: String, queryItems: [(name: String, value: String)])
        do {
            decoded = try HTTPTarget.parse(message.target)
        } catch {
            fail(error)
            return
        }
        var isUpgrade = false
        if message.headers.contains(name: "upgrade", token: "websocket") {
            let headers = message.headers
            switch WebSocketHandshake.validate(method: message.method, header: { headers[$0] }) {
            case .failure(let error):
                var extra = HTTPHeaders()
                if error.status == 426 { extra.add(name: "Sec-WebSocket-Version", value: "13") }
                failWith(status: error.status, message: error.message, extraHeaders: extra)
                return
            case .success(let accept):
                isUpgrade = true
                pendingUpgrade = (accept, headers["sec-websocket-extensions"])
            }
        }
        let request = HTTPRequest(method: message.method, target: message.target, path: decoded.path,
                                  queryItems: decoded.queryItems, headers: message.headers, body: message.body,
                                  remoteAddress: tcp.remoteAddress, isWebSocketUpgrade: isUpgrade)
        let responder = HTTPResponder(loop: tcp.loop, connection: self, isWebSocketUpgrade: isUpgrade)
        current = InFlight(responder: responder, method: message.method, keepAlive: message.keepAlive,
                           acceptsGzip: HTTPConnection.acceptsGzip(message.headers), isHTTP10: message.minorVersion == 0)
        tcp.pauseReading()
        server.handler.handle(request, responder: responder)
    }

    // MARK: output

    func complete(_ responder: HTTPResponder, with response: HTTPResponse) {
        guard let current, current.responder === responder, !tcp.isClosed else { return }
        self.current = nil
        pendingUpgrade = nil
        var response = response
        let options = server.options
        if response.compressible, current.acceptsGzip, response.body.count >= options.compressionThreshold,
           response.headers["content-encoding"] == nil {
            response.body = Gzip.compress(response.body)
            response.headers.replaceOrAdd(name: "Content-Encoding", value: "gzip")
            if !response.headers.contains(name: "vary", token: "accept-encoding") {
                response.headers.add(name: "Vary", value: "Accept-Encoding")
            }
            response.headers.remove(name: "content-length")
        }
        let keepAlive = current.keepAlive && !closing && !response.headers.contains(name: "connection", token: "close")
        if !keepAlive {
            response.headers.replaceOrAdd(name: "Connection", value: "close")
        } else if current.isHTTP10 {
            // HTTP/1.0 clients close unless told the connection stays open.
            response.headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        let bytes = HTTPResponseSerializer.serialize(status: response.status, headers: response.headers,
                                                     body: response.body, omitBody: current.method == "HEAD",
                                                     date: server.dateHeader())
        tcp.write(bytes)
        if !keepAlive {
            closing = true
            tcp.closeAfterFlush(deadline: server.options.closeTimeout)
            return
        }
        tcp.resumeReading()
        processBuffered()
    }

    private func fail(_ error: HTTPParseError) {
        failWith(status: error.status, message: error.message, extraHeaders: HTTPHeaders())
    }

    /// Answers a request the server refuses, then closes: after a framing error nothing that follows
    /// on the connection can be trusted.
    private func failWith(status: Int, message: String, extraHeaders: HTTPHeaders) {
        cancelTimers()
        closing = true
        var headers = extraHeaders
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Connection", value: "close")
        tcp.write(HTTPResponseSerializer.serialize(status: status, headers: headers, body: Array(message.utf8),
                                                   date: server.dateHeader()))
        tcp.closeAfterFlush(deadline: server.options.closeTimeout)
    }

    // MARK: WebSocket

    /// Answers 101 and turns the connection into a WebSocket; with `target` (another loop), the socket
    /// moves there once the 101 has left, so the session it serves on that loop reads and writes it
    /// without a hop per message.
    func upgrade(handler: any WebSocketHandler, extraHeaders: HTTPHeaders, onto target: EventLoop?,
                 settings: WebSocketSettings = WebSocketSettings(),
                 ready: (@Sendable (WebSocketConnection) -> Void)?) -> WebSocketConnection {
        let upgrade = pendingUpgrade
        pendingUpgrade = nil
        current = nil
        cancelTimers()
        var headers = HTTPHeaders()
        headers.add(name: "Upgrade", value: "websocket")
        headers.add(name: "Connection", value: "Upgrade")
        headers.add(name: "Sec-WebSocket-Accept", value: upgrade?.accept ?? "")
        var deflate: PerMessageDeflateParameters? = nil
        if server.options.perMessageDeflate, let offer = upgrade?.offer,
           let negotiated = PerMessageDeflateParameters.negotiate(offer: offer) {
            deflate = negotiated.parameters
            headers.add(name: "Sec-WebSocket-Extensions", value: negotiated.responseHeader)
        }
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        var head: [UInt8] = []
        HTTPResponseSerializer.appendHead(status: 101, headers: headers, contentLength: nil, date: nil, into: &head)
        tcp.write(head)
        // Frames the client sent right behind its upgrade request are already in the parser.
        let early = parser.takeRemainingBytes()
        if let target, target !== tcp.loop,
           let moved = move(to: target, handler: handler, deflate: deflate, settings: settings, early: early, ready: ready) {
            return moved
        }
        // The WebSocket takes the TCP connection's callbacks and this connection's place; nothing holds
        // this object afterwards (the caller's stack only), which saves its memory per idle socket.
        let socket = makeWebSocket(on: tcp, handler: handler, deflate: deflate, settings: settings)
        closing = true
        socket.takeOver(server: server)
        server.connectionUpgraded(self, to: socket)
        tcp.resumeReading()
        if let ready {
            // Staying here: what this socket delivers hops to `target` in order, behind `ready`.
            if let target, target !== tcp.loop { target.execute { ready(socket) } } else { ready(socket) }
        }
        // Delivered after the caller has its socket (and set itself up), never inside this call,
        // and always before anything read later.
        if !early.isEmpty { socket.queueEarlyInput(early) }
        return socket
    }

    /// Per-socket replacements of the server's WebSocket limits (nil: the server's).
    struct WebSocketSettings {
        var maxMessageBytes: Int?
        var limits: WebSocketLimits?
    }

    private func makeWebSocket(on tcp: TCPConnection, handler: any WebSocketHandler,
                               deflate: PerMessageDeflateParameters?, settings: WebSocketSettings) -> WebSocketConnection {
        WebSocketConnection(tcp: tcp, handler: handler,
                            maxMessageBytes: settings.maxMessageBytes ?? server.options.maxWebSocketMessageBytes,
                            deflate: deflate, limits: settings.limits ?? server.webSocketLimits)
    }

    /// Hands the descriptor to `target` (nil when the 101 could not leave at once: upgrade in place).
    /// The socket is built here; on `target`, `ready` gets it, then it is registered and starts reading.
    private func move(to target: EventLoop, handler: any WebSocketHandler, deflate: PerMessageDeflateParameters?,
                      settings: WebSocketSettings, early: [UInt8],
                      ready: (@Sendable (WebSocketConnection) -> Void)?) -> WebSocketConnection? {
        guard tcp.flushNow(), let fd = tcp.detach() else { return nil }
        closing = true
        server.connectionLeft(self)
        let movedTCP = TCPConnection(fd: fd, loop: target, remoteAddress: tcp.remoteAddress)
        let socket = makeWebSocket(on: movedTCP, handler: handler, deflate: deflate, settings: settings)
        let server = self.server
        target.execute {
            let accepting = server.connectionArrived(socket)
            // Before the first read: the handler's owner learns of the socket first.
            ready?(socket)
            guard movedTCP.register() else {
                socket.transportClosed()
                return server.connectionClosed(socket)
            }
            socket.takeOver(server: server)
            guard accepting else { return socket.shutdown() }
            if !early.isEmpty { socket.queueEarlyInput(early) }
        }
        return socket
    }

    // MARK: timers

    private func armRequestTimers() {
        let options = server.options
        if headerTimer == nil {
            headerTimer = tcp.loop.schedule(after: options.headerTimeout) { [weak self] in
                self?.headerTimer = nil
                self?.timedOut()
            }
        }
        if requestTimer == nil {
            requestTimer = tcp.loop.schedule(after: options.requestTimeout) { [weak self] in
                self?.requestTimer = nil
                self?.timedOut()
            }
        }
    }

    private func armIdleTimer() {
        guard idleTimer == nil else { return }
        headerTimer?.cancel(); headerTimer = nil
        requestTimer?.cancel(); requestTimer = nil
        idleTimer = tcp.loop.schedule(after: server.options.keepAliveTimeout) { [weak self] in
            self?.idleTimer = nil
            self?.timedOut()
        }
    }

    private func cancelTimers() {
        headerTimer?.cancel(); headerTimer = nil
        requestTimer?.cancel(); requestTimer = nil
        idleTimer?.cancel(); idleTimer = nil
    }

    private func timedOut() {
        guard current == nil, !closing else { return }
        cancelTimers()
        tcp.close()
    }

    // MARK: helpers

    /// Whether `Accept-Encoding` allows gzip (listed, or `*`, without `q=0`).
    static func acceptsGzip(_ headers: HTTPHeaders) -> Bool {
        for value in headers.values(for: "accept-encoding") {
            for item in value.split(separator: ",") {
                let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: " \t") }
                guard let coding = parts.first?.lowercased(), coding == "gzip" || coding == "*" else { continue }
                let zero = parts.dropFirst().contains { param in
                    let p = String(param.lowercased().filter { $0 != " " })
                    return p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000"
                }
                if !zero { return true }
            }
        }
        return false
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
