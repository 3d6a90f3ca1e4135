/// The channel names of `@socket.io/redis-adapter`'s classic protocol for one namespace, with `key`
/// `K` and namespace `N`: broadcasts on `K#N#` (or `K#N#<room>#` for exactly one room), requests on
/// `K-request#N#`, responses on `K-response#N#` and `K-response#N#<uid>#`.
struct ClassicChannels: Sendable, Equatable {
    let broadcast: String
    let request: String
    let response: String
    let key: String
    let namespace: String

    init(key: String, namespace: String) {
        self.key = key
        self.namespace = namespace
        broadcast = "\(key)#\(namespace)#"
        request = "\(key)-request#\(namespace)#"
        response = "\(key)-response#\(namespace)#"
    }

    /// The pattern every server listens to for broadcasts.
    var broadcastPattern: String { broadcast + "*" }

    /// Where a broadcast to `rooms` goes: the room's own channel when there is exactly one.
    func broadcastChannel(rooms: some Collection<String>) -> String {
        if rooms.count == 1, let room = rooms.first { return broadcast + room + "#" }
        return broadcast
    }

    /// The private response channel of the server whose adapter uid is `uid`.
    func response(for uid: String) -> String { "\(response)\(uid)#" }

    /// The room a broadcast channel names ("" for `K#N#`), or nil when it is not one of ours.
    func room(inBroadcastChannel channel: String) -> String? {
        guard channel.hasPrefix(broadcast) else { return nil }
        let rest = channel.utf8.dropFirst(broadcast.utf8.count)
        if rest.isEmpty { return "" }
        guard rest.last == UInt8(ascii: "#") else { return nil }
        return String(decoding: rest.dropLast(), as: UTF8.self)
    }
}

/// The classic protocol's request types (`RequestType` in the Node adapter).
enum ClassicRequestType: Int, Sendable {
    case sockets = 0, allRooms, remoteJoin, remoteLeave, remoteDisconnect, remoteFetch, serverSideEmit,
         broadcast, broadcastClientCount, broadcastAck
}
