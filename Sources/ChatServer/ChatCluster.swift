import Dispatch
import Foundation
import SocketIO
import SocketIORedis

/// What several chat processes on one Redis share beyond the adapter's rooms and broadcasts: who holds
/// which name, the room counts, and the rooms' history. One process alone needs none of it.
struct ChatCluster: Sendable {
    let names: RedisNames
    let history: RedisHistory
    let presence: ClusterPresence
}

/// Runs a Redis command from the chat's serial queue and waits for it (briefly: Redis is near, and
/// while it is away commands fail at once). Never called on an event loop.
func redisCall(_ redis: RedisConnection, _ command: [String], timeout: Duration = .seconds(1)) -> RedisReply? {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var reply: Result<RedisReply, RedisAdapterError>? = nil
    redis.send(command, timeout: timeout) { result in
        reply = result
        done.signal()
    }
    done.wait()
    switch reply {
    case .success(let value)?: return value
    case .failure(let error)?:
        RedisWarnings.shared.note("chat: \(command.first ?? "") failed: \(error)")
        return nil
    case nil: return nil
    }
}

/// One log line per kind of failure while it lasts, not one per command.
final class RedisWarnings: @unchecked Sendable {
    static let shared = RedisWarnings()
    private var last: String?
    private let lock = NSLock()
    func note(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        if line != last { log(line) }
        last = line
    }
}

/// Names unique over the cluster: `SET <key>:chat:name:<lowercased> <owner> NX EX 30`, refreshed every
/// 10 s while the member stays, deleted (only if still ours) when it leaves. A process that dies
/// frees its names within 30 s. While Redis is away a join goes ahead with this process's own check.
final class RedisNames: Sendable {
    let redis: RedisConnection
    let prefix: String
    let process: String
    static let lifetime = 30

    init(redis: RedisConnection, key: String, process: String) {
        self.redis = redis
        self.prefix = key + ":chat:name:"
        self.process = process
    }

    private func owner(_ id: SocketID) -> String { process + ":" + id }

    /// False when another member of the cluster holds the name.
    func reserve(_ name: String, for id: SocketID) -> Bool {
        let reply = redisCall(redis, ["SET", prefix + name.lowercased(), owner(id), "NX", "EX", String(Self.lifetime)])
        guard let reply else { return true }
        return !reply.isNull
    }

    func release(_ name: String, of id: SocketID) {
        // Compare and delete in one step: a name that expired and was taken since is not ours to free.
        redis.send(["EVAL", "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
                    "1", prefix + name.lowercased(), owner(id)]) { _ in }
    }

    func refresh(_ members: [(name: String, id: SocketID)]) {
        for member in members {
            redis.send(["SET", prefix + member.name.lowercased(), owner(member.id), "XX", "EX", String(Self.lifetime)]) { _ in }
        }
    }
}

/// The rooms' recent messages in Redis lists (`<key>:chat:history:<room>`), so every process shows the
/// same history; a list not written to for a week expires.
final class RedisHistory: MessageHistory {
    let redis: RedisConnection
    let prefix: String
    let perRoom: Int

    init(redis: RedisConnection, key: String, perRoom: Int) {
        self.redis = redis
        self.prefix = key + ":chat:history:"
        self.perRoom = perRoom
    }

    func record(_ message: ChatMessage, room key: String) {
        guard perRoom > 0, let data = try? JSONEncoder().encode(message) else { return }
        let list = prefix + key
        redis.send(["RPUSH", list, String(decoding: data, as: UTF8.self)]) { _ in }
        redis.send(["LTRIM", list, String(-perRoom), "-1"]) { _ in }
        redis.send(["EXPIRE", list, String(7 * 24 * 3600)]) { _ in }
    }

    func recent(room key: String) -> [ChatMessage] {
        guard perRoom > 0, let items = redisCall(redis, ["LRANGE", prefix + key, String(-perRoom), "-1"])?.array else { return [] }
        return items.compactMap { item in
            item.string.flatMap { try? JSONDecoder().decode(ChatMessage.self, from: Data($0.utf8)) }
        }
    }
}

/// Room counts over the cluster: each process tells the others its rooms (`serverSideEmit`) when they
/// change and every 10 s; one not heard of for 30 s is forgotten. Each process then sends its own
/// clients the merged list.
final class ClusterPresence: Sendable {
    static let event = "chat:presence"
    let io: SocketIOServer
    let process: String

    init(io: SocketIOServer, process: String) {
        self.io = io
        self.process = process
    }

    func start(chat: Chat) {
        io.onServerSideEmit(Self.event) { args, _ in
            guard let sender = args.first?.stringValue, let snapshot = args[safe: 1] else { return }
            let rooms = try? JSONValueDecoder().decode([String: ChatState.Room].self, from: snapshot)
            chat.serially { chat.remoteRoomsChanged(sender, rooms: rooms) }
        }
        Task {
            while true {
                try? await Task.sleep(for: .seconds(10))
                chat.serially { chat.clusterTick() }
            }
        }
        chat.serially { chat.publishRooms() }
    }

    /// Tells the other processes this one's rooms (nil: it is leaving).
    func announce(_ rooms: [String: ChatState.Room]?) {
        let snapshot = rooms.flatMap { try? JSONValueEncoder().encode($0) } ?? .null
        io.serverSideEmit(Self.event, .string(process), snapshot)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
