import Foundation
import Glibc
import Testing
import TestSupport
@testable import EngineIO

/// Clients that misbehave or vanish in every way we know leave nothing behind: no Engine.IO session
/// and no open connection (each connection holds one fd), measured on this server only so tests
/// running in parallel cannot blur the count.
@Test func badInputAndVanishingClientsLeaveNoSessionsAndNoConnections() throws {
    let server = try EchoEngine { $0.maxPayload = 1000 }     // sessions expire after 300 + 200 ms
    defer { server.stop() }
    let port = server.http.port
    let ws = "/engine.io/?EIO=4&transport=websocket"
    let rounds = 15

    for _ in 0..<rounds {
        // Malformed HTTP: answered, then closed by the server.
        for raw in ["GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\nHost: t\r\nX: " + String(repeating: "a", count: 20_000) + "\r\n\r\n"] {
            let socket = try BlockingSocket.connect(port: port)
            try socket.write(Array(raw.utf8))
            _ = socket.readToEnd()
            socket.close()
        }
        // WebSocket sessions: a protocol error, a bad Engine.IO packet, an oversized message, a vanishing client.
        for bad: [UInt8] in [[0x81, 0x01, 0x34], Array("9".utf8), Array(("4" + String(repeating: "a", count: 1000)).utf8)] {
            let client = try TestWebSocketClient(port: port, target: ws)
            _ = client.readFrame()
            if bad.first == 0x81 { client.send(bad) } else { client.sendFrame(.text, bad) }
            _ = client.readUntilClose()
        }
        do {
            let vanishing = try TestWebSocketClient(port: port, target: ws)
            _ = vanishing.readFrame()
        }
        // Polling sessions: one holds a poll and vanishes, one starts an upgrade and vanishes, one just stops.
        let held = try handshake(server.client).sid
        let socket = try BlockingSocket.connect(port: port)
        try socket.write(Array("GET /engine.io/?EIO=4&transport=polling&sid=\(held) HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
        socket.close()
        let upgrading = try handshake(server.client).sid
        do {
            let probe = try TestWebSocketClient(port: port, target: ws + "&sid=\(upgrading)")
            probe.sendText("2probe")
            _ = probe.readFrame()
        }
        _ = try handshake(server.client)
    }

    let deadline = Date().addingTimeInterval(5)
    while server.engine.clientsCount + server.http.connectionCount > 0, Date() < deadline {
        Thread.sleep(forTimeInterval: 0.05)
    }
    #expect(server.engine.clientsCount == 0)
    #expect(server.http.connectionCount == 0)
}

@Test func badInputFromOthersLeavesHealthySessionsUntouched() throws {
    let server = try EchoEngine { $0.maxPayload = 1000; $0.pingInterval = .seconds(10) }
    defer { server.stop() }
    let port = server.http.port
    let webSocket = try server.openWebSocket()
    let sid = try handshake(server.client).sid
    let polling = "/engine.io/?EIO=4&transport=polling&sid=\(sid)"

    for raw in ["GARBAGE\r\n\r\n", "POST \(polling) HTTP/1.1\r\nHost: t\r\nContent-Length: 5000000\r\n\r\n",
                "GET \(polling) HTTP/1.1\r\nHost: t\r\nX: \u{1}\r\n\r\n"] {
        let socket = try BlockingSocket.connect(port: port)
        try socket.write(Array(raw.utf8))
        _ = socket.readToEnd()
        socket.close()
    }
    for bad: [UInt8] in [[0x81, 0x01, 0x34], Array("9".utf8), [UInt8(ascii: "4"), 0xFF]] {
        let other = try TestWebSocketClient(port: port, target: "/engine.io/?EIO=4&transport=websocket")
        _ = other.readFrame()
        if bad.first == 0x81 { other.send(bad) } else { other.sendFrame(.text, bad) }
        _ = other.readUntilClose()
    }

    webSocket.sendText("4still fine")
    #expect(webSocket.readMessage()?.text == "4still fine")
    #expect(try server.client.post(polling, body: "4me too").status == 200)
    #expect(try server.client.get(polling).text == "4me too")
    #expect(server.engine.clientsCount == 2)
}
