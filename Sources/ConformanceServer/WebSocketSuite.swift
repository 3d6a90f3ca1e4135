// `conformance-server --websocket`: a Socket.IO server (`/socket.io/`, `message` → `message-back`)
// with a plain WebSocket endpoint at `/ws` on the same port, written against the public API, for
// Tests/Interop/test_websocket_endpoint.py (websocket-client, aiohttp) and the Chromium test.
//
// On `/ws`: binary messages come back as sent; text is echoed unless it is a command:
//   broadcast:<text>          every connection gets <text> (the sender too), framed once
//   broadcast-binary:<text>   every connection gets <text>'s UTF-8 as a binary message
//   close:<code>:<reason>     the server closes with that code and reason ("error:<why>" if refused)
//   ping:<payload>            the server pings; the pong comes back as text "pong:<payload>"
//   count                     "count:<open connections>"
// Every close prints `closed <code> <reason>` on stdout, so tests see what the server heard.
// `GET /` answers a blank HTML page: an origin for the browser's own `WebSocket`.
import Dispatch
import Foundation
import SocketIO

struct WebSocketSuiteArguments {
    var options = WebSocketOptions()
    var perMessageDeflate = false
    var maxConnectionsPerAddress: Int?
}

func runWebSocketSuite(port: Int, arguments: WebSocketSuiteArguments) -> [any DispatchSourceSignal] {
    var options = ServerOptions()
    options.pingInterval = .milliseconds(300)
    options.pingTimeout = .milliseconds(200)
    options.perMessageDeflate = arguments.perMessageDeflate
    options.maxConnectionsPerAddress = arguments.maxConnectionsPerAddress
    options.serveClient = false
    let io = SocketIOServer(options)
    io.onConnection { socket in
        socket.on("message") { args, _ in socket.emit("message-back", arguments: args) }
    }
    io.route("GET", "/") { _ in
        RouteResponse(headers: [("Content-Type", "text/html; charset=utf-8")],
                      body: Array("<!doctype html><title>websocket suite</title><p>ready</p>".utf8))
    }

    do {
        try io.webSocket("/ws", options: arguments.options) { ws in
            ws.onMessage { message in
                switch message {
                case .binary(let bytes): ws.send(binary: bytes)
                case .text(let text): runCommand(text, on: ws)
                }
            }
            ws.onPong { payload in ws.send(text: "pong:" + String(decoding: payload, as: UTF8.self)) }
            ws.onClose { code, reason in
                FileHandle.standardOutput.write(Data("closed \(code) \(reason)\n".utf8))
            }
        }
        announce(try io.listen(host: "127.0.0.1", port: port))
    } catch {
        fail("\(error)")
    }
    return onTermination { await io.close() }
}

private func runCommand(_ text: String, on ws: WebSocket) {
    let (command, argument) = text.firstIndex(of: ":").map { (String(text[..<$0]), String(text[text.index(after: $0)...])) }
        ?? (text, "")
    do {
        switch command {
        case "broadcast": ws.endpoint.broadcast(text: argument)
        case "broadcast-binary": ws.endpoint.broadcast(binary: Array(argument.utf8))
        case "count": ws.send(text: "count:\(ws.endpoint.connectionCount)")
        case "ping": try ws.ping(Array(argument.utf8))
        case "close":
            let parts = argument.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            try ws.close(code: UInt16(parts[0]) ?? 0, reason: parts.count > 1 ? String(parts[1]) : "")
        default: ws.send(text: text)
        }
    } catch {
        ws.send(text: "error:\(error)")
    }
}
