import Reactor

/// The sockets a broadcast reaches, grouped by event loop, so delivery costs one hand-over per loop.
///
/// The in-memory adapter keeps one per room (and one for the whole namespace) until the membership
/// changes: a broadcast then resolves no socket ids, hashes nothing per recipient and allocates no
/// per-recipient storage.
final class RecipientGroups: Sendable {
    struct Group: Sendable {
        /// Where the group's sockets live, and the batch their broadcasts go through.
        let batch: BroadcastBatch
        var sockets: [Socket]
        var loop: EventLoop { batch.loop }
    }

    let groups: [Group]
    let count: Int

    init(_ sockets: some Sequence<Socket>) {
        var groups: [Group] = []
        var count = 0
        var last = 0
        for socket in sockets {
            count += 1
            // Loops are few (one per core): a scan, starting with the last hit, beats hashing.
            if last < groups.count, groups[last].loop === socket.loop {
                groups[last].sockets.append(socket)
            } else if let index = groups.firstIndex(where: { $0.loop === socket.loop }) {
                groups[index].sockets.append(socket)
                last = index
            } else {
                groups.append(Group(batch: socket.client.broadcasts, sockets: [socket]))
                last = groups.count - 1
            }
        }
        self.groups = groups
        self.count = count
    }

    /// Every recipient but the sockets in `excluded`.
    func excluding(_ excluded: SocketExclusion) -> RecipientGroups {
        guard !excluded.isEmpty else { return self }
        return RecipientGroups(groups.lazy.flatMap(\.sockets).filter { !excluded.contains($0) })
    }
}

/// The sockets an `except(...)` leaves out, compared by identity: usually one (the sender of
/// `socket.broadcast`), so a scan is cheaper than hashing every recipient's id.
struct SocketExclusion: Sendable {
    private let few: [Socket]
    private let many: Set<ObjectIdentifier>

    /// Nobody left out.
    static let none = SocketExclusion([])

    init(_ sockets: [Socket]) {
        if sockets.count <= 8 {
            few = sockets
            many = []
        } else {
            few = []
            many = Set(sockets.map(ObjectIdentifier.init))
        }
    }

    var isEmpty: Bool { few.isEmpty && many.isEmpty }

    func contains(_ socket: Socket) -> Bool {
        many.isEmpty ? few.contains { $0 === socket } : many.contains(ObjectIdentifier(socket))
    }
}
