import CEpoll
import Glibc

/// Converting between textual IP literals and the kernel's socket addresses.
enum SocketAddress {
    /// A bindable address for `host` (IPv4 literal, IPv6 literal, `localhost` or empty for any IPv4).
    static func make(host: String, port: Int) throws(ReactorError) -> (storage: sockaddr_storage, length: socklen_t, family: Int32) {
        guard (0...65535).contains(port) else { throw .bindFailed(host: host, port: port, errno: EINVAL) }
        var storage = sockaddr_storage()
        let literal = host.isEmpty ? "0.0.0.0" : (host == "localhost" ? "127.0.0.1" : host)
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(port).bigEndian)
            sin.sin_addr = v4
            withUnsafeMutableBytes(of: &storage) { raw in
                withUnsafeBytes(of: sin) { raw.copyMemory(from: $0) }
            }
            return (storage, socklen_t(MemoryLayout<sockaddr_in>.size), AF_INET)
        }
        let bare = literal.hasPrefix("[") && literal.hasSuffix("]") ? String(literal.dropFirst().dropLast()) : literal
        var v6 = in6_addr()
        if inet_pton(AF_INET6, bare, &v6) == 1 {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(UInt16(port).bigEndian)
            sin6.sin6_addr = v6
            withUnsafeMutableBytes(of: &storage) { raw in
                withUnsafeBytes(of: sin6) { raw.copyMemory(from: $0) }
            }
            return (storage, socklen_t(MemoryLayout<sockaddr_in6>.size), AF_INET6)
        }
        throw .invalidAddress(host: host)
    }

    /// The textual IP of an accepted peer (`127.0.0.1`, `::1`, `::ffff:10.0.0.1`).
    static func ipString(_ storage: sockaddr_storage) -> String {
        var storage = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = Int32(storage.ss_family)
        let ok: Bool = withUnsafePointer(to: &storage) { ptr in
            if family == AF_INET {
                return ptr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var addr = sin.pointee.sin_addr
                    return inet_ntop(AF_INET, &addr, &text, socklen_t(text.count)) != nil
                }
            } else if family == AF_INET6 {
                return ptr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    var addr = sin6.pointee.sin6_addr
                    return inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count)) != nil
                }
            }
            return false
        }
        guard ok else { return "" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The port the kernel actually bound (for port 0).
    static func boundPort(fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        let family = Int32(storage.ss_family)
        return withUnsafePointer(to: &storage) { ptr -> Int? in
            switch family {
            case AF_INET:
                return ptr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            case AF_INET6:
                return ptr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            default:
                return nil
            }
        }
    }
}
