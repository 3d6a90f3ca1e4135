import Redis
import Testing

@Suite struct RedisURLTests {
    struct Expected: Sendable, CustomStringConvertible {
        var url: String
        var host = "127.0.0.1", port = 6379, username: String? = nil, password: String? = nil, database = 0
        var unixSocketPath: String? = nil
        var description: String { url }
    }

    static let valid: [Expected] = [
        Expected(url: "redis://127.0.0.1:6379"),
        Expected(url: "redis://localhost", host: "localhost"),
        Expected(url: "redis://", host: "127.0.0.1"),
        Expected(url: "REDIS://cache.internal:7000", host: "cache.internal", port: 7000),
        Expected(url: "redis://:secret@10.0.0.5", host: "10.0.0.5", password: "secret"),
        Expected(url: "redis://alice:wonder@redis:6380/2", host: "redis", port: 6380, username: "alice", password: "wonder", database: 2),
        Expected(url: "redis://al%69ce:p%40ss%3Aw%2Fd%25@h/0", host: "h", username: "alice", password: "p@ss:w/d%"),
        Expected(url: "redis://:p@ss@h", host: "h", password: "p@ss"),
        Expected(url: "redis://alice@h", host: "h", username: "alice"),
        Expected(url: "redis://[::1]:6390/5", host: "::1", port: 6390, database: 5),
        Expected(url: "redis://[::1]", host: "::1"),
        Expected(url: "redis://h:1/?db=4", host: "h", port: 1, database: 4),
        Expected(url: "redis://h?db=3", host: "h", database: 3),
        Expected(url: "redis://h/", host: "h"),
        Expected(url: "redis://:pässwörd@h", host: "h", password: "pässwörd"),
        Expected(url: "redis://:%C3%A9@h", host: "h", password: "é"),
        Expected(url: "unix:///run/redis/redis.sock", unixSocketPath: "/run/redis/redis.sock"),
        Expected(url: "unix://:pw@/tmp/r@1.sock?db=2", password: "pw", database: 2, unixSocketPath: "/tmp/r@1.sock"),
        Expected(url: "unix://bob:p%2Fw@/s", username: "bob", password: "p/w", unixSocketPath: "/s"),
    ]

    @Test(arguments: valid)
    func parses(_ expected: Expected) throws {
        let configuration = try RedisConfiguration(url: expected.url)
        #expect(configuration.host == expected.host)
        #expect(configuration.port == expected.port)
        #expect(configuration.username == expected.username)
        #expect(configuration.password == expected.password)
        #expect(configuration.database == expected.database)
        #expect(configuration.unixSocketPath == expected.unixSocketPath)
    }

    static let invalid: [(String, String)] = [
        ("rediss://h:6380", "TLS"),
        ("unix://relative.sock", "absolute path"),
        ("unix://host/tmp/x.sock", "no host"),
        ("unix:///tmp/x.sock?db=x", "database"),
        ("http://h", "unknown scheme"),
        ("127.0.0.1:6379", "no scheme"),
        ("redis://h:0", "port"),
        ("redis://h:65536", "port"),
        ("redis://h:abc", "port"),
        ("redis://h:", "port"),
        ("redis://h/x", "database"),
        ("redis://h/-1", "database"),
        ("redis://h?db=", "database"),
        ("redis://h?timeout=5", "unknown parameter"),
        ("redis://:%zz@h", "percent-encoding"),
        ("redis://:%4@h", "percent-encoding"),
        ("redis://:%FF@h", "not UTF-8"),
        ("redis://[::1", "unclosed"),
        ("redis://[::1]x", "after the IPv6 host"),
    ]

    @Test(arguments: invalid.indices)
    func refusesWithTheReason(_ index: Int) {
        let (url, reason) = Self.invalid[index]
        do {
            _ = try RedisConfiguration(url: url)
            Issue.record("\(url) was accepted")
        } catch {
            guard case .invalidURL(let message) = error else { Issue.record("\(error)"); return }
            #expect(message.contains(reason), "\(url): \(message)")
        }
    }

    @Test func defaults() {
        let configuration = RedisConfiguration()
        #expect(configuration.host == "127.0.0.1" && configuration.port == 6379 && configuration.database == 0)
        #expect(configuration.commandTimeout == .seconds(5) && configuration.connectTimeout == .seconds(5))
        #expect(configuration.reconnectBackoff.initial == .milliseconds(100) && configuration.reconnectBackoff.max == .seconds(5))
        #expect(configuration.password == nil && configuration.username == nil)
    }
}
