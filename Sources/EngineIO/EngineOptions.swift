// CONTRACT (EngineIO owner implements).
import HTTPServer

/// Engine.IO server options, with Node's defaults.
package struct EngineOptions: Sendable {
    package var path: String = "/socket.io/"
    package var pingInterval: Duration = .milliseconds(25_000)
    package var pingTimeout: Duration = .milliseconds(20_000)
    package var upgradeTimeout: Duration = .milliseconds(10_000)
    package var maxPayload: Int = 1_000_000
    package var transports: [EngineTransportName] = [.polling, .websocket]
    package var allowUpgrades: Bool = true
    package var cors: CORSOptions? = nil
    /// Decides whether a handshake may proceed; a rejection answers 403 with code 4 "Forbidden".
    package var allowRequest: (@Sendable (HTTPRequest) -> Bool)? = nil
    /// Handshakes one remote address may make per second; beyond it 429 (code 4). nil: no limit.
    package var maxHandshakesPerSecondPerAddress: Int? = nil
    /// Sessions open at once (polling sessions are not bounded by connections); beyond it 503 (code 4).
    package var maxSessions: Int = 100_000
    package init() {}
}

package enum EngineTransportName: String, Sendable { case polling, websocket }

package struct CORSOptions: Sendable {
    /// `["*"]` allows any origin (echoing it back when `credentials` is true).
    package var origins: [String]
    package var credentials: Bool = false
    package var methods: [String] = ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"]
    package var allowedHeaders: [String]? = nil
    package init(origins: [String], credentials: Bool = false) { self.origins = origins; self.credentials = credentials }
}

extension EngineOptions {
    /// HTTP limits that must agree with Engine.IO's: a POST body or WebSocket message may be as large as
    /// `maxPayload`, and no larger.
    package func apply(to http: inout HTTPServerOptions) {
        http.maxBodyBytes = Swift.max(http.maxBodyBytes, maxPayload)
        http.maxWebSocketMessageBytes = maxPayload
    }
}
