import Dispatch
import Glibc
import HTTP1
import Reactor
import Synchronization

package struct HTTPServerOptions: Sendable {
    package var host: String = "127.0.0.1"
    /// 0 picks a free port; read `HTTPServer.port` after `start()`.
    package var port: Int = 3000
    /// Request line + headers; over it → 431.
    package var maxHeaderBytes: Int = 16 * 1024
    /// Request body; over it → 413.
    package var maxBodyBytes: Int = 1_000_000
    /// A WebSocket message (after reassembly); over it → close 1009.
    package var maxWebSocketMessageBytes: Int = 1_000_000
    /// Slow-consumer policy: a WebSocket whose unsent data passes this is dropped (close code 1008,
    /// `transport error` above), so one stalled reader cannot make the server hold unbounded memory.
    package var maxWebSocketBufferedBytes: Int = 16 * 1024 * 1024
    /// Slow-loris guard: the request head must arrive within this.
    package var headerTimeout: Duration = .seconds(10)
    /// A whole request (head + body) must arrive within this.
    package var requestTimeout: Duration = .seconds(30)
    /// An idle keep-alive connection is closed after this.
    package var keepAliveTimeout: Duration = .seconds(5)
    /// A connection being closed gets this long to take what is queued for it; a peer that reads
    /// nothing is then cut off (hard close), so it cannot keep its descriptor, memory and slot.
    package var closeTimeout: Duration = .seconds(30)
    /// Accepted connections beyond this are closed at once (503 when a request can be read cheaply).
    package var maxConnections: Int = 10_000
    /// Connections at once from one remote address; beyond it 503 and close. nil: no limit (crowds
    /// behind one NAT or proxy share an address; the benchmarks open 20,000 from 127.0.0.1).
    package var maxConnectionsPerAddress: Int? = nil
    /// Responses marked `compressible` are gzipped at or above this many bytes when accepted.
    package var compressionThreshold: Int = 1024
    /// RFC 7692, negotiated only when enabled (off by default, like Node).
    package var perMessageDeflate: Bool = false
    /// Adds a `Date` header to every response, as Node does.
    package var sendDateHeader: Bool = true

    package init() {}
}

/// HTTP/1.1 over the reactor: keep-alive, pipelining, WebSocket upgrade.
package final class HTTPServer: @unchecked Sendable {
    private let core: HTTPServerCore
    private let group: EventLoopGroup
    private let state = Mutex<(listener: TCPListener?, started: Bool, stopped: Bool)>((nil, false, false))

    package init(options: HTTPServerOptions, group: EventLoopGroup, handler: any HTTPRequestHandler) {
        self.group = group
        self.core = HTTPServerCore(options: options, handler: handler, group: group)
    }

    /// Binds and starts accepting. Throws a typed error naming the address when the bind fails.
    package func start() throws(HTTPServerError) {
        let alreadyStarted = state.withLock { s -> Bool in
            defer { s.started = true }
            return s.started
        }
        if alreadyStarted { throw .alreadyStarted }
        let core = self.core
        let listener: TCPListener
        do {
            listener = try TCPListener(host: core.options.host, port: core.options.port, group: group) { tcp in
                core.accepted(tcp)
            }
        } catch {
            state.withLock { $0.started = false }
            throw .cannotListen(host: core.options.host, port: core.options.port, reason: error)
        }
        state.withLock { $0.listener = listener }
        listener.start()
    }

    /// The bound port (valid after `start`).
    package var port: Int { state.withLock { $0.listener?.port } ?? core.options.port }

    /// Connections currently open (all loops).
    package var connectionCount: Int { core.connectionCount }

    /// Connections turned away so far, by limit.
    package var refusals: HTTPRefusalCounts { core.limits.refusals }

    /// Connections open now from `address` (counted only while `maxConnectionsPerAddress` is set).
    package func openConnections(from address: String) -> Int { core.limits.openConnections(from: address) }

    /// Stops accepting and closes every connection. Idempotent. Off the loops it returns once every
    /// connection is closed; on a loop thread it only starts the shutdown.
    package func stop() {
        let listener = state.withLock { s -> TCPListener? in
            guard !s.stopped else { return nil }
            s.stopped = true
            return s.listener
        }
        guard let listener else { return }
        listener.close()
        core.closeAll(wait: EventLoop.current == nil)
    }
}

/// What the server keeps per open connection, for shutdown and the connection count: the HTTP
/// connection, and after an upgrade its WebSocket in its place (the HTTP side is then released).
protocol ServerConnection: AnyObject {
    var loop: EventLoop { get }
    /// The peer's address, as the per-address limit counts it.
    var remoteAddress: String { get }
    /// Closes at once (server shutdown).
    func shutdown()
}

