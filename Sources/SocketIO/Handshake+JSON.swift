import SocketIOParser

extension Handshake {
    /// The handshake as Node serialises `socket.handshake` (what `fetchSockets` answers other servers
    /// with): `{headers, time, address, xdomain, secure, issued, url, query, auth}`.
    public var jsonValue: JSONValue {
        var headerObject = JSONObject()
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { headerObject[name] = .string(value) }
        var queryObject = JSONObject()
        for (name, value) in query.sorted(by: { $0.key < $1.key }) {
            let all = queryValues[name] ?? [value]
            queryObject[name] = all.count > 1 ? .array(all.map { .string($0) }) : .string(value)
        }
        return .object([
            "headers": .object(headerObject), "time": .string(time), "address": .string(address),
            "xdomain": .bool(xdomain), "secure": .bool(secure), "issued": .int(issued),
            "url": .string(url), "query": .object(queryObject), "auth": auth,
        ])
    }

    /// Reads a handshake another server sent; missing or mistyped fields take their defaults, so a
    /// peer of another version never makes the whole answer unreadable.
    public init(json: JSONValue) {
        var headers: [String: String] = [:]
        for (name, value) in json["headers"]?.objectValue ?? [:] {
            headers[name] = value.stringValue ?? value.arrayValue?.compactMap(\.stringValue).joined(separator: ", ")
        }
        var query: [String: String] = [:]
        var queryValues: [String: [String]] = [:]
        for (name, value) in json["query"]?.objectValue ?? [:] {
            let all = value.arrayValue?.compactMap(\.stringValue) ?? value.stringValue.map { [$0] } ?? []
            query[name] = all.first
            queryValues[name] = all
        }
        self.init(headers: headers, query: query, auth: json["auth"] ?? .object(JSONObject()),
                  address: json["address"]?.stringValue ?? "", time: json["time"]?.stringValue ?? "",
                  issued: json["issued"]?.intValue ?? 0, url: json["url"]?.stringValue ?? "",
                  secure: json["secure"]?.boolValue ?? false, xdomain: json["xdomain"]?.boolValue ?? false)
        self.queryValues = queryValues
    }
}
