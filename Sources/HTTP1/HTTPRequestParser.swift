/// Incremental HTTP/1.x request parser with hard limits checked before bytes are kept.
///
/// Feed it whatever the socket delivered with `append`, then call `next()` until it returns nil.
/// It only holds the unparsed tail of the input, so a connection that stops asking for requests
/// (because one is being answered) keeps pipelined bytes here until it asks again.
package struct HTTPRequestParser: Sendable {
    package let maxHeaderBytes: Int
    package let maxBodyBytes: Int

    enum State: Sendable {
        /// Looking for the blank line that ends the head; `scanned` bytes after `start` are known to hold none.
        case head(scanned: Int)
        case body(HTTPRequestMessage, remaining: Int)
        case chunkSize(HTTPRequestMessage)
        case chunkData(HTTPRequestMessage, remaining: Int)
        case chunkDataEnd(HTTPRequestMessage)
        case trailers(HTTPRequestMessage, consumed: Int)
        case failed(HTTPParseError)
    }

    var buffer: [UInt8] = []
    var start = 0
    var state = State.head(scanned: 0)
    private var continuePending = false

    /// Longest chunk-size line (with extensions) accepted.
    static let maxChunkLine = 1024

    package init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 1_000_000) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }

    package mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    package mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Bytes received and not yet part of a returned request.
    package var bufferedByteCount: Int { buffer.count - start }

    /// True when some of a request has arrived but not all of it.
    package var isMidRequest: Bool {
        if case .head = state { return bufferedByteCount > 0 }
        if case .failed = state { return false }
        return true
    }

    /// True once the current request's head is parsed and its body is still arriving.
    package var isReadingBody: Bool {
        switch state {
        case .head, .failed: return false
        default: return true
        }
    }

    /// True once, right after a head that asked for `Expect: 100-continue` and has a body to come.
    package mutating func takeContinueRequest() -> Bool {
        defer { continuePending = false }
        return continuePending
    }

    /// Hands over the unparsed bytes (what a client sent after an upgrade request) and empties the parser.
    package mutating func takeRemainingBytes() -> [UInt8] {
        let rest = Array(buffer[start...])
        buffer.removeAll()
        start = 0
        state = .head(scanned: 0)
        return rest
    }

    /// The next complete request, nil when more bytes are needed. After an error the parser stays failed.
    package mutating func next() throws(HTTPParseError) -> HTTPRequestMessage? {
        if case .failed(let error) = state { throw error }
        do {
            return try advance()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private mutating func advance() throws(HTTPParseError) -> HTTPRequestMessage? {
        while true {
            switch state {
            case .failed(let error):
                throw error
            case .head(let scanned):
                guard let step = try parseHead(scanned: scanned) else { return nil }
                if let done = step { return done }
            case .body(var message, let remaining):
                state = .head(scanned: 0) // drop the enum's copy so appending does not copy the body
                let take = min(bufferedByteCount, remaining)
                message.body.append(contentsOf: buffer[start..<start + take])
                start += take
                if take == remaining {
                    state = .head(scanned: 0)
                    return message
                }
                state = .body(message, remaining: remaining - take)
                return nil
            case .chunkSize(let message):
                guard try parseChunkSize(message) != nil else { return nil }
            case .chunkData(var message, let remaining):
                state = .head(scanned: 0) // drop the enum's copy so appending does not copy the body
                let take = min(bufferedByteCount, remaining)
                message.body.append(contentsOf: buffer[start..<start + take])
                start += take
                if take == remaining {
                    state = .chunkDataEnd(message)
                } else {
                    state = .chunkData(message, remaining: remaining - take)
                    return nil
                }
            case .chunkDataEnd(let message):
                guard bufferedByteCount >= 2 else { return nil }
                guard buffer[start] == 0x0D, buffer[start + 1] == 0x0A else {
                    throw .malformed("chunk data must be followed by CRLF")
                }
                start += 2
                state = .chunkSize(message)
            case .trailers(let message, let consumed):
                guard let step = try parseTrailers(message, consumed: consumed) else { return nil }
                if let done = step { return done }
            }
        }
    }

    private mutating func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 64 * 1024)
            start = 0
        } else if start > 4096, start * 2 > buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
    }

    // MARK: head

    private mutating func parseHead(scanned: Int) throws(HTTPParseError) -> HTTPRequestMessage?? {
        // RFC 7230 §3.5: ignore empty lines before the request line.
        while bufferedByteCount >= 2, buffer[start] == 0x0D, buffer[start + 1] == 0x0A { start += 2 }
        let available = bufferedByteCount
        guard available > 0 else { return nil }
        var end: Int? = nil
        var bareLF = false
        var i = scanned
        let limit = min(available, maxHeaderBytes + 4)
        buffer.withUnsafeBufferPointer { raw in
            let b = UnsafeBufferPointer(rebasing: raw[start...])
            while i < limit {
                if b[i] == 0x0A {
                    // A bare LF would leave us waiting for a CRLF CRLF that never comes: refuse it now.
                    guard i >= 1, b[i - 1] == 0x0D else { bareLF = true; return }
                    if i >= 3, b[i - 2] == 0x0A, b[i - 3] == 0x0D {
                        end = i + 1
                        return
                    }
                }
                i += 1
            }
        }
        if bareLF { throw .malformed("header lines must end with CRLF, found a bare LF") }
        guard let headLength = end else {
            // Up to 3 bytes past the limit may be the start of a terminator that ends a head of exactly the limit.
            if available > maxHeaderBytes + 3 { throw .headTooLarge(limit: maxHeaderBytes) }
            // Resume the scan 3 bytes back so a terminator split across reads is still found.
            state = .head(scanned: max(0, i - 3))
            return nil
        }
        if headLength - 4 > maxHeaderBytes { throw .headTooLarge(limit: maxHeaderBytes) }
        let head = buffer[start..<start + headLength - 4]
        start += headLength
        var message = try HTTPHeadParser.parse(head)
        return try beginBody(&message)
    }

    private mutating func beginBody(_ message: inout HTTPRequestMessage) throws(HTTPParseError) -> HTTPRequestMessage?? {
        let headers = message.headers
        let lengths = headers.values(for: "content-length")
        let codings = headers.values(for: "transfer-encoding")
        if !codings.isEmpty {
            if !lengths.isEmpty {
                throw .malformed("Content-Length and Transfer-Encoding must not both be present")
            }
            if message.minorVersion == 0 {
                throw .malformed("Transfer-Encoding is not allowed in HTTP/1.0")
            }
            let tokens = codings.flatMap { $0.split(separator: ",") }.map { String($0.trimmingOWS()).lowercased() }
            guard tokens.last == "chunked" else {
                if let other = tokens.first(where: { $0 != "chunked" }) { throw .unsupportedTransferEncoding(other) }
                throw .malformed("the final Transfer-Encoding must be chunked")
            }
            if let other = tokens.first(where: { $0 != "chunked" }) { throw .unsupportedTransferEncoding(other) }
            if tokens.count > 1 { throw .malformed("chunked must be applied only once") }
            noteExpectContinue(message)
            state = .chunkSize(message)
            return .some(nil)
        }
        if lengths.count > 1 {
            throw .malformed("more than one Content-Length header")
        }
        if let text = lengths.first {
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw .malformed("Content-Length must be a decimal number, got \"\(text)\"")
            }
            guard text.utf8.count <= 18, let length = Int(text) else { throw .bodyTooLarge(limit: maxBodyBytes) }
            if length > maxBodyBytes { throw .bodyTooLarge(limit: maxBodyBytes) }
            if length > 0 {
                message.body.reserveCapacity(length)
                noteExpectContinue(message)
                state = .body(message, remaining: length)
                return .some(nil)
            }
        }
        state = .head(scanned: 0)
        return .some(message)
    }

    private mutating func noteExpectContinue(_ message: HTTPRequestMessage) {
        if message.minorVersion >= 1, message.headers.contains(name: "expect", token: "100-continue") {
            continuePending = true
        }
    }

    // MARK: chunked

    /// Finds the CRLF ending a line that starts at `start`, within `maxLength` bytes; throws `tooLong`
    /// once more bytes than a line of `maxLength` and its CR are buffered without one.
    private func lineEnd(maxLength: Int, tooLong: HTTPParseError) throws(HTTPParseError) -> Int? {
        var i = start
        let stop = min(buffer.count, start + maxLength + 2)
        while i < stop {
            if buffer[i] == 0x0A {
                guard i > start, buffer[i - 1] == 0x0D else { throw .malformed("line ends with a bare LF") }
                return i - 1
            }
            i += 1
        }
        if buffer.count - start > maxLength + 1 { throw tooLong }
        return nil
    }

    private mutating func parseChunkSize(_ message: HTTPRequestMessage) throws(HTTPParseError) -> HTTPRequestMessage?? {
        guard let cr = try lineEnd(maxLength: HTTPRequestParser.maxChunkLine, tooLong: .malformed("chunk-size line too long")) else {
            return nil
        }
        var size = 0
        var digits = 0
        var i = start
        while i < cr, let v = HTTPRequestParser.hexValue(buffer[i]) {
            digits += 1
            if digits > 15 { throw .bodyTooLarge(limit: maxBodyBytes) }
            size = size * 16 + v
            i += 1
        }
        guard digits > 0 else { throw .malformed("chunk size must be hexadecimal") }
        // Chunk extensions (`;name=value`) are allowed and ignored; anything else is not.
        while i < cr, buffer[i] == 0x20 || buffer[i] == 0x09 { i += 1 }
        if i < cr, buffer[i] != 0x3B { throw .malformed("invalid character after the chunk size") }
        while i < cr {
            let c = buffer[i]
            if c < 0x20 && c != 0x09 || c == 0x7F { throw .malformed("invalid character in a chunk extension") }
            i += 1
        }
        if size > maxBodyBytes - message.body.count { throw .bodyTooLarge(limit: maxBodyBytes) }
        start = cr + 2
        if size == 0 {
            state = .trailers(message, consumed: 0)
        } else {
            var message = message
            message.body.reserveCapacity(message.body.count + size)
            state = .chunkData(message, remaining: size)
        }
        return .some(nil)
    }

    private mutating func parseTrailers(_ message: HTTPRequestMessage, consumed: Int) throws(HTTPParseError) -> HTTPRequestMessage?? {
        var consumed = consumed
        while true {
            let room = maxHeaderBytes - consumed
            guard let cr = try lineEnd(maxLength: max(0, room), tooLong: .headTooLarge(limit: maxHeaderBytes)) else {
                state = .trailers(message, consumed: consumed)
                return nil
            }
            let line = buffer[start..<cr]
            consumed += line.count + 2
            if consumed > maxHeaderBytes + 2 { throw .headTooLarge(limit: maxHeaderBytes) }
            start = cr + 2
            if line.isEmpty {
                state = .head(scanned: 0)
                return .some(message)
            }
            // Trailer fields are validated like headers, then dropped: nothing here consumes them.
            _ = try HTTPHeadParser.parseField(line)
        }
    }

    static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: return Int(c - 0x30)
        case 0x41...0x46: return Int(c - 0x41 + 10)
        case 0x61...0x66: return Int(c - 0x61 + 10)
        default: return nil
        }
    }
}
