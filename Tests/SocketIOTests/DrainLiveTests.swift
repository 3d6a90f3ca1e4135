import Testing
import SocketIOParser
@testable import SocketIO

@Suite(.serialized) struct DrainLiveTests {
    @Test func probesAnswerAndCanBeTurnedOff() async throws {
        try await withServer({ _ in }, { _ in }) { _, port in
            try await expectStatus(port, "GET", "/healthz", 200)
            try await expectStatus(port, "GET", "/readyz", 200)
            try await expectStatus(port, "POST", "/readyz", 404)
        }
        try await withServer({ $0.healthPath = nil; $0.readinessPath = nil }, { _ in }) { _, port in
            try await expectStatus(port, "GET", "/healthz", 404)
            try await expectStatus(port, "GET", "/readyz", 404)
        }
    }

    @Test func drainRefusesHandshakesAndClosesTransportsSpreadOverTheWindow() async throws {
        let reasons = Recorder<String>()
        // Stamped on the server as each socket closes: a test task starved by a busy machine would
        // see them late and together.
        let closedAt = Recorder<ContinuousClock.Instant>()
        var options = ServerOptions()
        options.loops = 2
        options.pingInterval = .seconds(5)
        options.pingTimeout = .seconds(10)
        recovering(&options)
        let io = SocketIOServer(options)
        io.onConnection { socket in
            socket.onDisconnect { reason in
                closedAt.record(.now)
                reasons.record(reason.rawValue)
            }
        }
        let port = try io.listen(host: "127.0.0.1", port: 0)
        var clients: [TestClient] = []
        for _ in 0..<4 { clients.append(try await recoveringClient(port).0) }

        let window = Duration.milliseconds(1200)
        let start = ContinuousClock.now
        let drained = Task { await io.drain(over: window) }
        try await eventually("draining") { io.isDraining }
        try await expectStatus(port, "GET", "/readyz", 503)
        try await expectStatus(port, "GET", "/healthz", 200)
        let refused = try await status(port, method: "GET", target: "/socket.io/?EIO=4&transport=polling")
        #expect(refused == 503)
        #expect(io.engine.refusals.draining == 1)

        try await eventually("all closed") { clients.allSatisfy(\.isClosed) }
        let times = closedAt.all.map { $0 - start }.sorted()
        #expect(times.count == clients.count)
        // Closes at 1/8, 3/8, 5/8, 7/8 of the window: spread, none at once, all within it (plus slack).
        #expect(times.last! - times.first! >= .milliseconds(500))
        #expect(times.first! >= .milliseconds(50))
        #expect(times.last! <= window + .milliseconds(800))
        await drained.value
        #expect(reasons.all == Array(repeating: "server shutting down", count: 4))
        #expect(storeCounts(io).sessions == 4)  // every session persisted
        for client in clients {
            // A transport close, never a Socket.IO DISCONNECT (which stops clients from reconnecting).
            let disconnect = try? await client.next(timeout: .zero) { $0.type == .disconnect }
            #expect(disconnect == nil)
        }
    }
}

/// The status of one request, made off the cooperative pool.
func status(_ port: Int, method: String, target: String) async throws -> Int {
    try await offPool { try TinyHTTP.exchange(port: port, method: method, target: target).status }
}

func expectStatus(_ port: Int, _ method: String, _ target: String, _ expected: Int,
                  sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let got = try await status(port, method: method, target: target)
    #expect(got == expected, "\(method) \(target)", sourceLocation: sourceLocation)
}
