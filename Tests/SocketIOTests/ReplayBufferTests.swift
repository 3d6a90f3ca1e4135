import Testing
@testable import SocketIO

/// The in-memory recovery state on its own, driven by a clock the test sets (nanoseconds).
@Suite struct ReplayBufferTests {
    typealias Buffer = ReplayBuffer<String>
    static let second: UInt64 = 1_000_000_000

    func session(_ pid: String, rooms: Set<Room> = ["a"], connectOffset: UInt64 = 0) -> PersistedSession {
        PersistedSession(sid: "sid-" + pid, pid: pid, rooms: rooms.union(["sid-" + pid]), data: ["n": 1],
                         connectOffset: String(connectOffset))
    }

    /// Appends `payload` to `rooms` at `time`; returns its sequence.
    @discardableResult
    func append(_ buffer: inout Buffer, _ payload: String, rooms: Set<Room> = [], except: Set<Room> = [],
                time: UInt64 = 0, bytes: Int = 10) -> UInt64 {
        let sequence = buffer.nextSequence()
        buffer.append(sequence: sequence, time: time, rooms: rooms, except: except, payload: payload, bytes: bytes)
        return sequence
    }

    @Test func replaysWhatFollowsTheOffsetForTheSessionsRoomsInOrder() throws {
        var buffer = Buffer(maxAge: .seconds(120), maxBytes: 1000, maxSessions: 10)
        let first = append(&buffer, "everyone 1")
        append(&buffer, "to a", rooms: ["a"])
        append(&buffer, "to b", rooms: ["b"])
        append(&buffer, "to a or b", rooms: ["a", "b"])
        append(&buffer, "everyone but a", except: ["a"])
        append(&buffer, "everyone 2")
        buffer.persist(session("p"), time: 0)
        let restored = try buffer.restore(pid: "p", offset: first, now: 1).get()
        #expect(restored.missed == ["to a", "to a or b", "everyone 2"])
        #expect(restored.session.sid == "sid-p")
        #expect(restored.session.data == ["n": 1])
        #expect(restored.horizon == 6)
    }

    @Test func aSessionIsRestoredOnce() throws {
        var buffer = Buffer(maxAge: .seconds(120), maxBytes: 1000, maxSessions: 10)
        buffer.persist(session("p"), time: 0)
        _ = try buffer.restore(pid: "p", offset: nil, now: 0).get()
        #expect(buffer.restore(pid: "p", offset: nil, now: 0).failure == .unknownSession)
        #expect(buffer.sessionCount == 0)
    }

    @Test func withoutAnOffsetReplayStartsAtTheSessionsConnectOffset() throws {
        var buffer = Buffer(maxAge: .seconds(120), maxBytes: 1000, maxSessions: 10)
        append(&buffer, "before it connected")
        buffer.persist(session("p", connectOffset: 1), time: 0)
        append(&buffer, "while away")
        #expect(try buffer.restore(pid: "p", offset: nil, now: 0).get().missed == ["while away"])
    }

    @Test func anOffsetOlderThanTheSessionIsClampedToItsStart() throws {
        var buffer = Buffer(maxAge: .seconds(120), maxBytes: 1000, maxSessions: 10)
        append(&buffer, "earlier session's")
        append(&buffer, "also earlier")
        buffer.persist(session("p", connectOffset: 2), time: 0)
        append(&buffer, "mine")
        #expect(try buffer.restore(pid: "p", offset: 1, now: 0).get().missed == ["mine"])
    }

    @Test func anOffsetNeverHandedOutIsRefused() {
        var buffer = Buffer(maxAge: .seconds(120), maxBytes: 1000, maxSessions: 10)
        append(&buffer, "x")
        buffer.persist(session("p"), time: 0)
        #expect(buffer.restore(pid: "p", offset: 5, now: 0).failure == .invalidOffset("5"))
    }

    @Test func sessionsExpireAfterMaxAgeExactly() throws {
        var buffer = Buffer(maxAge: .seconds(2), maxBytes: 1000, maxSessions: 10)
        buffer.persist(session("at"), time: 0)
        buffer.persist(session("past"), time: 0)
        #expect(throws: Never.self) { try buffer.restore(pid: "at", offset: nil, now: 2 * Self.second).get() }
        #expect(buffer.restore(pid: "past", offset: nil, now: 2 * Self.second + 1).failure == .expired)
    }

    @Test func expiredSessionsAreDroppedByLaterPersists() {
        var buffer = Buffer(maxAge: .seconds(2), maxBytes: 1000, maxSessions: 1000)
        for i in 0..<100 { buffer.persist(session("old\(i)"), time: 0) }
        buffer.persist(session("new"), time: 3 * Self.second)
        #expect(buffer.sessionCount == 1)
    }

