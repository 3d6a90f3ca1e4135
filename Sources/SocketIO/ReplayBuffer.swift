/// The in-memory adapter's recovery state: recent eligible packets, each with its sequence number
/// (the offset clients echo back), and the sessions of disconnected sockets.
///
/// A value type driven by the caller's clock (nanoseconds), so its bounds and expiry are tested
/// without waiting. Packets and sessions both expire after `maxAge` and are dropped oldest first,
/// packets also past `maxBytes` and sessions past `maxSessions`: nothing here grows with traffic or
/// disconnects beyond those bounds. Trimming is amortized over appends and persists; no timer.
struct ReplayBuffer<Payload> {
    struct Entry {
        let sequence: UInt64
        let time: UInt64
        let rooms: Set<Room>
        let except: Set<Room>
        let payload: Payload
        let bytes: Int
    }
    struct StoredSession {
        let session: PersistedSession
        let time: UInt64
    }
    struct Restored {
        let session: PersistedSession
        let missed: [Payload]
        /// The sequence of the newest packet in the buffer when restored: live deliveries up to it are
        /// already in `missed`.
        let horizon: UInt64
    }

    let maxAge: UInt64
    let maxBytes: Int
    let maxSessions: Int

    /// Oldest first; `head` skips dropped entries until compaction.
    private var entries: [Entry] = []
    private var head = 0
    private(set) var bytes = 0
    /// The newest sequence handed out (0: none yet). Sequences are contiguous: a gap in the buffer
    /// can only mean dropped packets.
    private(set) var lastSequence: UInt64 = 0

    private var sessions: [String: StoredSession] = [:]
    /// Persist order (= expiry order); a pid persisted again later leaves a stale entry, recognized by its time.
    private var sessionOrder: [(pid: String, time: UInt64)] = []
    private var sessionHead = 0

    init(maxAge: Duration, maxBytes: Int, maxSessions: Int) {
        let (seconds, attoseconds) = maxAge.components
        self.maxAge = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds / 1_000_000_000))
        self.maxBytes = maxBytes
        self.maxSessions = maxSessions
    }

    var packetCount: Int { entries.count - head }
    var sessionCount: Int { sessions.count }

    // MARK: Packets

    /// The next sequence number; the caller appends the packet that carries it before asking again.
    mutating func nextSequence() -> UInt64 {
        lastSequence += 1
        return lastSequence
    }

    /// Keeps a packet (a packet larger than `maxBytes` is not kept: replay past it fails).
    mutating func append(sequence: UInt64, time: UInt64, rooms: Set<Room>, except: Set<Room>, payload: Payload, bytes size: Int) {
        entries.append(Entry(sequence: sequence, time: time, rooms: rooms, except: except, payload: payload, bytes: size))
        bytes += size
        trimPackets(now: time)
    }

    mutating func trimPackets(now: UInt64) {
        while head < entries.count,
              bytes > maxBytes || entries[head].time + maxAge < now {
            bytes -= entries[head].bytes
            head += 1
        }
        // Compact once the dropped prefix is the larger part, so appends stay amortized O(1).
        if head > 64, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        } else if head == entries.count {
            entries.removeAll(keepingCapacity: entries.count < 1024)
            head = 0
        }
    }

    // MARK: Sessions

    mutating func persist(_ session: PersistedSession, time: UInt64) {
        sessions[session.pid] = StoredSession(session: session, time: time)
        sessionOrder.append((session.pid, time))
        trimSessions(now: time)
    }

    mutating func trimSessions(now: UInt64) {
        while sessionHead < sessionOrder.count {
            let (pid, time) = sessionOrder[sessionHead]
            let current = sessions[pid]
            let stale = current?.time != time
            guard stale || time + maxAge < now || sessions.count > maxSessions else { break }
            if !stale { sessions[pid] = nil }
            sessionHead += 1
        }
        if sessionHead > 64, sessionHead * 2 > sessionOrder.count {
            sessionOrder.removeFirst(sessionHead)
            sessionHead = 0
        } else if sessionHead == sessionOrder.count {
            sessionOrder.removeAll(keepingCapacity: sessionOrder.count < 1024)
            sessionHead = 0
        }
    }

    /// Takes the session (single use) and the packets it missed after `offset` (or, without one,
    /// after the session's connect offset): those for any of its rooms, or everyone, and not excluded.
    mutating func restore(pid: String, offset: UInt64?, now: UInt64) -> Result<Restored, RecoveryFailure> {
        trimPackets(now: now)
        guard let stored = sessions.removeValue(forKey: pid) else {
            trimSessions(now: now)
            return .failure(.unknownSession)
        }
        trimSessions(now: now)
        guard stored.time + maxAge >= now else { return .failure(.expired) }
        let session = stored.session
        let connectedAt = session.connectOffset.flatMap(UInt64.init) ?? 0
        // A client keeps its last offset across failed recoveries: an offset older than this
        // session's start belongs to an earlier one, and the session's own start is the floor.
        let floor = max(offset ?? connectedAt, connectedAt)
        guard floor <= lastSequence else { return .failure(.invalidOffset(String(floor))) }
        let oldestKept = head < entries.count ? entries[head].sequence : lastSequence + 1
        guard oldestKept <= floor + 1 else { return .failure(.packetsDropped) }

        var missed: [Payload] = []
        let start = head + Int(floor + 1 - oldestKept)
        if start < entries.count {
            for entry in entries[start...] where Self.reaches(entry, session.rooms) { missed.append(entry.payload) }
        }
        return .success(Restored(session: session, missed: missed, horizon: lastSequence))
    }

    /// Packets after `sequence` for `rooms` (a restored socket's catch-up once it is back in its rooms:
    /// what was recorded between the restore and the join), and the newest sequence now.
    func packets(after sequence: UInt64, for rooms: Set<Room>) -> (missed: [Payload], horizon: UInt64) {
        var missed: [Payload] = []
        for entry in entries[head...] where entry.sequence > sequence && Self.reaches(entry, rooms) {
            missed.append(entry.payload)
        }
        return (missed, lastSequence)
    }

    /// Node's `shouldIncludePacket`: for everyone or one of the rooms, and none of the rooms excluded.
    static func reaches(_ entry: Entry, _ rooms: Set<Room>) -> Bool {
        (entry.rooms.isEmpty || !entry.rooms.isDisjoint(with: rooms)) && entry.except.isDisjoint(with: rooms)
    }
}
