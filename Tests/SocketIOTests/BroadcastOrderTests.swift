import Foundation
import Testing
import SocketIOParser
@testable import SocketIO

/// Broadcasts made in one loop tick are delivered together at the end of the tick (BroadcastBatch);
/// these check that no socket sees packets out of the order the server made them.
@Suite(.serialized) struct BroadcastOrderTests {
    /// The `seq` numbers a client receives, in arrival order, until it has `count` of them.
    private func sequence(_ client: TestClient, count: Int) async throws -> [Int] {
        var seen: [Int] = []
        while seen.count < count {
            let (args, _) = try await client.nextEvent("seq")
            guard case .int(let n)? = args.first else { throw TestClientError.timeout("seq without a number") }
            seen.append(n)
        }
        return seen
    }

    @Test func directEmitsAndBroadcastsInOneTurnKeepTheirOrder() async throws {
        try await withServer({ _ in }, { io in
            io.onConnection { socket in
                socket.on("rooms") { args, ack in
                    socket.join(args.compactMap(\.stringValue))
                    ack?()
                }
                socket.on("burst") { _, _ in
                    io.to("red").emit("seq", 1)
                    socket.emit("seq", 2)                       // direct, between two broadcasts
                    io.to("blue").emit("seq", 3)                // another room
                    io.to("red").emit("seq", 4)
                    socket.broadcast.to("red").emit("seq", 5)   // the sender left out
                    io.to("red").emit("seq", 6)
                    io.to("red").except("blue").emit("seq", 7)
                }
            }
        }) { io, port in
            let (sender, _) = try await connectedClient(port)
            let (other, _) = try await connectedClient(port)
            try await sender.emit("rooms", ["red", "blue"], ackID: 1)
            try await other.emit("rooms", ["red"], ackID: 1)
            for client in [sender, other] { _ = try await client.next { $0.type == .ack } }

            try await sender.emit("burst", [])
            #expect(try await sequence(sender, count: 5) == [1, 2, 3, 4, 6])
            #expect(try await sequence(other, count: 5) == [1, 4, 5, 6, 7])
            // Nothing else arrived after them.
            io.emit("seq", 99)
            #expect(try await sequence(sender, count: 1) == [99])
            #expect(try await sequence(other, count: 1) == [99])
            [sender, other].forEach { $0.close() }
        }
    }

    @Test func aBroadcastGoesOutBeforeADisconnectInTheSameTurn() async throws {
        try await withServer({ _ in }, { io in
            io.onConnection { socket in
                socket.on("leave") { _, _ in
                    io.emit("seq", 1)
                    socket.disconnect()
                }
            }
        }) { io, port in
            let (client, _) = try await connectedClient(port)
            try await client.emit("leave", [])
            // The next two packets, unfiltered, in arrival order.
            let first = try await client.next()
            #expect(first.type == .event && first.data == ["seq", 1])
            let second = try await client.next()
            #expect(second.type == .disconnect && second.namespace == "/")
            client.close()
        }
    }

    @Test func broadcastsFromAnotherThreadArriveInOrder() async throws {
        try await withServer { io, port in
            let (a, _) = try await connectedClient(port)
            let (b, _) = try await connectedClient(port)
            // From the test's thread: each emit hops to the clients' loops; many land in one tick.
            for n in 1...200 { io.emit("seq", .int(n)) }
            #expect(try await sequence(a, count: 200) == Array(1...200))
            #expect(try await sequence(b, count: 200) == Array(1...200))
            a.close(); b.close()
        }
    }
}
