import Synchronization
import Testing
import SocketIO  // not @testable: a third-party adapter sees only the public API

/// What a multi-server adapter (Redis, ...) would do: subclass the in-memory adapter, see every
/// room change and broadcast (to forward the non-local ones), and let `super` deliver locally.
final class RecordingAdapter: InMemoryAdapter, @unchecked Sendable {
    static let log = Mutex<[String]>([])

    override func addAll(_ id: SocketID, rooms: Set<Room>) {
        if !rooms.contains(id) { Self.log.withLock { $0.append("join \(rooms.sorted())") } }
        super.addAll(id, rooms: rooms)
    }

    override func broadcast(_ packet: OutgoingPacket, options: BroadcastOptions) {
        let scope = options.flags.local ? "local" : "all"
        Self.log.withLock { $0.append("\(scope) \(packet.event) to \(options.rooms.sorted()) in \(packet.namespace)") }
        super.broadcast(packet, options: options)
    }
}

@Suite(.serialized) struct CustomAdapterTests {
    @Test func aSubclassedAdapterSeesRoomsAndBroadcastsAndStillDelivers() async throws {
        RecordingAdapter.log.withLock { $0 = [] }
        try await withServer({ $0.adapter = { RecordingAdapter(namespace: $0) } }, { io in
            io.onConnection { socket in
                socket.join("red")
                socket.on("go") { _, _ in
                    io.to("red").emit("news", "to red")
                    io.local.emit("news", "local")
                }
            }
        }) { io, port in
            #expect(io.sockets.adapter is RecordingAdapter)
            let (client, _) = try await connectedClient(port)
            try await client.emit("go", [])
            #expect(try await client.nextEvent("news").args == ["to red"])
            #expect(try await client.nextEvent("news").args == ["local"])
            #expect(RecordingAdapter.log.withLock { $0 } == [
                "join [\"red\"]", "all news to [\"red\"] in /", "local news to [] in /",
            ])
            client.close()
        }
    }
}
