// CONTRACT (transport helper implements; may add options, must keep these).
import Reactor

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
    /// Slow-loris guard: the request head must arrive within this.
    package var headerTimeout: Duration = .seconds(10)
    /// A whole request (head + body) must arrive within this.
    package var requestTimeout: Duration = .seconds(30)
    /// An idle keep-alive connection is closed after this.
    package var keepAliveTimeout: Duration = .seconds(5)
    /// Accepted connections beyond this are closed at once (503 when a request can be read cheaply).
    package var maxConnections: Int = 10_000
    /// Responses marked `compressible` are gzipped at or above this many bytes when accepted.
    package var compressionThreshold: Int = 1024
    /// RFC 7692, negotiated only when enabled (off by default, like Node).
    package var perMessageDeflate: Bool = false

    package init() {}
}

/// HTTP/1.1 over the reactor: keep-alive, pipelining, WebSocket upgrade.
package final class HTTPServer: @unchecked Sendable {
    package init(options: HTTPServerOptions, group: EventLoopGroup, handler: any HTTPRequestHandler) {
        fatalError("unimplemented")
    }

    /// Binds and starts accepting. Throws a typed error naming the address when the bind fails.
    package func start() throws { fatalError("unimplemented") }

    /// The bound port (valid after `start`).
    package var port: Int { fatalError("unimplemented") }

    /// Stops accepting and closes every connection. Idempotent.
    package func stop() { fatalError("unimplemented") }
}
