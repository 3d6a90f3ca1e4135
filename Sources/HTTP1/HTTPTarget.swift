/// Splitting and percent-decoding a request-target. Byte-wise over UTF-8: it runs for every request.
package enum HTTPTarget {
    typealias Bytes = Substring.UTF8View

    /// The decoded path and query items of `target`. The path must be validly encoded UTF-8 without
    /// NUL (400 otherwise); the query is decoded leniently, as browsers and Node do.
    package static func parse(_ target: String) throws(HTTPParseError) -> (path: String, queryItems: [(name: String, value: String)]) {
        var rest = Substring(target).utf8
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) { rest = rest[..<hash] }
        var rootPath = false
        // absolute-form (`http://host/path`): keep the path part only.
        if let first = rest.first, first != UInt8(ascii: "/"), first != UInt8(ascii: "*"),
           let colon = rest.firstIndex(of: UInt8(ascii: ":")), rest[colon...].starts(with: "://".utf8) {
            let afterAuthority = rest[rest.index(colon, offsetBy: 3)...]
            if let start = afterAuthority.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) {
                rest = afterAuthority[start...]
                rootPath = rest.first == UInt8(ascii: "?")
            } else {
                rest = rest[rest.endIndex...]
                rootPath = true
            }
        }
        let rawPath: Bytes
        var rawQuery: Bytes?
        if let q = rest.firstIndex(of: UInt8(ascii: "?")) {
            rawPath = rest[..<q]
            rawQuery = rest[rest.index(after: q)...]
        } else {
            rawPath = rest
        }
        let path: String
        if rootPath {
            path = "/"
        } else {
            guard let decoded = percentDecode(rawPath, plusAsSpace: false, strict: true) else {
                throw .malformed("invalid percent-encoding in the path")
            }
            path = decoded
        }
        if path.utf8.contains(0) { throw .malformed("NUL byte in the path") }
        return (path, rawQuery.map(queryItems) ?? [])
    }

    /// `a=1&b=two+words&flag` → [("a","1"), ("b","two words"), ("flag","")].
    static func queryItems(_ query: Bytes) -> [(name: String, value: String)] {
        var items: [(name: String, value: String)] = []
        for pair in query.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let name: Bytes, value: Bytes
            if let eq = pair.firstIndex(of: UInt8(ascii: "=")) {
                name = pair[..<eq]
                value = pair[pair.index(after: eq)...]
            } else {
                name = pair
                value = pair[pair.endIndex...]
            }
            items.append((name: percentDecode(name, plusAsSpace: true, strict: false) ?? String(Substring(name)),
                          value: percentDecode(value, plusAsSpace: true, strict: false) ?? String(Substring(value))))
        }
        return items
    }

    /// Decodes `%XX` escapes. Strict: a bad escape or invalid UTF-8 gives nil. Lenient: a bad escape
    /// stays literal and invalid UTF-8 becomes U+FFFD.
    static func percentDecode(_ text: Bytes, plusAsSpace: Bool, strict: Bool) -> String? {
        if !text.contains(where: { $0 == 0x25 || (plusAsSpace && $0 == 0x2B) }) { return String(Substring(text)) }
        let utf8 = Array(text)
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            let c = utf8[i]
            if c == 0x25 {
                if i + 2 < utf8.count, let hi = HTTPRequestParser.hexValue(utf8[i + 1]),
                   let lo = HTTPRequestParser.hexValue(utf8[i + 2]) {
                    out.append(UInt8(hi * 16 + lo))
                    i += 3
                    continue
                }
                if strict { return nil }
                out.append(c)
            } else if c == 0x2B && plusAsSpace {
                out.append(0x20)
            } else {
                out.append(c)
            }
            i += 1
        }
        if strict {
            return String(validating: out, as: UTF8.self)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
