extension RedisConfiguration {
    /// Reads `redis://[[user]:password@]host[:port][/db]` (also `?db=N`), as redis-cli and the Node
    /// clients write them, and `unix://[[user]:password@]/path/to/redis.sock[?db=N]`. User and
    /// password are percent-decoded; IPv6 hosts go in brackets. `rediss://` (TLS) is refused with the reason.
    package init(url: String) throws(RedisError) {
        self.init()
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else {
            throw .invalidURL("\"\(url)\" has no scheme: write redis://host:port")
        }
        let scheme = url[..<colon].lowercased()
        switch scheme {
        case "redis", "unix": break
        case "rediss": throw .invalidURL("rediss:// (TLS) is not supported: use redis:// on a trusted network or a local TLS tunnel (stunnel, spiped)")
        default: throw .invalidURL("unknown scheme \"\(scheme)://\": write redis://host:port")
        }
        var rest = url[url.index(colon, offsetBy: 3)...]
        var query: Substring?
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        if scheme == "unix" {
            // unix://[user:password@]/path: the path is everything from the first slash (a slash in
            // the password must be written %2F).
            guard let slash = rest.firstIndex(of: "/") else {
                throw .invalidURL("unix socket URLs need an absolute path: unix:///run/redis/redis.sock")
            }
            let userInfo = rest[..<slash]
            if !userInfo.isEmpty {
                guard userInfo.hasSuffix("@") else {
                    throw .invalidURL("unix socket URLs have no host: unix:///path or unix://:password@/path")
                }
                try parseUserInfo(userInfo.dropLast())
            }
            unixSocketPath = String(rest[slash...])
            try parseQuery(query)
            return
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var hostPort = rest
        if let at = rest.lastIndex(of: "@") {
            hostPort = rest[rest.index(after: at)...]
            try parseUserInfo(rest[..<at])
        }
        try parseHostPort(hostPort)
        if !path.isEmpty { database = try Self.database(path) }
        try parseQuery(query)
    }

    private mutating func parseUserInfo(_ userInfo: Substring) throws(RedisError) {
        if let colon = userInfo.firstIndex(of: ":") {
            let user = try Self.percentDecoded(userInfo[..<colon], "user name")
            username = user.isEmpty ? nil : user
            password = try Self.percentDecoded(userInfo[userInfo.index(after: colon)...], "password")
        } else {
            let user = try Self.percentDecoded(userInfo, "user name")
            username = user.isEmpty ? nil : user
        }
    }

    private mutating func parseQuery(_ query: Substring?) throws(RedisError) {
        if let query {
            for item in query.split(separator: "&") where !item.isEmpty {
                let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                switch parts[0] {
                case "db":
                    database = try Self.database(parts.count > 1 ? parts[1] : "")
                default:
                    throw .invalidURL("unknown parameter \"\(parts[0])\": only db=N is understood")
                }
            }
        }
    }

    private mutating func parseHostPort(_ text: Substring) throws(RedisError) {
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .invalidURL("unclosed [ in host \"\(text)\"") }
            host = String(text[text.index(after: text.startIndex)..<close])
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidURL("unexpected \"\(after)\" after the IPv6 host") }
                portText = after.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        } else {
            host = String(text)
        }
        if host.isEmpty { host = "127.0.0.1" }
        if let portText {
            guard let port = Int(portText), (1...65535).contains(port) else {
                throw .invalidURL("port \"\(portText)\" is not a number from 1 to 65535")
            }
            self.port = port
        }
    }

    private static func database(_ text: Substring) throws(RedisError) -> Int {
        guard let number = Int(text), number >= 0 else {
            throw .invalidURL("database \"\(text)\" is not a number 0 or above (redis://host:port/2)")
        }
        return number
    }

    private static func percentDecoded(_ text: Substring, _ what: String) throws(RedisError) -> String {
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard utf8.count >= 2, let high = hexValue(utf8.popFirst()!), let low = hexValue(utf8.popFirst()!) else {
                throw .invalidURL("bad percent-encoding in the \(what): write %XX with two hex digits (%40 for @)")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw .invalidURL("the \(what) is not UTF-8 once percent-decoded")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: return byte - 48
        case 65...70: return byte - 55
        case 97...102: return byte - 87
        default: return nil
        }
    }
}