/// What every connection of one server shares.
///
/// Confinement: `registries[i]` is touched only on loop i; `connections` is atomic; `dateCache` is
/// behind a `Mutex`; the rest is immutable.
final class HTTPServerCore: @unchecked Sendable {
    let options: HTTPServerOptions
    let handler: any HTTPRequestHandler
    private let group: EventLoopGroup
    private let registries: [LoopRegistry]
    private let connections = Atomic<Int>(0)
    private let dateCache = Mutex<(second: Int, text: String)>((-1, ""))
    let webSocketLimits: WebSocketLimits
    let limits: ConnectionLimits

    /// Confined to its loop; Sendable only so the loop's own tasks can carry it there.
    final class LoopRegistry: @unchecked Sendable {
        var open: [ObjectIdentifier: any ServerConnection] = [:]
        var shuttingDown = false
    }

    init(options: HTTPServerOptions, handler: any HTTPRequestHandler, group: EventLoopGroup) {
        self.options = options
        self.handler = handler
        self.group = group
        self.registries = group.loops.map { _ in LoopRegistry() }
        self.limits = ConnectionLimits(perAddressLimit: options.maxConnectionsPerAddress)
        self.webSocketLimits = WebSocketLimits(maxBufferedBytes: options.maxWebSocketBufferedBytes,
                                               closeTimeout: options.closeTimeout)
    }

    var connectionCount: Int { connections.load(ordering: .relaxed) }

    /// On the connection's loop.
    func accepted(_ tcp: TCPConnection) {
        let registry = registries[tcp.loop.index]
        if registry.shuttingDown {
            tcp.close()
            return
        }
        let count = connections.wrappingAdd(1, ordering: .relaxed).newValue
        if count > options.maxConnections {
            connections.wrappingSubtract(1, ordering: .relaxed)
            limits.refusedAtConnectionLimit()
            return refuse(tcp, "the server is at its connection limit (\(options.maxConnections))")
        }
        if !limits.admit(tcp.remoteAddress) {
            connections.wrappingSubtract(1, ordering: .relaxed)
            return refuse(tcp, "too many connections from your address (limit \(options.maxConnectionsPerAddress ?? 0))")
        }
        let connection = HTTPConnection(tcp: tcp, server: self)
        registry.open[ObjectIdentifier(connection)] = connection
        connection.start()
    }

    /// 503 before reading anything: the client learns why instead of seeing a reset.
    private func refuse(_ tcp: TCPConnection, _ reason: String) {
        let body = Array("Service Unavailable: \(reason); retry later".utf8)
        tcp.write(HTTPResponseSerializer.serialize(status: 503, headers: [
            "Content-Type": "text/plain; charset=utf-8", "Connection": "close", "Retry-After": "1",
        ], body: body, date: dateHeader()))
        tcp.closeAfterFlush(deadline: options.closeTimeout)
    }

    /// On the old loop, when an upgraded connection moves to another loop (it still counts).
    func connectionLeft(_ connection: any ServerConnection) {
        registries[connection.loop.index].open.removeValue(forKey: ObjectIdentifier(connection))
    }

    /// On the new loop of a moved connection; false when that loop is shutting down.
    func connectionArrived(_ connection: any ServerConnection) -> Bool {
        let registry = registries[connection.loop.index]
        registry.open[ObjectIdentifier(connection)] = connection
        return !registry.shuttingDown
    }

    /// On the loop: an upgraded connection's WebSocket takes its HTTP connection's place.
    func connectionUpgraded(_ connection: any ServerConnection, to socket: any ServerConnection) {
        let registry = registries[connection.loop.index]
        registry.open.removeValue(forKey: ObjectIdentifier(connection))
        registry.open[ObjectIdentifier(socket)] = socket
    }

    /// On the connection's loop, once.
    func connectionClosed(_ connection: any ServerConnection) {
        if registries[connection.loop.index].open.removeValue(forKey: ObjectIdentifier(connection)) != nil {
            connections.wrappingSubtract(1, ordering: .relaxed)
            limits.release(connection.remoteAddress)
        }
    }

    func closeAll(wait: Bool) {
        let done = DispatchSemaphore(value: 0)
        for loop in group.loops {
            let registry = registries[loop.index]
            loop.execute {
                registry.shuttingDown = true
                for connection in Array(registry.open.values) { connection.shutdown() }
                done.signal()
            }
        }
        if wait {
            for _ in group.loops { done.wait() }
        }
    }

    /// The `Date` header value, formatted at most once per second.
    func dateHeader() -> String? {
        guard options.sendDateHeader else { return nil }
        let now = Int(time(nil))
        return dateCache.withLock { cache in
            if cache.second != now { cache = (now, HTTPDate.format(epochSeconds: now)) }
            return cache.text
        }
    }
}
