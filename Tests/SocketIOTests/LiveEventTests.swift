import Foundation
import Testing
import SocketIOParser
@testable import SocketIO

struct Chat: Codable, Equatable, Sendable {
    var text: String
    var picture: Data?
}

@Suite(.serialized) struct LiveEventTests {
    @Test func eventsAndClientAcks() async throws {
        try await withServer({ _ in }, { io in
            io.onConnection { socket in
                socket.on("echo") { args, ack in
                    if let ack { ack.send(arguments: args) } else { socket.emit("echo-back", arguments: args) }
                }
            }
        }) { _, port in
            let (client, _) = try await connectedClient(port)
            try await client.emit("echo", ["hi", 1, ["a": true]])
            #expect(try await client.nextEvent("echo-back").args == ["hi", 1, ["a": true]])

            try await client.emit("echo", ["x"], ackID: 42)
            let ack = try await client.next { $0.type == .ack }
            #expect(ack.id == 42)
            #expect(ack.data == ["x"])
            client.close()
        }
    }

    @Test func onAnyGetsTheAckAsNodePassesItLast() async throws {
        try await withServer({ _ in }, { io in
            io.onConnection { socket in
                socket.onAny { event, args, ack in ack?.send(arguments: [.string(event)] + args) }
                socket.onAny { event, _ in if event == "plain" { socket.emit("seen", "plain") } }
            }
        }) { _, port in
            let (client, _) = try await connectedClient(port)
            try await client.emit("anything", [1, "two"], ackID: 7)
            let ack = try await client.next { $0.type == .ack }
            #expect(ack.id == 7)
            #expect(ack.data == ["anything", 1, "two"])
            try await client.emit("plain", [])
            #expect(try await client.nextEvent("seen").args == ["plain"])
            client.close()
        }
    }

    /// As in JavaScript, an array literal is one argument; a runtime list of arguments says `arguments:`.
    @Test func anArrayIsOneArgumentAndArgumentsSpreads() async throws {
        try await withServer({ _ in }, { io in
            io.onConnection { socket in
                socket.on("go") { _, _ in
                    socket.emit("one", [1, 2])
                    let list: [JSONValue] = ["a", "b"]
                    socket.emit("spread", arguments: list)
                    socket.emit("variadic", 1, "two", [3])
                }
            }
        }) { _, port in
            let (client, _) = try await connectedClient(port)
            try await client.emit("go", [])
            #expect(try await client.nextEvent("one").args == [[1, 2]])
            #expect(try await client.nextEvent("spread").args == ["a", "b"])
            #expect(try await client.nextEvent("variadic").args == [1, "two", [3]])
            client.close()
        }
    }

    @Test func typedHandlersDecodeAndReportBadShapes() async throws {
        let errors = Recorder<SocketIOError>()
        try await withServer({ _ in }, { io in
            io.onConnection { socket in
                socket.onError { errors.record($0) }
                socket.on("chat") { (message: Chat, ack: Ack?) in
                    try? ack?.reply(Chat(text: message.text.uppercased(), picture: message.picture))
                }
            }
        }) { _, port in
            let (client, _) = try await connectedClient(port)
            try await client.emit("chat", [["text": "hey", "picture": .binary([1, 2, 3])]], ackID: 1)
            let reply = try await client.next { $0.type == .ack || $0.type == .binaryAck }
            #expect(reply.data == [["text": "HEY", "picture": .binary([1, 2, 3])]])

            try await client.emit("chat", [["txt": 1]])
            try await eventually { errors.all.count == 1 }
            #expect(errors.all.first == .invalidPayload(event: "chat", reason: "missing key \"text\""))
            client.close()
        }
    }

    @Test func serverAcksWithTimeout() async throws {
        try await withServer { io, port in
            let (client, sid) = try await connectedClient(port)
            let socket = try #require(io.sockets.sockets[sid])

            async let answer = socket.timeout(.seconds(10)).emitWithAck("question", "life")
            let (args, id) = try await client.nextEvent("question")
            #expect(args == ["life"])
            let ackID: Int = try #require(id)
            try await client.send(SocketPacket(type: .ack, data: [42], id: ackID))
            #expect(try await answer == [42])

            await #expect(throws: SocketIOError.ackTimeout) {
                try await socket.timeout(.milliseconds(100)).emitWithAck("ignored")
            }
            client.close()
        }
    }

    @Test func pendingAckFailsOnDisconnect() async throws {
        try await withServer { io, port in
            let (client, sid) = try await connectedClient(port)
            let socket = try #require(io.sockets.sockets[sid])
            let answer = Task { try await socket.emitWithAck("never") }
            _ = try await client.nextEvent("never")
            try await client.send(SocketPacket(type: .disconnect))
            await #expect(throws: SocketIOError.disconnected) { try await answer.value }
            client.close()
        }
    }

    @Test func onAnyMiddlewareAndOutgoing() async throws {
        let seen = Recorder<String>()
        try await withServer({ _ in }, { io in
            io.onConnection { socket in
                socket.onAny { event, _ in seen.record("any:" + event) }
                socket.onAnyOutgoing { event, _ in seen.record("out:" + event) }
                socket.use { event, _ in
                    if event == "forbidden" { throw SocketIOError.middlewareRejected(event: event, message: "no") }
                }
                socket.onError { seen.record("error:\($0)") }
                socket.on("ok") { _, _ in socket.emit("done") }
                socket.on("forbidden") { _, _ in seen.record("handler ran") }
            }
        }) { _, port in
            let (client, _) = try await connectedClient(port)
            try await client.emit("forbidden", [])
            try await client.emit("ok", [])
            _ = try await client.nextEvent("done")
            #expect(seen.all == ["any:forbidden", "error:event \"forbidden\" rejected by middleware: no",
                                 "any:ok", "out:done"])
            client.close()
        }
    }

    /// Direct emits, room broadcasts and joins from one foreign thread reach the client in call order.
    @Test func mixedEmitsBroadcastsAndJoinsFromAThreadKeepTheirOrder() async throws {
        try await withServer { io, port in
            let (client, sid) = try await connectedClient(port)
            let socket = try #require(io.sockets.sockets[sid])
            let thread = Thread {
                for i in stride(from: 0, to: 300, by: 3) {
                    socket.emit("n", .int(i))
                    io.to(sid).emit("n", .int(i + 1))
                    socket.join("room-\(i)")  // takes effect at once: the next broadcast reaches it
                    io.to("room-\(i)").emit("n", .int(i + 2))
                }
            }
            thread.start()
            for i in 0..<300 {
                let (args, _) = try await client.nextEvent("n")
                #expect(args == [.int(i)])
                if args != [.int(i)] { break }
            }
            client.close()
        }
    }

    @Test func emitsFromAnotherThreadKeepTheirOrder() async throws {
        try await withServer { io, port in
            let (client, sid) = try await connectedClient(port)
            let socket = try #require(io.sockets.sockets[sid])
            let thread = Thread { for i in 0..<200 { socket.emit("n", .int(i)) } }
            thread.start()
            for i in 0..<200 {
                let (args, _) = try await client.nextEvent("n")
                #expect(args == [.int(i)])
            }
            client.close()
        }
    }
}
