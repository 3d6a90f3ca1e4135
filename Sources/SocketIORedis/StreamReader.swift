import Reactor
import Redis
import RESP
import Synchronization

/// Reads one Redis stream for every Redis Streams adapter of a process (one per namespace): `XREAD
/// BLOCK` on a connection of its own (a blocking read holds its connection), each entry handed to the
/// adapter of its `nsp`. It starts after the stream's last entry at start-up (`XREVRANGE … COUNT 1`,
/// an explicit id rather than `$`): after a Redis restart that lost the stream, reading on from that
/// id gets every entry added since, where `$` would skip those added before the first read.
final class StreamReader: Sendable {
    private final class Entry: @unchecked Sendable {
        // Set once in init; a weak reference is a var to the compiler.
        weak var adapter: RedisStreamsAdapter?
        init(_ adapter: RedisStreamsAdapter) { self.adapter = adapter }
    }

    let stream: String
    private let client: RedisClient
    private let options: RedisStreamsAdapterOptions
    private let adapters = Mutex<[String: Entry]>([:])
    /// The id of the last entry read (nil until the start point is known); touched only by the read
    /// loop (one command in flight at a time).
    private let lastID = Mutex<String?>(nil)
    private let stopped = Atomic<Bool>(false)

    init(stream: String, configuration: RedisConfiguration, loop: EventLoop, options: RedisStreamsAdapterOptions) {
        self.stream = stream
        self.options = options
        client = RedisClient(configuration: configuration, loop: loop)
        client.connect()
        read()
    }

    func add(_ adapter: RedisStreamsAdapter) { adapters.withLock { $0[adapter.namespace.name] = Entry(adapter) } }
    func remove(_ adapter: RedisStreamsAdapter) {
        adapters.withLock { if $0[adapter.namespace.name]?.adapter === adapter { $0[adapter.namespace.name] = nil } }
    }

    func close() {
        stopped.store(true, ordering: .releasing)
        client.close()
    }

    private func read() {
        guard !stopped.load(ordering: .acquiring) else { return }
        guard let from = lastID.withLock({ $0 }) else { return findStart() }
        let block = Int(options.blockTime.components.seconds * 1000)
        client.send(["XREAD", "COUNT", String(options.readCount), "BLOCK", String(block), "STREAMS", stream, from],
                    timeout: options.blockTime + .seconds(5)) { [self] result in
            switch result {
            case .success(let reply):
                deliver(reply)
                read()
            case .failure:
                retry()
            }
        }
    }

    /// The last entry's id now, or `0-0` for an empty stream.
    private func findStart() {
        client.send(["XREVRANGE", stream, "+", "-", "COUNT", "1"]) { [self] result in
            guard case .success(let reply) = result, let entries = reply.elements else { return retry() }
            let last = entries.first?.elements?.first?.string ?? "0-0"
            lastID.withLock { $0 = last }
            read()
        }
    }

    /// Redis away or slow: try again shortly (the client reconnects by itself).
    private func retry() {
        Task {
            try? await Task.sleep(for: .milliseconds(200))
            self.read()
        }
    }

    /// `[[stream, [[id, [field, value, …]], …]]]`, or null when the block timed out.
    private func deliver(_ reply: RESPValue) {
        guard let streams = reply.elements else { return }
        for stream in streams {
            guard let entries = stream.elements?.last?.elements else { continue }
            for entry in entries {
                guard let parts = entry.elements, parts.count == 2, let id = parts[0].string,
                      let flat = parts[1].elements else { continue }
                lastID.withLock { $0 = id }
                var fields: [String: String] = [:]
                var index = 0
                while index + 1 < flat.count {
                    if let key = flat[index].string, let value = flat[index + 1].string { fields[key] = value }
                    index += 2
                }
                guard let nsp = fields["nsp"], let adapter = adapters.withLock({ $0[nsp]?.adapter }) else { continue }
                adapter.receiveEntry(fields, id: id)
            }
        }
    }
}
