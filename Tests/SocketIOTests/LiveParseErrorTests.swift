import Testing
import EngineIOParser
import SocketIOParser
@testable import SocketIO

/// Every kind of invalid packet from a connected client ends its session with `parse error`, and the
/// attachment limit is the one `ServerOptions.maxAttachments` sets.
@Suite(.serialized) struct LiveParseErrorTests {
    /// Engine.IO messages a client sends after connecting to `/`, each sequence invalid at its end.
    static let invalid: [(String, [EnginePacket])] = [
        ("unknown type", [.message("9")]),
        ("bad JSON", [.message("2[\"a\",")]),
        ("negative ack id", [.message("2-1[\"a\"]")]),
        ("ack id on CONNECT", [.message("01{}")]),
        ("event payload not an array", [.message("2{\"a\":1}")]),
        ("event name not a string", [.message("2[{}]")]),
        ("ack payload not an array", [.message("31{\"a\":1}")]),
        ("reserved event name", [.message("2[\"disconnecting\"]")]),
        ("too many attachments", [.message("53-[\"a\",{\"_placeholder\":true,\"num\":0}]")]),
        ("attachment without a packet", [.message([1, 2, 3])]),
        ("text while attachments are due", [.message("51-[\"a\",{\"_placeholder\":true,\"num\":0}]"), .message("2[\"b\"]")]),
        ("placeholder out of range", [.message("51-[\"a\",{\"_placeholder\":true,\"num\":1}]"), .message([7])]),
    ]

    @Test(arguments: invalid)
    func closesWithParseError(_ name: String, _ packets: [EnginePacket]) async throws {
        let reasons = Recorder<DisconnectReason>()
        let errors = Recorder<SocketIOError>()
        try await withServer({ $0.maxAttachments = 2 }, { io in
            io.onConnection { socket in
                socket.onError { errors.record($0) }
                socket.onDisconnect { reasons.record($0) }
            }
        }) { _, port in
            let (client, _) = try await connectedClient(port)
            try await offPool { try client.sendEngine(packets) }
            try await client.waitClosed()
            try await eventually { reasons.all == [.parseError] }
            #expect(reasons.all == [.parseError], "\(name)")
            // As Node emits `error` on the sockets before closing the connection.
            guard errors.all.count == 1, case .invalidPacket = errors.all[0] else {
                Issue.record("\(name): socket errors \(errors.all)")
                return
            }
        }
    }

    @Test func attachmentsUpToTheLimitArrive() async throws {
        try await withServer({ $0.maxAttachments = 2 }, { io in
            io.onConnection { socket in socket.on("pair") { args, _ in socket.emit("pair", arguments: args) } }
        }) { _, port in
            let (client, _) = try await connectedClient(port)
            try await client.emit("pair", [.binary([1]), ["inner": .binary([2, 3])]])
            #expect(try await client.nextEvent("pair").args == [.binary([1]), ["inner": .binary([2, 3])]])
            #expect(!client.isClosed)
            client.close()
        }
    }
}
