import Foundation
import Testing
import SocketIOParser
@testable import SocketIO

@Suite(.serialized) struct LiveBroadcastTests {
    @Test func roomsExceptAndBroadcastFromASocket() async throws {
        try await withServer({ _ in }, { io in
            io.onConnection { socket in
                socket.on("join") { args, ack in
                    socket.join(args.compactMap(\.stringValue))
                    ack?()
                }
                socket.on("shout") { args, _ in socket.broadcast.emit("shout", arguments: args) }
            }
        }) { io, port in
            let (a, aID) = try await connectedClient(port)
            let (b, bID) = try await connectedClient(port)
            let (c, _) = try await connectedClient(port)
            try await a.emit("join", ["red", "blue"], ackID: 1)
            try await b.emit("join", ["blue"], ackID: 1)
            for client in [a, b] { _ = try await client.next { $0.type == .ack } }
            #expect(io.sockets.sockets[aID]?.rooms == [aID, "red", "blue"])

            // A union of rooms: a is in both yet gets it once.
            io.to("red", "blue").emit("news", "u")
            #expect(try await a.nextEvent("news").args == ["u"])
            #expect(try await b.nextEvent("news").args == ["u"])
            io.to("blue").except("red").emit("news", "e")
            #expect(try await b.nextEvent("news").args == ["e"])
            io.emit("news", "all")
            for client in [a, b, c] { #expect(try await client.nextEvent("news").args == ["all"]) }
            // Nothing else was queued: the next news everyone sees is "end".
            io.emit("news", "end")
            for client in [a, b, c] { #expect(try await client.nextEvent("news").args == ["end"]) }

            try await c.emit("shout", ["hey"])
            #expect(try await a.nextEvent("shout").args == ["hey"])
            #expect(try await b.nextEvent("shout").args == ["hey"])
            await #expect(throws: TestClientError.self) { _ = try await c.nextEvent("shout", timeout: .milliseconds(200)) }

            let inBlue = try await io.in("blue").fetchSockets()
            #expect(Set(inBlue.map(\.id)) == [aID, bID])
            [a, b, c].forEach { $0.close() }
        }
    }

    @Test func utilitiesOnBroadcastTargets() async throws {
        try await withServer { io, port in
            let (a, aID) = try await connectedClient(port)
            let (b, bID) = try await connectedClient(port)
            io.socketsJoin("lobby")
            #expect(io.sockets.adapter.sockets(["lobby"]) == [aID, bID])
            io.in(aID).socketsLeave("lobby")
            #expect(io.sockets.adapter.sockets(["lobby"]) == [bID])
            io.in("lobby").disconnectSockets()
            let disconnect = try await b.next { $0.type == .disconnect }
            #expect(disconnect.namespace == "/")
            try await eventually { io.sockets.sockets.keys.sorted() == [aID] }
            a.close(); b.close()
        }
    }

    @Test func remoteSocketTimeoutCollectsThatSocketsReply() async throws {
        try await withServer { io, port in
            let (a, aID) = try await connectedClient(port)
            let (b, _) = try await connectedClient(port)
            let remote = try #require(try await io.fetchSockets().first { $0.id == aID })
            let answer = Task { try await remote.timeout(.seconds(10)).emitWithAck("poll", "?") }
            let (_, id) = try await a.nextEvent("poll")
            let ackID: Int = try #require(id)
            try await a.send(SocketPacket(type: .ack, data: ["a says yes"], id: ackID))
            #expect(try await answer.value == ["a says yes"])
            // Only that socket was asked.
            await #expect(throws: TestClientError.self) { _ = try await b.nextEvent("poll", timeout: .milliseconds(200)) }
            a.close(); b.close()
        }
    }

    @Test func broadcastAcksFromEveryRecipient() async throws {
        try await withServer { io, port in
            let (a, _) = try await connectedClient(port)
            let (b, _) = try await connectedClient(port)
            let answers = Task { try await io.timeout(.seconds(10)).emitWithAck("poll", "?") }
            for (client, vote) in [(a, "yes"), (b, "no")] {
                let (_, id) = try await client.nextEvent("poll")
                let ackID: Int = try #require(id)
                try await client.send(SocketPacket(type: .ack, data: [.string(vote)], id: ackID))
            }
            #expect(Set(try await answers.value) == ["yes", "no"])

            // b never answers, so this always times out; the window only has to be long enough for a to reply.
            let partial = Task { try await io.timeout(.seconds(2)).emitWithAck("poll", "again") }
            let (_, id) = try await a.nextEvent("poll")
            let ackID: Int = try #require(id)
            try await a.send(SocketPacket(type: .ack, data: ["late-no"], id: ackID))
            await #expect(throws: SocketIOError.broadcastAckTimeout(responses: ["late-no"])) { try await partial.value }
            a.close(); b.close()
        }
    }

    @Test func disconnectReasonsAndDisconnectingSeesRooms() async throws {
        let log = Recorder<String>()
        try await withServer({ _ in }, { io in
            io.onConnection { socket in
                socket.join("room")
                socket.onDisconnecting { reason in log.record("disconnecting \(reason.rawValue) \(socket.rooms.contains("room"))") }
                socket.onDisconnect { reason in log.record("disconnect \(reason.rawValue) \(socket.rooms.isEmpty)") }
                socket.on("bye") { _, _ in socket.disconnect() }
            }
        }) { io, port in
            let (a, _) = try await connectedClient(port)
            try await a.send(SocketPacket(type: .disconnect))
            try await eventually { log.all.count == 2 }
            #expect(log.all == ["disconnecting client namespace disconnect true", "disconnect client namespace disconnect true"])

            let (b, _) = try await connectedClient(port)
            try await b.emit("bye", [])
            _ = try await b.next { $0.type == .disconnect }
            try await eventually { log.all.count == 4 }
            #expect(log.all.last == "disconnect server namespace disconnect true")

            let (c, _) = try await connectedClient(port)
            _ = c
            await io.close()
            #expect(log.all.last == "disconnect server shutting down true")
            [a, b, c].forEach { $0.close() }
        }
    }

    @Test func emitFromAnHTTPRoute() async throws {
        try await withServer({ _ in }, { io in
            io.route("POST", "/notify") { request in
                io.emit("notice", .string(request.text))
                return .text("sent")
            }
        }) { _, port in
            let (client, _) = try await connectedClient(port)
            let response = try await TinyHTTP.exchange(port: port, method: "POST", target: "/notify", body: Array("hello".utf8))
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == "sent")
            #expect(try await client.nextEvent("notice").args == ["hello"])
            let missing = try await TinyHTTP.exchange(port: port, method: "GET", target: "/nope")
            #expect(missing.status == 404)
            client.close()
        }
    }
}
