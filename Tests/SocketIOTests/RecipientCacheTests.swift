import Foundation
import Testing
import SocketIOParser
@testable import SocketIO

/// The in-memory adapter reuses a room's resolved recipients between broadcasts; every membership
/// change (join, leave, connect, disconnect) must show in the very next broadcast.
@Suite(.serialized) struct RecipientCacheTests {
    @Test func membershipChangesReachTheNextBroadcast() async throws {
        try await withServer({ _ in }, { io in
            io.onConnection { socket in
                socket.on("join") { args, ack in
                    socket.join(args.compactMap(\.stringValue))
                    ack?()
                }
                socket.on("leave") { args, ack in
                    socket.leave(args.compactMap(\.stringValue))
                    ack?()
                }
                socket.on("shout") { args, _ in socket.broadcast.emit("shout", arguments: args) }
            }
        }) { io, port in
            let (a, aID) = try await connectedClient(port)
            let (b, _) = try await connectedClient(port)
            try await a.emit("join", ["room"], ackID: 1)
            _ = try await a.next { $0.type == .ack }

            io.to("room").emit("n", 1)                    // resolves and caches the room: {a}
            #expect(try await a.nextEvent("n").args == [1])
            try await b.emit("join", ["room"], ackID: 2)
            _ = try await b.next { $0.type == .ack }
            io.to("room").emit("n", 2)                    // b joined: the cache must not hide it
            #expect(try await a.nextEvent("n").args == [2])
            #expect(try await b.nextEvent("n").args == [2])

            try await a.emit("leave", ["room"], ackID: 3)
            _ = try await a.next { $0.type == .ack }
            io.to("room").emit("n", 3)
            io.to(aID).emit("n", "direct")               // a's own room is a cached target too
            #expect(try await b.nextEvent("n").args == [3])
            #expect(try await a.nextEvent("n").args == ["direct"])   // not 3: a left

            // Everyone-but-the-sender uses the namespace-wide entry minus the sender.
            io.emit("n", "all")
            for client in [a, b] { #expect(try await client.nextEvent("n").args == ["all"]) }
            let (c, _) = try await connectedClient(port)
            try await b.emit("shout", ["hi"])
            #expect(try await a.nextEvent("shout").args == ["hi"])
            #expect(try await c.nextEvent("shout").args == ["hi"])
            await #expect(throws: TestClientError.self) { _ = try await b.nextEvent("shout", timeout: .milliseconds(200)) }

            // A disconnected socket leaves every cached target at once.
            b.close()
            try await eventually { io.sockets.sockets.count == 2 }
            // The cached targets themselves: a stale entry would still hold b's socket.
            let adapter = try #require(io.sockets.adapter as? InMemoryAdapter)
            #expect(adapter.recipientTargets(BroadcastOptions(rooms: ["room"])).0.count == 0)
            #expect(adapter.recipientTargets(BroadcastOptions()).0.count == 2)
            io.to("room").emit("n", "empty")
            io.emit("n", "after")
            #expect(try await a.nextEvent("n").args == ["after"])
            #expect(try await c.nextEvent("n").args == ["after"])
            a.close(); c.close()
        }
    }
}
