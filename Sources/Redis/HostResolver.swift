import Dispatch
import Glibc
import Reactor

/// Turns a host name into an IP literal for `TCPConnection.connect` without blocking a loop:
/// literals answer at once, names go through `getaddrinfo` on a background thread. An IPv4 address
/// is preferred: Redis binds `127.0.0.1` by default, and `localhost` may list `::1` first.
enum HostResolver {
    struct Failure: Error { let message: String }

    /// `done` runs on `loop` (synchronously for literals).
    static func resolve(_ host: String, on loop: EventLoop, _ done: @escaping (Result<String, Failure>) -> Void) {
        if isLiteral(host) { return done(.success(host)) }
        let callback = UncheckedBox(done)
        DispatchQueue.global().async {
            let result = lookup(host)
            loop.execute { callback.value(result) }
        }
    }

    private static func text(_ pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "unknown error" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
    }

    private static func text(_ chars: [CChar]) -> String {
        chars.withUnsafeBufferPointer { text($0.baseAddress) }
    }

    static func isLiteral(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    private static func lookup(_ host: String) -> Result<String, Failure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        guard rc == 0, let first = list else {
            return .failure(Failure(message: "cannot resolve \"\(host)\": \(Self.text(gai_strerror(rc)))"))
        }
        defer { freeaddrinfo(list) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        var v6: in6_addr?
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry, let address = info.pointee.ai_addr {
            entry = info.pointee.ai_next
            if info.pointee.ai_family == AF_INET {
                var v4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                _ = inet_ntop(AF_INET, &v4, &text, socklen_t(text.count))
                return .success(Self.text(text))
            }
            if info.pointee.ai_family == AF_INET6, v6 == nil {
                v6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            }
        }
        if var v6 {
            _ = inet_ntop(AF_INET6, &v6, &text, socklen_t(text.count))
            return .success(Self.text(text))
        }
        return .failure(Failure(message: "\"\(host)\" has no IPv4 or IPv6 address"))
    }
}

/// Carries a loop-confined value through a hop that comes back to the same loop.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
