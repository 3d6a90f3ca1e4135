import Foundation
import Testing
import SocketIO
import SocketIOParser

// The README's example, verbatim between the markers, so the documented API keeps compiling.
// README-EXAMPLE-BEGIN
struct RoomMessage: Codable, Sendable {
    var room: String
    var text: String
}

func makeChatServer() -> SocketIOServer {
    var options = ServerOptions()                 // Node's defaults: path /socket.io/, ping 25 s / 20 s
    options.cors = .anyOrigin
    let io = SocketIOServer(options)

    io.use { socket in                            // connection middleware: a throw becomes connect_error
        guard let name = socket.handshake.auth["name"]?.stringValue, !name.isEmpty else {
            throw ConnectionRejected("a name is required", data: ["field": "name"])
        }
        socket.data = ["name": .string(name)]
    }

    io.onConnection { socket in
        socket.join("lobby")
        socket.broadcast.emit("joined", socket.data["name"] ?? nil)     // everyone but the newcomer

        socket.on("join") { args, ack in                                // an ack callback from the client
            guard let room = args.first?.stringValue else { return }
            socket.join(room)
            ack?(.array(socket.rooms.sorted().map { .string($0) }))
        }
        socket.on("chat") { (message: RoomMessage) in                   // Codable payloads
            try? socket.to(message.room).emit("chat", message)          // the room, except the sender
        }
        socket.onDisconnect { reason in
            io.emit("left", socket.data["name"] ?? nil, .string(reason.rawValue))
        }
    }
    return io
}

// Elsewhere, from any thread or task (an HTTP route, a timer):
func pollEveryone(_ io: SocketIOServer) async {
    do {
        let answers = try await io.timeout(.seconds(5)).emitWithAck("status?")
        print("\(answers.count) clients answered")
    } catch {
        print("some clients did not answer in time: \(error)")
    }
}
// README-EXAMPLE-END

@Test func readmeExampleStartsAndStops() async throws {
    let io = makeChatServer()
    let port = try io.listen(host: "127.0.0.1", port: 0)
    #expect(port > 0)
    await pollEveryone(io)
    await io.close()
}

/// The example does what its comments say, seen from two clients.
@Test func readmeExampleChatsInRooms() async throws {
    let io = makeChatServer()
    let port = try io.listen(host: "127.0.0.1", port: 0)
    do { try await chatThroughTheExample(port) } catch {
        await io.close()
        throw error
    }
    await io.close()
}

private func chatThroughTheExample(_ port: Int) async throws {
    let nameless = TestClient(port: port)
    try await nameless.open()
    try await nameless.connect("/")
    let refused = try await nameless.next()
    #expect(refused.type == .connectError)
    #expect(refused.data == ["message": "a name is required", "data": ["field": "name"]])

    let (ann, annID) = try await connectedClient(port, auth: ["name": "Ann"])
    let (bob, bobID) = try await connectedClient(port, auth: ["name": "Bob"])
    #expect(try await ann.nextEvent("joined").args == ["Bob"])
    try await bob.emit("join", ["red"], ackID: 1)
    let joined = try await bob.next { $0.type == .ack }
    #expect(joined.data == [.array([bobID, "lobby", "red"].sorted().map { .string($0) })])

    try await ann.emit("chat", [["room": "red", "text": "hi"]])
    #expect(try await bob.nextEvent("chat").args == [["room": "red", "text": "hi"]])
    try await bob.emit("chat", [["room": "red", "text": "echo?"]])  // Bob is the only member: nobody hears it
    try await bob.emit("chat", [["room": "lobby", "text": "to Ann"]])
    #expect(try await ann.nextEvent("chat").args == [["room": "lobby", "text": "to Ann"]])
    #expect(ann.isClosed == false && annID != bobID)

    try await bob.send(SocketPacket(type: .disconnect))
    #expect(try await ann.nextEvent("left").args == ["Bob", "client namespace disconnect"])
    await #expect(throws: TestClientError.self) { _ = try await bob.nextEvent("chat", timeout: .milliseconds(100)) }
    [nameless, ann, bob].forEach { $0.close() }
}

@Test func readmeShowsTheCompiledExample() throws {
    let tests = URL(fileURLWithPath: #filePath)
    let root = tests.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    let source = try String(contentsOf: tests, encoding: .utf8)
    let example = source.components(separatedBy: "// README-EXAMPLE-BEGIN\n")[1]
        .components(separatedBy: "// README-EXAMPLE-END")[0]
    #expect(readme.contains("import SocketIO\n\n" + example + "```"))
}
