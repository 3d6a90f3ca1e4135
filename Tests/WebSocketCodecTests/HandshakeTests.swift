import Testing
@testable import WebSocketCodec

@Suite struct HandshakeTests {
    func hex(_ digest: [UInt8]) -> String {
        digest.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test func sha1KnownVectors() {
        #expect(hex(SHA1.hash(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.hash([UInt8]())) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(hex(SHA1.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
            == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(hex(SHA1.hash([UInt8](repeating: 0x61, count: 1_000_000))) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test func sha1PaddingBoundaries() {
        // 55, 56 and 64 bytes straddle the one-block / two-block padding split.
        #expect(hex(SHA1.hash([UInt8](repeating: 0x61, count: 55))) == "c1c8bbdc22796e28c0e15163d20899b65621d65a")
        #expect(hex(SHA1.hash([UInt8](repeating: 0x61, count: 56))) == "c2db330f6083854c99d4b5bfb6e8f29f201be699")
        #expect(hex(SHA1.hash([UInt8](repeating: 0x61, count: 64))) == "0098ba824b5c16427bd7a1122a5a442a25ec644d")
    }

    /// RFC 6455 §1.3 (the accept value has a capital K: "...RbK+xOo=").
    @Test func acceptValueFromRFC() {
        #expect(WebSocketHandshake.acceptValue(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    let goodHeaders = [
        "upgrade": "websocket", "connection": "Upgrade", "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    ]

    func validate(_ headers: [String: String], method: String = "GET") -> Result<String, WebSocketHandshakeError> {
        WebSocketHandshake.validate(method: method) { headers[$0.lowercased()] }
    }

    func status(_ headers: [String: String], method: String = "GET") -> Int? {
        if case .failure(let error) = validate(headers, method: method) { return error.status }
        return nil
    }

    func with(_ name: String, _ value: String?) -> [String: String] {
        var headers = goodHeaders
        headers[name] = value
        return headers
    }

    @Test func acceptsValidUpgrades() {
        #expect(validate(goodHeaders) == .success("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="))
        #expect(status(with("upgrade", "WebSocket")) == nil)
        #expect(status(with("upgrade", "h2c, websocket")) == nil)
        #expect(status(with("connection", "keep-alive, Upgrade")) == nil)
        #expect(status(with("connection", "keep-alive,upgrade")) == nil)
        #expect(status(with("sec-websocket-version", " 13 ")) == nil)
    }

    @Test func rejectsMalformedUpgrades() {
        #expect(status(goodHeaders, method: "POST") == 400)
        #expect(status(goodHeaders, method: "get") == 400)
        #expect(status(with("upgrade", nil)) == 400)
        #expect(status(with("upgrade", "h2c")) == 400)
        #expect(status(with("upgrade", "websocket/13x")) == 400)
        #expect(status(with("connection", nil)) == 400)
        #expect(status(with("connection", "keep-alive")) == 400)
        #expect(status(with("connection", "upgraded")) == 400)
        #expect(status(with("sec-websocket-key", nil)) == 400)
        #expect(status(with("sec-websocket-key", "not base64 at all!!!!!!!")) == 400)
        #expect(status(with("sec-websocket-key", "AAAAAAAAAAAAAAAAAAAA")) == 400) // 15 bytes
        #expect(status(with("sec-websocket-key", "AAAAAAAAAAAAAAAAAAAAAAAAAAAA")) == 400) // 21 bytes
    }

    @Test func rejectsOtherVersionsWith426() {
        #expect(status(with("sec-websocket-version", nil)) == 426)
        #expect(status(with("sec-websocket-version", "8")) == 426)
        #expect(status(with("sec-websocket-version", "13, 8")) == 426)
        if case .failure(let error) = validate(with("sec-websocket-version", "8")) {
            #expect(error.message.contains("13"))
        }
    }
}
