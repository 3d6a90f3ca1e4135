import Foundation
import Synchronization
import Testing
import TestSupport
import HTTP1
import Deflate
@testable import HTTPServer
@testable import Reactor

@Suite struct HTTPServerTests {
    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        let server = try LiveServer { request, responder in
            let q = request.query("q") ?? "-"
            responder.send(text(200, "\(request.method) \(request.path) q=\(q) from \(request.remoteAddress) body=\(request.body.count)"))
        }
        defer { server.stop() }
        let client = try server.client()
        client.send("GET /a%20b?q=x+y HTTP/1.1\r\nHost: t\r\n\r\n")
        let first = client.readResponse()
        #expect(first?.status == 200)
        #expect(first?.text == "GET /a b q=x y from 127.0.0.1 body=0")
        #expect(first?.headers["date"] != nil)
        #expect(first?.headers["connection"] == nil)
        client.send("POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc")
        #expect(client.readResponse()?.text == "POST /p q=- from 127.0.0.1 body=3")
        client.send("GET /last HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        let last = client.readResponse()
        #expect(last?.headers["connection"] == "close")
        #expect(client.waitForClose())
    }

    @Test func http10ClosesUnlessKeepAlive() throws {
        let server = try LiveServer { _, responder in responder.send(text(200, "ok")) }
        defer { server.stop() }
        let a = try server.client()
        a.send("GET / HTTP/1.0\r\n\r\n")
        #expect(a.readResponse()?.status == 200)
        #expect(a.waitForClose())
        let b = try server.client()
        b.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(b.readResponse()?.headers["connection"] == "keep-alive")
        b.send("HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let head = b.readResponse(headRequest: true)
        #expect(head?.headers["content-length"] == "2")
    }

    @Test func pipelinedRequestsAreAnsweredInOrderEvenWhenTheFirstIsSlow() throws {
        let server = try LiveServer { request, responder in
            if request.path == "/slow" {
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.15) { responder.send(text(200, "slow")) }
            } else {
                responder.send(text(200, String(request.path.dropFirst())))
            }
        }
        defer { server.stop() }
        let client = try server.client()
        client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /two HTTP/1.1\r\nHost: t\r\n\r\nGET /three HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.readResponse()?.text == "slow")
        #expect(client.readResponse()?.text == "two")
        #expect(client.readResponse()?.text == "three")
    }

    @Test func aHeldResponseBlocksOnlyItsOwnConnection() throws {
        let held = Mutex<HTTPResponder?>(nil)
        let server = try LiveServer(loops: 1) { request, responder in
            if request.path == "/hold" {
                held.withLock { $0 = responder }
            } else {
                responder.send(text(200, "quick"))
            }
        }
        defer { server.stop() }
        let poller = try server.client()
        poller.send("GET /hold HTTP/1.1\r\nHost: t\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.05)
        let other = try server.client()
        other.send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(other.readResponse()?.text == "quick")
        // Answer from a foreign thread; a second send is ignored.
        let responder = held.withLock { $0 }
        responder?.send(text(200, "released"))
        responder?.send(text(500, "ignored"))
        #expect(poller.readResponse()?.text == "released")
        poller.send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(poller.readResponse()?.text == "quick")
    }

    @Test func abortRunsWhenTheClientLeavesAHeldRequest() throws {
        let aborted = DispatchSemaphore(value: 0)
        let server = try LiveServer { _, responder in
            responder.onAbort { aborted.signal() }
        }
        defer { server.stop() }
        do {
            let client = try server.client()
            client.send("GET /hold HTTP/1.1\r\nHost: t\r\n\r\n")
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(aborted.wait(timeout: .now() + 3) == .success)
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: t\r\nX: " + String(repeating: "a", count: 3000) + "\r\n\r\n", 431),
        ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n", 413),
        ("GET /%zz HTTP/1.1\r\nHost: t\r\n\r\n", 400),
        ("GET / HTTP/3.0\r\nHost: t\r\n\r\n", 505),
    ])
    func parseErrorsAreAnsweredThenClosed(_ request: String, _ status: Int) throws {
        let server = try LiveServer(configure: { $0.maxHeaderBytes = 2048; $0.maxBodyBytes = 4096 }) { _, responder in
            responder.send(text(200, "should not happen"))
        }
        defer { server.stop() }
        let client = try server.client()
        client.send(request)
        let response = client.readResponse()
        #expect(response?.status == status)
        #expect(response?.headers["content-type"]?.hasPrefix("text/plain") == true)
        #expect(response?.text.isEmpty == false)
        #expect(client.waitForClose())
    }

    @Test func slowLorisIsCutOffByTheHeaderTimeout() throws {
        let server = try LiveServer(configure: { $0.headerTimeout = .milliseconds(200) }) { _, responder in
            responder.send(text(200, "ok"))
        }
        defer { server.stop() }
        let client = try server.client()
        let start = Date()
        client.send("GET / HTTP/1.1\r\nHost: t\r\n")
        Thread.sleep(forTimeInterval: 0.1)
        client.send("X-A: 1\r\n")
        #expect(client.waitForClose())
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed >= 0.18 && elapsed < 2)
        // A silent connection is cut off too.
        let silent = try server.client()
        #expect(silent.waitForClose())
    }

    /// Half-open: the head arrived in time but the body never completes.
    @Test func aRequestWhoseBodyNeverCompletesIsCutOffByTheRequestTimeout() throws {
        let server = try LiveServer(configure: { $0.requestTimeout = .milliseconds(300) }) { _, responder in
            responder.send(text(200, "should not happen"))
        }
        defer { server.stop() }
        let client = try server.client()
        let start = Date()
        client.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly part of it")
        Thread.sleep(forTimeInterval: 0.1)
        client.send("...and a bit more")
        #expect(client.readResponse() == nil)
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed >= 0.28 && elapsed < 2, "closed after \(elapsed) s")
    }

    @Test func idleKeepAliveConnectionsAreClosed() throws {
        let server = try LiveServer(configure: { $0.keepAliveTimeout = .milliseconds(150) }) { _, responder in
            responder.send(text(200, "ok"))
        }
        defer { server.stop() }
        let client = try server.client()
        client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.readResponse()?.status == 200)
        let start = Date()
        #expect(client.waitForClose())
        #expect(Date().timeIntervalSince(start) < 2)
    }

    @Test func connectionsOverTheLimitGet503() throws {
        let server = try LiveServer(configure: { $0.maxConnections = 2 }) { _, responder in
            responder.send(text(200, "ok"))
        }
        defer { server.stop() }
        let a = try server.client(), b = try server.client()
        a.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        b.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(a.readResponse()?.status == 200)
        #expect(b.readResponse()?.status == 200)
        let c = try server.client()
        c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(c.readResponse()?.status == 503)
        #expect(c.waitForClose())
    }

    @Test func compressibleResponsesAreGzippedWhenAccepted() throws {
        let big = String(repeating: "hello gzip ", count: 500)
        let server = try LiveServer { request, responder in
            var response = text(200, request.path == "/small" ? "tiny" : big)
            response.compressible = request.path != "/plain"
            responder.send(response)
        }
        defer { server.stop() }
        let client = try server.client()
        client.send("GET /big HTTP/1.1\r\nHost: t\r\nAccept-Encoding: deflate, gzip\r\n\r\n")
        let zipped = client.readResponse()
        #expect(zipped?.headers["content-encoding"] == "gzip")
        #expect(zipped?.headers["vary"] == "Accept-Encoding")
        #expect((zipped?.body.count ?? 0) < big.utf8.count / 4)
        #expect(zipped.flatMap { Gzip.decompress($0.body, maxOutput: 1 << 20) } == Array(big.utf8))
        client.send("GET /small HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n")
        #expect(client.readResponse()?.headers["content-encoding"] == nil)
        client.send("GET /big HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip;q=0\r\n\r\n")
        #expect(client.readResponse()?.headers["content-encoding"] == nil)
        client.send("GET /plain HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n")
        #expect(client.readResponse()?.text == big)
    }

    @Test func expectContinueGets100First() throws {
        let server = try LiveServer { request, responder in responder.send(text(200, "got \(request.body.count)")) }
        defer { server.stop() }
        let client = try server.client()
        client.send("POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        #expect(client.readResponse()?.status == 100)
        client.send("data")
        #expect(client.readResponse()?.text == "got 4")
    }

    @Test func noFileDescriptorLeakOver200Connections() throws {
        let server = try LiveServer { _, responder in responder.send(text(200, "ok")) }
        defer { server.stop() }
        // Warm up so lazily created descriptors (loops, caches) are counted in the baseline.
        do { let c = try server.client(); c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n"); _ = c.readResponse() }
        Thread.sleep(forTimeInterval: 0.1)
        for i in 0..<200 {
            let c = try server.client()
            if i % 2 == 0 {
                c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                _ = c.readResponse()
            }
        }
        // Only the listener is left once the server has seen every client go.
        // (A connection's descriptor closes just before the count drops: wait for both.)
        var after = socketDescriptors(onLocalPort: server.port)
        for _ in 0..<50 where after > 1 || server.server.connectionCount > 0 {
            Thread.sleep(forTimeInterval: 0.05)
            after = socketDescriptors(onLocalPort: server.port)
        }
        #expect(after == 1, "server sockets left: \(after)")
        #expect(server.server.connectionCount == 0)
    }

    @Test func bindFailureNamesTheAddress() throws {
        let first = try LiveServer { _, responder in responder.send(text(200, "ok")) }
        defer { first.stop() }
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        var options = HTTPServerOptions()
        options.port = first.port
        let second = HTTPServer(options: options, group: group, handler: ClosureHandler { _, _ in })
        do {
            try second.start()
            Issue.record("second bind succeeded")
        } catch {
            #expect("\(error)".contains("127.0.0.1:\(first.port)"))
        }
    }
}
