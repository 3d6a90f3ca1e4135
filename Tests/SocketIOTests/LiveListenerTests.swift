import Foundation
import Testing
import SocketIOParser
@testable import SocketIO

/// The listener half of the Socket API (`once`, `off`, `prependAny`, `offAny`, the outgoing variants)
/// and what `handshake` carries, checked against a live server.
@Suite(.serialized) struct LiveListenerTests {
    @Test func onceOffAndRemovingOneListener() async throws {
        let seen = Recorder<String>()
        try await withServer({ _ in }, { io in
            io.onConnection { socket in
                socket.once("ping") { args, _ in seen.record("once \(args)") }
                socket.once("typed") { (answer: Answer) in seen.record("typed once \(answer.score)") }
                socket.on("multi") { _, _ in seen.record("multi kept") }
                let dropped = socket.on("multi") { _, _ in seen.record("multi dropped") }
                socket.on("drop-one") { _, _ in socket.off("multi", dropped) }
                socket.on("drop-all") { _, _ in socket.off("multi") }
                socket.on("sync") { _, ack in ack?() }
            }
        }) { _, port in
            let (client, _) = try await connectedClient(port)
            func roundTrip(_ event: String, _ args: [JSONValue] = []) async throws {
                try await client.emit(event, args)
                try await client.emit("sync", [], ackID: 1)
                _ = try await client.next { $0.type == .ack }
            }
            try await roundTrip("ping", [1])
            try await roundTrip("ping", [2])
            try await roundTrip("typed", [["score": 1]])
            try await roundTrip("typed", [["score": 2]])
            try await roundTrip("multi")
            try await roundTrip("drop-one")
            try await roundTrip("multi")
            try await roundTrip("drop-all")
            try await roundTrip("multi")
            #expect(seen.all == ["once [1]", "typed once 1", "multi kept", "multi dropped", "multi kept"])
            client.close()
        }
    }

    @Test func catchAllListenersInOrderAndRemovable() async throws {
        let seen = Recorder<String>()
        try await withServer({ _ in }, { io in
            io.onConnection { socket in
                let second = socket.onAny { event, _ in seen.record("second:\(event)") }
                socket.prependAny { event, args in seen.record("first:\(event):\(args.count)") }
                let outLate = socket.onAnyOutgoing { event, _ in seen.record("out-late:\(event)") }
                socket.prependAnyOutgoing { event, _ in seen.record("out-first:\(event)") }
                socket.on("step") { args, _ in
                    switch args.first?.intValue {
                    case 1: socket.offAny(second); socket.offAnyOutgoing(outLate)
                    case 2: socket.offAny(); socket.offAnyOutgoing()
                    default: break
                    }
                    socket.emit("stepped", args.first ?? .null)
                }
            }
        }) { _, port in
            let (client, _) = try await connectedClient(port)
            for step in 0...3 {
                try await client.emit("step", [.int(step)])
                _ = try await client.nextEvent("stepped")
            }
            #expect(seen.all == [
                "first:step:1", "second:step", "out-first:stepped", "out-late:stepped",
                "first:step:1", "second:step", "out-first:stepped",  // removed by id while handling step 1
                "first:step:1",  // step 2 removes the rest before its emit
            ])
            client.close()
        }
    }

    struct Question: Codable, Sendable { var text: String }
    struct Answer: Codable, Sendable, Equatable { var score: Int }

    @Test func typedAckRepliesDecodeOrReportTheWrongShape() async throws {
        try await withServer { io, port in
            let (client, sid) = try await connectedClient(port)
            let socket = try #require(io.sockets.sockets[sid])
            for (reply, expected) in [(["score": 3] as JSONValue, Result<Answer, SocketIOError>.success(Answer(score: 3))),
                                      (["score": "high"], .failure(.invalidPayload(event: "rate", reason: "")))] {
                let asked = Task { try await socket.timeout(.seconds(10)).emitWithAck("rate", Question(text: "?"), as: Answer.self) }
                let (args, id) = try await client.nextEvent("rate")
                #expect(args == [["text": "?"]])
                try await client.send(SocketPacket(type: .ack, data: [reply], id: try #require(id)))
                switch (await asked.result, expected) {
                case (.success(let got), .success(let want)): #expect(got == want)
                case (.failure(SocketIOError.invalidPayload(let event, let reason)), .failure):
                    #expect(event == "rate" && reason.contains("score"), "\(reason)")
                case (let got, _): Issue.record("unexpected \(got)")
                }
            }
            client.close()
        }
    }

    @Test func socketsOfOneConnectionShareItsID() async throws {
        let ids = Recorder<String>()
        try await withServer({ _ in }, { io in
            io.onConnection { ids.record($0.connectionID) }
            io.of("/other").onConnection { ids.record($0.connectionID) }
        }) { _, port in
            let (one, _) = try await connectedClient(port)
            try await one.connect("/other")
            _ = try await one.next { $0.namespace == "/other" && $0.type == .connect }
            let (two, _) = try await connectedClient(port)
            #expect(ids.all.count == 3)
            #expect(ids.all[0] == one.sid && ids.all[1] == one.sid && ids.all[2] == two.sid)
            one.close(); two.close()
        }
    }

    @Test func handshakeCarriesHeadersQueryAddressTimeAndURL() async throws {
        let captured = Recorder<Handshake>()
        try await withServer({ _ in }, { io in
            io.onConnection { socket in captured.record(socket.handshake) }
        }) { _, port in
            let before = Int(Date().timeIntervalSince1970 * 1000)
            let client = TestClient(port: port)
            try await client.open(query: "&room=blue&room=red&name=a%20b", headers: ["X-Team: ops", "X-Team: dev"])
            try await client.connect("/", auth: ["token": 7])
            _ = try await client.next { $0.type == .connect }
            let after = Int(Date().timeIntervalSince1970 * 1000)
            let handshake = try #require(captured.all.first)
            #expect(handshake.headers["x-team"] == "ops, dev")
            #expect(handshake.headers["host"] == "127.0.0.1:\(port)")
            #expect(handshake.query["EIO"] == "4")
            #expect(handshake.query["transport"] == "polling")
            #expect(handshake.query["room"] == "blue")  // a repeated name keeps its first value here,
            #expect(handshake.queryValues["room"] == ["blue", "red"])  // and all of them here (Node: an array)
            #expect(handshake.queryValues["name"] == ["a b"])
            #expect(handshake.query["name"] == "a b")
            #expect(handshake.auth == ["token": 7])
            #expect(handshake.address == "127.0.0.1")
            #expect(handshake.url == "/socket.io/?EIO=4&transport=polling&room=blue&room=red&name=a%20b")
            #expect((before - 1000...after + 1000).contains(handshake.issued))
            // `issued` is rounded to the millisecond, `time` truncated to the second: allow the one-off.
            let times = [0, -1].map { Handshake.format(Date(timeIntervalSince1970: Double(handshake.issued + $0) / 1000)) }
            #expect(times.contains(handshake.time))
            #expect(!handshake.secure && !handshake.xdomain)
            client.close()
        }
    }
}
