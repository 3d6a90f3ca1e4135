import Reactor
import Redis
import RESP
import Synchronization

/// Reads one Redis stream for every Redis Streams adapter of a process (one per namespace): `XREAD
/// BLOCK` on a connection of its own (a blocking read holds its connection), from `$` (what is added
/// after start), each entry handed to the adapter of its `nsp`. Goes on after errors and Redis restarts.
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
    /// The id of the last entry read; touched only by the read loop (one read in flight at a time).
    private let lastID = Mutex("$")
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
        let from = lastID.withLock { $0 }
        let block = Int(options.blockTime.components.seconds * 1000)
        client.send(["XREAD", "COUNT", String(options.readCount), "BLOCK", String(block), "STREAMS", stream, from],
                    timeout: options.blockTime + .seconds(5)) { [self] result in
            switch result {
            case .success(let reply):
                deliver(reply)
                read()
            case .failure:
                // Redis away or slow: try again shortly (the client reconnects by itself).
                Task {
                    try? await Task.sleep(for: .milliseconds(200))
                    self.read()
                }
            }
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
