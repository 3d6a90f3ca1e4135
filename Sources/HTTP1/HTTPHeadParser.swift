/// Parses a request head (request line and header fields, without the final blank line).
enum HTTPHeadParser {
    static func parse(_ head: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPRequestMessage {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = head.startIndex
        var i = head.startIndex
        while i < head.endIndex {
            if head[i] == 0x0D {
                guard i + 1 < head.endIndex, head[i + 1] == 0x0A else {
                    throw .malformed("a bare CR is not allowed in the request head")
                }
                lines.append(head[lineStart..<i])
                i += 2
                lineStart = i
            } else {
                i += 1
            }
        }
        lines.append(head[lineStart..<head.endIndex])

        let (method, target, minor) = try parseRequestLine(lines[0])
        var headers = HTTPHeaders()
        // Names and values are at most the head minus the request line, colons and line ends.
        headers.reserveCapacity(fields: lines.count - 1, bytes: max(0, head.count - lines[0].count - 3 * (lines.count - 1)))
        for line in lines.dropFirst() {
            if let first = line.first, first == 0x20 || first == 0x09 {
                throw .malformed("obsolete line folding in header fields is not allowed")
            }
            let field = try parseField(line)
            headers.add(name: field.name, value: field.value)
        }

        let hosts = headers.values(for: "host")
        if hosts.count > 1 { throw .malformed("more than one Host header") }
        if minor == 1, hosts.isEmpty { throw .malformed("HTTP/1.1 requests must carry a Host header") }

        return HTTPRequestMessage(method: method, target: target, minorVersion: minor, headers: headers, body: [],
                                  keepAlive: HTTPRequestMessage.keepAlive(minorVersion: minor, headers: headers))
    }

    static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (String, String, Int) {
        guard let firstSpace = line.firstIndex(of: 0x20) else {
            throw .malformed("the request line must be \"METHOD target HTTP/1.1\"")
        }
        let method = line[line.startIndex..<firstSpace]
        guard !method.isEmpty, method.allSatisfy(isTokenChar) else {
            throw .malformed("invalid method token")
        }
        let rest = line[(firstSpace + 1)...]
        guard let secondSpace = rest.firstIndex(of: 0x20) else {
            throw .malformed("the request line must be \"METHOD target HTTP/1.1\"")
        }
        let target = rest[rest.startIndex..<secondSpace]
        let version = rest[(secondSpace + 1)...]
        guard !target.isEmpty else { throw .malformed("empty request target") }
        guard target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .malformed("invalid character in the request target (spaces, controls and raw non-ASCII must be percent-encoded)")
        }
        let absoluteForm = target.first.map(isAlpha) == true && String(decoding: target, as: UTF8.self).contains("://")
        guard let t = target.first, t == 0x2F || (t == 0x2A && target.count == 1) || absoluteForm else {
            throw .malformed("the request target must be a path starting with \"/\"")
        }
        let minor = try parseVersion(version)
        let name = String(decoding: method, as: UTF8.self)
        // Method names are case-sensitive (RFC 9110 §9.1): `post` is not `POST`. One we do not
        // implement gets 501, as the RFC asks, rather than reaching a handler under another name.
        switch name {
        case "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE": break
        default: throw .unsupportedMethod(name)
        }
        return (name, String(decoding: target, as: UTF8.self), minor)
    }

    static func parseVersion(_ version: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        let bytes = Array(version)
        let prefix: [UInt8] = Array("HTTP/".utf8)
        guard bytes.count == 8, Array(bytes[0..<5]) == prefix, isDigit(bytes[5]), bytes[6] == 0x2E, isDigit(bytes[7]) else {
            throw .malformed("invalid HTTP version \"\(String(decoding: bytes.prefix(32), as: UTF8.self))\"")
        }
        guard bytes[5] == 0x31, bytes[7] == 0x30 || bytes[7] == 0x31 else {
            throw .unsupportedVersion(String(decoding: bytes, as: UTF8.self))
        }
        return Int(bytes[7] - 0x30)
    }

    static func parseField(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (name: ArraySlice<UInt8>, value: ArraySlice<UInt8>) {
        guard let colon = line.firstIndex(of: 0x3A) else {
            throw .malformed("header line without a colon")
        }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty else { throw .malformed("empty header name") }
        guard name.allSatisfy(isTokenChar) else {
            throw .malformed("invalid character in header name \"\(String(decoding: name.prefix(64), as: UTF8.self))\"")
        }
        var value = line[(colon + 1)...]
        while let f = value.first, f == 0x20 || f == 0x09 { value = value.dropFirst() }
        while let l = value.last, l == 0x20 || l == 0x09 { value = value.dropLast() }
        for c in value where (c < 0x20 && c != 0x09) || c == 0x7F {
            throw .malformed("invalid character in the value of header \"\(String(decoding: name, as: UTF8.self))\"")
        }
        return (name, value)
    }

    /// RFC 7230 tchar.
    static func isTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
        default: return false
        }
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
}
