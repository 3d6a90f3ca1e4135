import Foundation
import Testing
import SocketIO

// The README's plain WebSocket example, verbatim between the markers, so it keeps compiling and doing
// what it says.
// README-WEBSOCKET-EXAMPLE-BEGIN
/// A chat for `new WebSocket("ws://host:3000/chat")` clients, beside Socket.IO on the same port.
func addPlainChat(to io: SocketIOServer) throws -> WebSocketEndpoint {
    var options = WebSocketOptions()
    options.maxMessageBytes = 4096                              // a larger message closes with 1009
    options.heartbeat = WebSocketHeartbeat(interval: .seconds(20), timeout: .seconds(10))
    options.allowedOrigins = ["https://chat.example"]           // pages from other sites get 403

    return try io.webSocket("/chat", options: options) { ws in  // on the connection's loop
        ws.send(text: "welcome")
        ws.onMessage { message in
            guard case .text(let text) = message else {
                try? ws.close(code: 1003, reason: "text only")  // a code that cannot be sent throws
                return
            }
            ws.endpoint.broadcast(text: text, except: ws)       // framed once for every recipient
        }
        ws.onClose { code, _ in ws.endpoint.broadcast(text: "someone left (\(code))") }
    }
}
// Elsewhere, from any thread: chat.broadcast(text: "restarting soon"), chat.connections.count
// README-WEBSOCKET-EXAMPLE-END

@Suite(.serialized) struct WebSocketReadmeExampleTests {
    @Test func theExampleChats() async throws {
        let io = SocketIOServer()
        let chat = try addPlainChat(to: io)
        let port = try io.listen(host: "127.0.0.1", port: 0)
        do { try await chatThroughTheExample(chat, port) } catch {
            await io.close()
            throw error
        }
        await io.close()
    }

    private func chatThroughTheExample(_ chat: WebSocketEndpoint, _ port: Int) async throws {
        let ann = try PlainWebSocketClient(port: port, path: "/chat", headers: ["Origin: https://chat.example"])
        let bob = try PlainWebSocketClient(port: port, path: "/chat")
        let eve = try PlainWebSocketClient(port: port, path: "/chat", headers: ["Origin: https://evil.example"])
        #expect([ann.status, bob.status, eve.status] == [Int]([101, 101, 403]))
        try await eventually { chat.connectionCount == 2 }
        let seen = try await offPool {
            let welcomes = [ann.message()?.text, bob.message()?.text]
            ann.send(text: "hi Bob")
            let bobGot = bob.message()?.text
            bob.send(.binary, [1])
            let bobClosed = bob.readClose()
            bob.socket.close()  // the server closed first and waits for our FIN before `onClose`
            let annGot = ann.message()?.text  // not her own "hi Bob": the sender is excepted
            return (welcomes, bobGot, bobClosed?.code, bobClosed?.reason, annGot)
        }
        #expect(seen.0 == ["welcome", "welcome"])
        #expect(seen.1 == "hi Bob")
        #expect(seen.2 == 1003)
        #expect(seen.3 == "text only")
        #expect(seen.4 == "someone left (1003)")
    }

    @Test func readmeShowsTheExample() throws {
        let tests = URL(fileURLWithPath: #filePath)
        let root = tests.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOf: tests, encoding: .utf8)
        let example = source.components(separatedBy: "// README-WEBSOCKET-EXAMPLE-BEGIN\n")[1]
            .components(separatedBy: "// README-WEBSOCKET-EXAMPLE-END")[0]
        #expect(readme.contains("```swift\n" + example + "```"))
    }
}
