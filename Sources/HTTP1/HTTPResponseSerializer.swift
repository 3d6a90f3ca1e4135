/// Writes response heads (and bodies) in HTTP/1.1 wire format.
package enum HTTPResponseSerializer {
    /// The status line, the headers (plus `Content-Length` when missing and a body is allowed), a
    /// blank line, then `body` unless `omitBody` (HEAD keeps the length of the body it does not get).
    package static func serialize(status: Int, headers: HTTPHeaders, body: [UInt8], omitBody: Bool = false,
                                  date: String? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + headers.count * 32 + (omitBody ? 0 : body.count))
        appendHead(status: status, headers: headers, contentLength: body.count, date: date, into: &out)
        if !omitBody, allowsBody(status) { out.append(contentsOf: body) }
        return out
    }

    package static func appendHead(status: Int, headers: HTTPHeaders, contentLength: Int?, date: String?,
                                   into out: inout [UInt8]) {
        append("HTTP/1.1 \(status) \(reasonPhrase(status))\r\n", to: &out)
        var hasLength = false
        var hasDate = false
        for (name, value) in headers {
            if HTTPHeaders.sameName(name, "content-length") { hasLength = true }
            if HTTPHeaders.sameName(name, "date") { hasDate = true }
            appendField(name, value, to: &out)
        }
        if let date, !hasDate { appendField("Date", date, to: &out) }
        if !hasLength, let contentLength, allowsBody(status) {
            appendField("Content-Length", String(contentLength), to: &out)
        }
        out.append(0x0D); out.append(0x0A)
    }

    /// 1xx, 204 and 304 never carry a body (RFC 7230 §3.3.3).
    package static func allowsBody(_ status: Int) -> Bool {
        !(100..<200).contains(status) && status != 204 && status != 304
    }

    private static func appendField(_ name: String, _ value: String, to out: inout [UInt8]) {
        // CR, LF and other controls in a name or value would let data forge extra headers.
        for c in name.utf8 where HTTPHeadParser.isTokenChar(c) { out.append(c) }
        out.append(0x3A); out.append(0x20)
        for c in value.utf8 { out.append(c < 0x20 && c != 0x09 || c == 0x7F ? 0x20 : c) }
        out.append(0x0D); out.append(0x0A)
    }

    private static func append(_ s: String, to out: inout [UInt8]) {
        out.append(contentsOf: s.utf8)
    }

    package static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 101: return "Switching Protocols"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 411: return "Length Required"
        case 413: return "Payload Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 417: return "Expectation Failed"
        case 426: return "Upgrade Required"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default:
            switch status / 100 {
            case 1: return "Informational"
            case 2: return "Success"
            case 3: return "Redirection"
            case 4: return "Client Error"
            default: return "Server Error"
            }
        }
    }
}

/// IMF-fixdate (RFC 7231 §7.1.1.1) from Unix time, computed without a calendar or locale.
package enum HTTPDate {
    package static func format(epochSeconds: Int) -> String {
        let days = epochSeconds >= 0 ? epochSeconds / 86400 : (epochSeconds - 86399) / 86400
        let secondsOfDay = epochSeconds - days * 86400
        let weekday = ((days % 7) + 11) % 7 // 1970-01-01 was a Thursday
        // Civil date from days since the epoch (proleptic Gregorian, era-based).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(names[weekday]), \(two(day)) \(months[month - 1]) \(year) "
            + "\(two(secondsOfDay / 3600)):\(two(secondsOfDay / 60 % 60)):\(two(secondsOfDay % 60)) GMT"
    }
}
