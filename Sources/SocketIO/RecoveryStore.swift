import Reactor
import SocketIOParser
import Synchronization

/// The in-memory adapter's recovery half (Node's `SessionAwareAdapter`): tags eligible broadcasts
/// with an offset, keeps them in a bounded `ReplayBuffer`, and keeps disconnected sessions.
///
/// A tagged broadcast is numbered, encoded, recorded and handed to its recipients' loops under one
/// lock, so every client receives a namespace's packets in offset order: a client that saw offset N
/// has seen every earlier packet meant for it. That serializes recovering broadcasts per namespace;
/// the cost is stated in the README. Without recovery none of this exists.
final class RecoveryStore: Sendable {
    let options: ConnectionStateRecovery
    /// Bookkeeping a kept packet costs beside its encoding (entry, room sets, message objects), as
    /// measured by RecoveryMemoryTests: counted so `maxReplayBytes` bounds memory, not only payloads.
    static let entryOverhead = 200
    private let buffer: Mutex<ReplayBuffer<PreparedPacket>>

    init(_ options: ConnectionStateRecovery) {
        self.options = options
        buffer = Mutex(ReplayBuffer(maxAge: options.maxDisconnectionDuration, maxBytes: options.maxReplayBytes,
                                    maxSessions: options.maxSessions))
    }

    /// Numbers, encodes and keeps `packet`, then runs `deliver` with the tagged packet and its encoding,
    /// all under the lock (see the type's comment).
    func record(_ packet: OutgoingPacket, options: BroadcastOptions,
                deliver: (OutgoingPacket, PreparedPacket) -> Void) {
        buffer.withLock { buffer in
            let sequence = buffer.nextSequence()
            var tagged = packet.appendingOffset(String(sequence))
            tagged.sequence = sequence
            let prepared = tagged.prepare(compress: options.flags.compress ?? true)
            buffer.append(sequence: sequence, time: EventLoop.monotonicNow(), rooms: options.rooms,
                          except: options.except, payload: prepared, bytes: prepared.byteCount + Self.entryOverhead)
            deliver(tagged, prepared)
        }
    }

    var currentOffset: String { String(buffer.withLock { $0.lastSequence }) }

    func persist(_ session: PersistedSession) {
        buffer.withLock { $0.persist(session, time: EventLoop.monotonicNow()) }
    }

    func restore(pid: String, offset: String?) -> Result<ReplayBuffer<PreparedPacket>.Restored, RecoveryFailure> {
        var sequence: UInt64? = nil
        if let offset {
            guard let parsed = UInt64(offset) else {
                _ = buffer.withLock { $0.restore(pid: pid, offset: nil, now: 0) }  // consumed all the same
                return .failure(.invalidOffset(offset))
            }
            sequence = parsed
        }
        return buffer.withLock { $0.restore(pid: pid, offset: sequence, now: EventLoop.monotonicNow()) }
    }

    func packets(after sequence: UInt64, for rooms: Set<Room>) -> (missed: [PreparedPacket], horizon: UInt64) {
        buffer.withLock { $0.packets(after: sequence, for: rooms) }
    }

    /// Packets and sessions held now (for tests and the README's memory figures).
    var counts: (packets: Int, bytes: Int, sessions: Int) {
        buffer.withLock { ($0.packetCount, $0.bytes, $0.sessionCount) }
    }
}

extension PreparedPacket {
    /// Bytes of the encoded messages (the text packet and any attachments).
    var byteCount: Int { messages.reduce(0) { $0 + $1.byteCount } }
}
