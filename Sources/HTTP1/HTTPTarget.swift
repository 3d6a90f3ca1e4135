/// Splitting and percent-decoding a request-target.
package enum HTTPTarget {
    /// The decoded path and query items of `target`. The path must be validly encoded UTF-8 without
    /// NUL (400 otherwise); the query is decoded leniently, as browsers and Node do.
    package static func parse(_ target: String) throws(HTTPParseError) -> (path: String, queryItems: [(name: String, value: String)]) {
        var rest = Substring(target)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        // absolute-form (`http://host/path`): keep the path part only.
        if !rest.hasPrefix("/"), !rest.hasPrefix("*"), let colon = rest.firstIndex(of: ":"),
           rest[colon...].hasPrefix("://") {
            let afterAuthority = rest[rest.index(colon, offsetBy: 3)...]
            rest = afterAuthority.firstIndex(where: { $0 == "/" || $0 == "?" }).map { afterAuthority[$0...] } ?? "/"
            if rest.hasPrefix("?") { rest = "/" + rest }
        }
        let rawPath: Substring
        let rawQuery: Substring?
        if let q = rest.firstIndex(of: "?") {
            rawPath = rest[..<q]
            rawQuery = rest[rest.index(after: q)...]
        } else {
            rawPath = rest
            rawQuery = nil
        }
        guard let path = percentDecode(rawPath, plusAsSpace: false, strict: true) else {
            throw .malformed("invalid percent-encoding in the path")
        }
        if path.utf8.contains(0) { throw .malformed("NUL byte in the path") }
        return (path, rawQuery.map(queryItems) ?? [])
    }

    /// `a=1&b=two+words&flag` → [("a","1"), ("b","two words"), ("flag","")].
    package static func queryItems(_ query: Substring) -> [(name: String, value: String)] {
        var items: [(name: String, value: String)] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring, value: Substring
            if let eq = pair.firstIndex(of: "=") {
                name = pair[..<eq]
                value = pair[pair.index(after: eq)...]
            } else {
                name = pair
                value = ""
            }
            items.append((name: percentDecode(name, plusAsSpace: true, strict: false) ?? String(name),
                          value: percentDecode(value, plusAsSpace: true, strict: false) ?? String(value)))
        }
        return items
    }

    /// Decodes `%XX` escapes. Strict: a bad escape or invalid UTF-8 gives nil. Lenient: a bad escape
    /// stays literal and invalid UTF-8 becomes U+FFFD.
    package static func percentDecode(_ text: Substring, plusAsSpace: Bool, strict: Bool) -> String? {
        let utf8 = Array(text.utf8)
        if !utf8.contains(0x25), !(plusAsSpace && utf8.contains(0x2B)) { return String(text) }
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
