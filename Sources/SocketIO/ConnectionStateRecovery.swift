import EngineIO
import SocketIOParser
import Synchronization

/// Connection state recovery (Node's `connectionStateRecovery`): a client whose connection dropped
/// comes back as the same socket, in the same rooms, with the `data` it had, and receives the events
/// it missed meanwhile. Off unless set in `ServerOptions`.
public struct ConnectionStateRecovery: Sendable {
    /// How long a disconnected socket's session (and the packets it may need) are kept.
    public var maxDisconnectionDuration: Duration = .seconds(120)
    /// A recovered socket skips the namespace's middlewares (they ran when it first connected).
    public var skipMiddlewares = true
    /// Memory the in-memory replay buffer may hold per namespace: each packet counts its encoding plus
    /// about 200 bytes of bookkeeping. The oldest packets go first.
    /// A client whose missed packets were dropped is not recovered (it gets a new session).
    public var maxReplayBytes = 16 * 1024 * 1024
    /// Disconnected sessions kept per namespace; past it the oldest is forgotten, so a flood of
    /// disconnects cannot grow memory without limit.
    public var maxSessions = 100_000

    public init(maxDisconnectionDuration: Duration = .seconds(120), skipMiddlewares: Bool = true) {
        self.maxDisconnectionDuration = maxDisconnectionDuration
        self.skipMiddlewares = skipMiddlewares
    }
}

/// What a disconnected socket leaves behind for its recovery (Node's `Session`).
public struct PersistedSession: Sendable {
    /// The socket id it had, and gets back.
    public var sid: SocketID
    /// The private id the client proves its identity with (never shown to other clients).
    public var pid: String
    public var rooms: Set<Room>
    public var data: JSONValue
    /// The adapter's offset when the socket connected (`Adapter.currentOffset`): where replay starts
    /// for a client that received no event, and so has no offset to send.
    public var connectOffset: String?

    public init(sid: SocketID, pid: String, rooms: Set<Room>, data: JSONValue, connectOffset: String?) {
        self.sid = sid; self.pid = pid; self.rooms = rooms; self.data = data; self.connectOffset = connectOffset
    }
}

/// One event a recovering client missed, encoded with its offset as last argument.
public struct MissedPacket: Sendable {
    package let prepared: PreparedPacket

    /// `packet` must already carry its offset as last argument (`OutgoingPacket.appendingOffset`).
    public init(_ packet: OutgoingPacket) { prepared = packet.prepare() }
    package init(prepared: PreparedPacket) { self.prepared = prepared }
}

/// A session an adapter found for a recovering client, with what it missed, in order.
public struct RestoredSession: Sendable {
    public var session: PersistedSession
    public var missedPackets: [MissedPacket]
    /// The in-memory adapter's newest sequence when restoring: a live delivery up to it is a duplicate
    /// of a missed packet. 0 for adapters whose offsets are not sequences.
    package var horizon: UInt64 = 0
    public init(session: PersistedSession, missedPackets: [MissedPacket]) {
        self.session = session; self.missedPackets = missedPackets
    }
    package init(session: PersistedSession, missedPackets: [MissedPacket], horizon: UInt64) {
        self.session = session; self.missedPackets = missedPackets; self.horizon = horizon
    }
}

/// Why a client's recovery failed; the client then gets a new session, as in Node.
public enum RecoveryFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The adapter keeps no sessions (Node's base adapter, the classic Redis adapter).
    case unsupported
    /// No session with this pid: never persisted, already restored, forgotten, or of another process.
    case unknownSession
    /// The session is older than `maxDisconnectionDuration`.
    case expired
    /// The offset is not one this adapter wrote.
    case invalidOffset(String)
    /// Packets after the offset were already dropped (by age or `maxReplayBytes`): replay would skip some.
    case packetsDropped
    /// The adapter could not answer (a peer or store is unreachable).
    case adapterError(String)

    public var description: String {
        switch self {
        case .unsupported: "this adapter does not support connection state recovery"
        case .unknownSession: "no session for this pid (never persisted, already restored, or forgotten)"
        case .expired: "the session is older than maxDisconnectionDuration"
        case .invalidOffset(let offset): "offset \(offset) was not written by this adapter"
        case .packetsDropped: "packets after the offset were dropped from the replay buffer (age or maxReplayBytes)"
        case .adapterError(let message): "adapter error: \(message)"
        }
    }
}

/// Recoveries attempted by this server, by outcome: for tests now, metrics later.
package struct RecoveryCounts: Sendable, Equatable {
    package var recovered = 0
    package var failed = 0
}

/// Counters behind `SocketIOServer.recoveryCounts`; touched once per reconnecting client, never per packet.
final class RecoveryCounters: Sendable {
    private let recovered = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)

    func count(success: Bool) {
        if success { recovered.add(1, ordering: .relaxed) } else { failed.add(1, ordering: .relaxed) }
    }

    var snapshot: RecoveryCounts {
        RecoveryCounts(recovered: recovered.load(ordering: .relaxed), failed: failed.load(ordering: .relaxed))
    }
}

/// Node's recoverable disconnect reasons: the client did not leave on purpose.
extension DisconnectReason {
    var isRecoverable: Bool {
        switch self {
        case .transportError, .transportClose, .forcedClose, .pingTimeout, .serverShuttingDown: true
        case .serverNamespaceDisconnect, .clientNamespaceDisconnect, .parseError: false
        }
    }
}

extension OutgoingPacket {
    /// The same event with `offset` appended as its last argument, as recovering clients expect.
    public func appendingOffset(_ offset: String) -> OutgoingPacket {
        var copy = self
        if case .array(var items)? = packet.data {
            items.append(.string(offset))
            copy.packet.data = .array(items)
        }
        return copy
    }

    /// Recovery applies to events without an ack that may not be dropped (Node's rule).
    var isRecoverable: Bool { packet.type == .event && packet.id == nil }
}
