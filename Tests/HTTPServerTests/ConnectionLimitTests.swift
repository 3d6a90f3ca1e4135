import Foundation
import Testing
import TestSupport
@testable import HTTPServer

/// `maxConnectionsPerAddress`: one address holding its share cannot take the others' slots.
@Test func connectionsPerAddressAreLimitedAtTheLimitAndOnePastAndOtherAddressesAreNot() throws {
    let server = try LiveServer(configure: { $0.maxConnectionsPerAddress = 3 }) { request, responder in
        responder.send(text(200, "hello \(request.remoteAddress)"))
    }
    defer { server.stop() }
    // At the limit: three idle connections from 127.0.0.1, all served.
    var held: [BlockingSocket] = []
    for _ in 0..<3 {
        let socket = try BlockingSocket.connect(port: server.port, source: "127.0.0.1")
        socket.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(socket.readResponse()?.status == 200)
        held.append(socket)
    }
    #expect(server.server.openConnections(from: "127.0.0.1") == 3)
    // One past: 503 before anything is read, then closed; counted.
    let fourth = try BlockingSocket.connect(port: server.port, source: "127.0.0.1")
    let refused = fourth.readResponse()
    #expect(refused?.status == 503)
    #expect(refused?.headers["retry-after"] == "1")
    #expect(refused?.text.contains("too many connections from your address (limit 3)") == true)
    #expect(fourth.waitForClose())
    #expect(server.server.refusals == HTTPRefusalCounts(atConnectionLimit: 0, perAddressLimit: 1))

    // Another address is untouched.
    let other = try BlockingSocket.connect(port: server.port, source: "127.0.0.2")
    other.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(other.readResponse()?.text == "hello 127.0.0.2")

    // A slot given back is a slot free again.
    held.removeLast().close()
    let deadline = Date().addingTimeInterval(3)
    while server.server.openConnections(from: "127.0.0.1") > 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    let again = try BlockingSocket.connect(port: server.port, source: "127.0.0.1")
    again.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(again.readResponse()?.status == 200)
}

@Test func withoutAPerAddressLimitNothingIsCountedPerAddress() throws {
    let server = try LiveServer { _, responder in responder.send(text(200, "ok")) }
    defer { server.stop() }
    var sockets: [BlockingSocket] = []
    for _ in 0..<20 {
        let socket = try server.client()
        socket.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(socket.readResponse()?.status == 200)
        sockets.append(socket)
    }
    #expect(server.server.openConnections(from: "127.0.0.1") == 0)
    #expect(server.server.refusals == HTTPRefusalCounts())
}
