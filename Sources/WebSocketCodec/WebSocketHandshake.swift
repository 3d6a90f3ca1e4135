import Foundation

package struct WebSocketHandshakeError: Error, Sendable, Equatable {
    /// 400 for a malformed upgrade, 426 for an unsupported `Sec-WebSocket-Version` (answer with
    /// `Sec-WebSocket-Version: 13`).
    package var status: Int
    package var message: String
    package init(status: Int, message: String) { self.status = status; self.message = message }
}

package enum WebSocketHandshake {
    /// The fixed GUID RFC 6455 §1.3 appends to the client key.
    static let acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// `Sec-WebSocket-Accept` for a client key (SHA-1 + base64, RFC 6455 §1.3).
    package static func acceptValue(forKey key: String) -> String {
        Data(SHA1.hash(Array((key + acceptGUID).utf8))).base64EncodedString()
    }

    /// Checks method GET, `Upgrade: websocket`, `Connection: upgrade` (token lists), version 13, and a key
    /// that is base64 of 16 bytes. `header` looks a header up case-insensitively. Returns the accept value.
    package static func validate(method: String, header: (String) -> String?) -> Result<String, WebSocketHandshakeError> {
        func reject(_ status: Int, _ message: String) -> Result<String, WebSocketHandshakeError> {
            .failure(WebSocketHandshakeError(status: status, message: message))
        }
        guard method == "GET" else { return reject(400, "WebSocket upgrade requires GET, got \(method)") }
        guard let upgrade = header("Upgrade") else { return reject(400, "missing Upgrade header") }
        guard listContains(upgrade, token: "websocket") else {
            return reject(400, "Upgrade header does not contain \"websocket\"")
        }
        guard let connection = header("Connection") else { return reject(400, "missing Connection header") }
        guard listContains(connection, token: "upgrade") else {
            return reject(400, "Connection header does not contain \"upgrade\"")
        }
        guard let version = header("Sec-WebSocket-Version") else {
            return reject(426, "missing Sec-WebSocket-Version header; only version 13 is supported")
        }
        let trimmedVersion = trimmed(version)
        guard trimmedVersion == "13" else {
            return reject(426, "unsupported Sec-WebSocket-Version \(trimmedVersion); only version 13 is supported")
        }
        guard let rawKey = header("Sec-WebSocket-Key") else { return reject(400, "missing Sec-WebSocket-Key header") }
        let key = trimmed(rawKey)
        guard key.utf8.count == 24, let decoded = Data(base64Encoded: key), decoded.count == 16 else {
            return reject(400, "Sec-WebSocket-Key must be base64 of 16 bytes")
        }
        return .success(acceptValue(forKey: key))
    }

    /// True if the comma-separated `value` has an item equal to `token` (ASCII case-insensitive, spaces
    /// and tabs around items ignored). `Upgrade` items may carry versions: "websocket/13" is not
    /// "websocket", but "h2c, websocket" lists it. Byte-wise: this runs for every WebSocket handshake.
    static func listContains(_ value: String, token: StaticString) -> Bool {
        let wanted = UnsafeRawBufferPointer(start: token.utf8Start, count: token.utf8CodeUnitCount)
        var value = value
        return value.withUTF8 { bytes in
            var start = 0
            while start <= bytes.count {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: ",")) ?? bytes.count
                let item = trimmedRange(bytes, start..<end)
                if item.count == wanted.count,
                   zip(bytes[item], wanted).allSatisfy({ asciiLower($0) == asciiLower($1) }) {
                    return true
                }
                start = end + 1
            }
            return false
        }
    }

    /// Without leading and trailing spaces and tabs.
    static func trimmed(_ value: String) -> String {
        var value = value
        return value.withUTF8 { bytes in
            let range = trimmedRange(bytes, 0..<bytes.count)
            return range.count == bytes.count ? nil : String(decoding: bytes[range], as: UTF8.self)
        } ?? value
    }

    private static func trimmedRange(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper, bytes[lower] == 0x20 || bytes[lower] == 0x09 { lower += 1 }
        while upper > lower, bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09 { upper -= 1 }
        return lower..<upper
    }

    private static func asciiLower(_ c: UInt8) -> UInt8 { (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c }
}
