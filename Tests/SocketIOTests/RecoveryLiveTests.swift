import Synchronization
import Testing
import SocketIOParser
@testable import SocketIO

/// Waits (bounded) until `condition` holds.
func eventually(_ what: String, timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TestClientError.timeout(what) }
        try await Task.sleep(for: .milliseconds(5))
    }
}

func recovering(_ options: inout ServerOptions) {
    options.connectionStateRecovery = ConnectionStateRecovery(maxDisconnectionDuration: .seconds(30))
}

func storeCounts(_ io: SocketIOServer) -> (packets: Int, bytes: Int, sessions: Int) {
    (io.sockets.adapter as? InMemoryAdapter)?.recoveryCounts ?? (0, 0, 0)
}

/// Connects and returns the client with the CONNECT answer's sid and pid.
func recoveringClient(_ port: Int, auth: JSONValue? = nil) async throws -> (TestClient, sid: String, pid: String?) {
    let client = TestClient(port: port)
    try await client.open()
    try await client.connect("/", auth: auth)
    let reply = try await client.next { $0.type == .connect }
    return (client, try #require(reply.data?["sid"]?.stringValue), reply.data?["pid"]?.stringValue)
}

@Suite(.serialized) struct RecoveryLiveTests {
    @Test func offByDefaultNothingChangesOnTheWire() async throws {
        try await withServer({ _ in }, { io in
            io.onConnection { socket in
                socket.emit("direct", 1)
                io.emit("everyone", 2)
            }
        }) { io, port in
            let (client, _, pid) = try await recoveringClient(port)
            #expect(pid == nil)
            #expect(try await client.nextEvent("direct").args == [1])
            #expect(try await client.nextEvent("everyone").args == [2])
            #expect(storeCounts(io).packets == 0)
            client.close()
        }
    }

    @Test func offsetsGoOnEligibleEventsOnlyEncodedOnce() async throws {
        let seen = Recorder<Bool>()
        try await withServer(recovering, { io in
            io.onConnection { socket in
                seen.record(socket.recovered)
                socket.on("go") { _, _ in
                    socket.emit("direct", 1)
                    io.emit("everyone", 2)
                    io.volatile.emit("volatile", 3)
                    socket.volatile.emit("volatileDirect", 4)
                    socket.emit("asks", arguments: [5]) { _ in }
                    io.timeout(.seconds(5)).emit("asksAll", arguments: [6]) { _ in }
                }
            }
        }) { io, port in
            let (a, _, pid) = try await recoveringClient(port)
            let (b, _, _) = try await recoveringClient(port)
            #expect(pid?.count == 20)
            try await a.emit("go", [])
            #expect(try await a.nextEvent("direct").args == [1, "1"])
            let everyoneA = try await a.nextEvent("everyone").args
            #expect(everyoneA == [2, "2"])
            #expect(try await b.nextEvent("everyone").args == everyoneA)  // one offset: recorded once
            // Volatile packets may be dropped by a polling client between polls; none is recorded (below).
            let asks = try await a.nextEvent("asks")
            #expect(asks.args == [5])
            #expect(asks.id != nil)
            #expect(try await a.nextEvent("asksAll").args == [6])
            #expect(storeCounts(io).packets == 2)  // "direct" and "everyone", each once; no volatile, no ack
            #expect(seen.all == [false, false])
            a.close(); b.close()
        }
    }

    @Test func sessionsArePersistedForRecoverableReasonsOnly() async throws {
        try await withServer(recovering, { io in
            io.onConnection { socket in socket.on("kick") { _, _ in socket.disconnect() } }
        }) { io, port in
            let (closing, _, _) = try await recoveringClient(port)
            closing.close()  // transport close: recoverable
            try await eventually("persisted") { storeCounts(io).sessions == 1 }

            let (leaving, _, _) = try await recoveringClient(port)
            try await leaving.send(SocketPacket(type: .disconnect, namespace: "/"))  // client namespace disconnect
            let (kicked, _, _) = try await recoveringClient(port)
            try await kicked.emit("kick", [])  // server namespace disconnect
            _ = try await kicked.next { $0.type == .disconnect }
            try await eventually("both gone") { io.sockets.sockets.isEmpty }
            #expect(storeCounts(io).sessions == 1)
            leaving.close(); kicked.close()
        }
    }

    @Test func aClientComesBackWithItsIdRoomsDataAndMissedEventsSkippingMiddlewares() async throws {
        let runs = Atomic<Int>(0)
        let recoveredSeen = Recorder<Bool>()
        try await withServer(recovering, { io in
            io.use { socket in
                let n = runs.add(1, ordering: .relaxed).newValue
                socket.data = ["run": .int(n)]
            }
            io.onConnection { socket in
                recoveredSeen.record(socket.recovered)
                if !socket.recovered { socket.join("room") }
                socket.on("whoami") { _, ack in ack?(.array(socket.rooms.sorted().map { .string($0) }), socket.data) }
            }
        }) { io, port in
            let (first, sid, pid) = try await recoveringClient(port)
            io.to("room").emit("news", 1)
            let offset = try #require(try await first.nextEvent("news").args.last?.stringValue)
            first.close()
            try await eventually("persisted") { storeCounts(io).sessions == 1 }
            io.to("room").emit("news", 2)
            io.to("elsewhere").emit("news", 3)
            io.emit("news", 4)

            let (back, backSID, backPID) = try await recoveringClient(port, auth: ["pid": .string(try #require(pid)), "offset": .string(offset)])
            #expect(backSID == sid)
            #expect(backPID == pid)
            #expect(try await back.nextEvent("news").args.first == 2)
            #expect(try await back.nextEvent("news").args.first == 4)
            try await back.emit("whoami", [], ackID: 1)
            let answer = try await back.next { $0.type == .ack }
            #expect(answer.data == [.array(["room", sid].sorted().map { .string($0) }), ["run": 1]])
            #expect(recoveredSeen.all == [false, true])
            #expect(runs.load(ordering: .relaxed) == 1)  // skipped on recovery
            #expect(io.recoveryCounts == RecoveryCounts(recovered: 1, failed: 0))
            back.close()
        }
    }

    @Test func aClientThatReceivedNothingIsRecoveredWithoutAnOffset() async throws {
        try await withServer(recovering, { io in
            io.onConnection { socket in if !socket.recovered { socket.join("room") } }
        }) { io, port in
            let (first, sid, pid) = try await recoveringClient(port)
            first.close()
            try await eventually("persisted") { storeCounts(io).sessions == 1 }
            io.to("room").emit("news", 1)
            let (back, backSID, _) = try await recoveringClient(port, auth: ["pid": .string(try #require(pid))])
            #expect(backSID == sid)
            #expect(try await back.nextEvent("news").args == [1, "1"])
            back.close()
        }
    }

    @Test func aFailedRecoveryGivesANewSessionAndIsCounted() async throws {
        try await withServer(recovering, { _ in }) { io, port in
            let (client, sid, _) = try await recoveringClient(port, auth: ["pid": "nobody-has-this-pid", "offset": "1"])
            #expect(sid.count == 20)
            #expect(io.recoveryCounts == RecoveryCounts(recovered: 0, failed: 1))
            client.close()
        }
    }
}
