import Testing
import SocketIO
@testable import SocketIORedis

/// As Node's classic adapter: with recovery on, no offsets are recorded and every restore fails, so
/// the client gets a new session.
@Suite struct RedisAdapterRecoveryTests {
    @Test func theClassicAdapterKeepsNoSessionsAndTagsNoPackets() async throws {
        var options = ServerOptions()
        options.connectionStateRecovery = ConnectionStateRecovery()
        let connection = LocalPubSub().connection()
        options.adapter = { RedisAdapter(namespace: $0, transport: connection, options: RedisAdapterOptions()) }
        let io = SocketIOServer(options)
        let adapter = try #require(io.sockets.adapter as? RedisAdapter)
        #expect(adapter.currentOffset() == nil)
        io.emit("news", 1)
        adapter.persistSession(PersistedSession(sid: "s", pid: "p", rooms: ["s"], data: nil, connectOffset: nil))
        #expect(adapter.recoveryCounts == (0, 0, 0))
        await #expect(throws: RecoveryFailure.unsupported) {
            _ = try await adapter.restoreSession(pid: "p", offset: nil)
        }
    }
}