    @Test func sessionsAreBoundedByCountAtTheLimitAndOnePast() {
        var buffer = Buffer(maxAge: .seconds(120), maxBytes: 1000, maxSessions: 3)
        for i in 1...3 { buffer.persist(session("p\(i)"), time: UInt64(i)) }
        #expect(buffer.sessionCount == 3)
        buffer.persist(session("p4"), time: 4)
        #expect(buffer.sessionCount == 3)
        #expect(buffer.restore(pid: "p1", offset: nil, now: 5).failure == .unknownSession)
        #expect(buffer.restore(pid: "p2", offset: nil, now: 5).failure == nil)
    }

    @Test func aFloodOfDisconnectsStaysWithinTheBound() {
        var buffer = Buffer(maxAge: .seconds(120), maxBytes: 1000, maxSessions: 500)
        for i in 0..<50_000 { buffer.persist(session("p\(i)"), time: UInt64(i)) }
        #expect(buffer.sessionCount == 500)
        #expect(buffer.restore(pid: "p49999", offset: nil, now: 50_000).failure == nil)
    }

    @Test func aSessionPersistedAgainKeepsItsNewerEntry() {
        var buffer = Buffer(maxAge: .seconds(2), maxBytes: 1000, maxSessions: 10)
        buffer.persist(session("p"), time: 0)
        buffer.persist(session("p"), time: 3 * Self.second)
        buffer.persist(session("q"), time: 3 * Self.second)  // trims the stale first entry of p
        #expect(buffer.restore(pid: "p", offset: nil, now: 3 * Self.second).failure == nil)
    }

    @Test func packetsAreBoundedByBytesAtTheLimitAndOnePast() {
        var buffer = Buffer(maxAge: .seconds(120), maxBytes: 30, maxSessions: 10)
        for i in 1...3 { append(&buffer, "p\(i)", bytes: 10) }
        #expect(buffer.packetCount == 3)
        #expect(buffer.bytes == 30)
        append(&buffer, "p4", bytes: 1)
        #expect(buffer.packetCount == 3)
        #expect(buffer.bytes == 21)
    }

    @Test func replayPastDroppedPacketsFailsRatherThanSkipSome() throws {
        var buffer = Buffer(maxAge: .seconds(120), maxBytes: 20, maxSessions: 10)
        let first = append(&buffer, "1")
        buffer.persist(session("p"), time: 0)
        buffer.persist(session("q"), time: 0)
        append(&buffer, "2")
        append(&buffer, "3")  // drops "1"
        #expect(buffer.restore(pid: "p", offset: first, now: 0).failure == nil)  // "2" onwards is all there
        buffer.persist(session("p"), time: 0)
        append(&buffer, "4")  // drops "2"
        #expect(buffer.restore(pid: "p", offset: first, now: 0).failure == .packetsDropped)
        #expect(try buffer.restore(pid: "q", offset: 2, now: 0).get().missed == ["3", "4"])
    }

    @Test func packetsOlderThanMaxAgeAreDroppedOnAppendAndRestore() {
        var buffer = Buffer(maxAge: .seconds(2), maxBytes: 1000, maxSessions: 10)
        append(&buffer, "old", time: 0)
        append(&buffer, "new", time: 2 * Self.second)
        #expect(buffer.packetCount == 2)  // exactly maxAge old: kept
        append(&buffer, "newer", time: 2 * Self.second + 1)
        #expect(buffer.packetCount == 2)
        buffer.trimPackets(now: 10 * Self.second)
        #expect(buffer.packetCount == 0)
        #expect(buffer.bytes == 0)
    }

    @Test func nothingEmittedSinceTheLastReceivedPacketRecoversEvenAfterItAgedOut() throws {
        // Node's gap (socket.io#5282): the client's offset left the buffer by age, yet nothing after it
        // is missing, so there is nothing to skip.
        var buffer = Buffer(maxAge: .seconds(2), maxBytes: 1000, maxSessions: 10)
        let last = append(&buffer, "long ago", time: 0)
        buffer.persist(session("p"), time: 5 * Self.second)
        let restored = try buffer.restore(pid: "p", offset: last, now: 6 * Self.second).get()
        #expect(restored.missed.isEmpty)
    }

    @Test func catchUpHandsOverWhatFollowsTheHorizon() {
        var buffer = Buffer(maxAge: .seconds(120), maxBytes: 1000, maxSessions: 10)
        append(&buffer, "1", rooms: ["a"])
        append(&buffer, "2", rooms: ["b"])
        append(&buffer, "3", rooms: ["a"])
        let (missed, horizon) = buffer.packets(after: 1, for: ["a"])
        #expect(missed == ["3"])
        #expect(horizon == 3)
    }

    @Test func manyAppendsKeepTheBufferCompact() {
        var buffer = Buffer(maxAge: .seconds(120), maxBytes: 100, maxSessions: 10)
        for i in 0..<100_000 { append(&buffer, "\(i)", bytes: 10) }
        #expect(buffer.packetCount == 10)
        #expect(buffer.lastSequence == 100_000)
    }
}

extension Result {
    var failure: Failure? { if case .failure(let error) = self { error } else { nil } }
}
