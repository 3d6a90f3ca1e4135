import Redis
import RESP

/// A Redis reply, as an application sees it.
public enum RedisReply: Sendable, Equatable {
    case null
    case string(String)
    /// A bulk string that is not valid UTF-8.
    case data([UInt8])
    case integer(Int)
    case array([RedisReply])

    init(_ value: RESPValue) {
        if value.isNull { self = .null; return }
        if let integer = value.integer { self = .integer(Int(integer)); return }
        if let elements = value.elements { self = .array(elements.map(RedisReply.init)); return }
        let bytes = value.bytes ?? []
        if let text = String(validating: bytes, as: UTF8.self) { self = .string(text) } else { self = .data(bytes) }
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var integer: Int? { if case .integer(let i) = self { i } else { nil } }
    public var array: [RedisReply]? { if case .array(let a) = self { a } else { nil } }
    public var isNull: Bool { self == .null }
}

extension RedisConnection {
    /// Sends one command on the publisher connection (pipelined with the adapters' publishes), for the
    /// application's own shared state: `try await redis.send(["SET", "k", "v", "NX", "EX", "30"])`.
    /// Fails at once with `.commandFailed` while Redis is down, after `timeout` without a reply, or with
    /// Redis's error message.
    public func send(_ command: [String], timeout: Duration? = nil) async throws(RedisAdapterError) -> RedisReply {
        let result = await withCheckedContinuation { continuation in
            send(command, timeout: timeout) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// The same with a completion, which runs on the connection's own thread.
    public func send(_ command: [String], timeout: Duration? = nil,
                     completion: @escaping @Sendable (Result<RedisReply, RedisAdapterError>) -> Void) {
        publisher.send(command, timeout: timeout) { result in
            switch result {
            case .success(.error(let message)): completion(.failure(.commandFailed(message)))
            case .success(let value): completion(.success(RedisReply(value)))
            case .failure(let error): completion(.failure(.commandFailed("\(error)")))
            }
        }
    }
}
