/// RFC 7692 negotiation result for one connection.
package struct PerMessageDeflateParameters: Sendable, Equatable {
    package var serverNoContextTakeover: Bool
    package var clientNoContextTakeover: Bool
    package var serverMaxWindowBits: Int
    package var clientMaxWindowBits: Int

    package init(serverNoContextTakeover: Bool = false, clientNoContextTakeover: Bool = false,
                 serverMaxWindowBits: Int = 15, clientMaxWindowBits: Int = 15) {
        self.serverNoContextTakeover = serverNoContextTakeover
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverMaxWindowBits = serverMaxWindowBits
        self.clientMaxWindowBits = clientMaxWindowBits
    }

    /// Picks parameters from a client's `Sec-WebSocket-Extensions` offer; nil if none is acceptable.
    /// `responseHeader` is the value to send back.
    package static func negotiate(offer: String) -> (parameters: PerMessageDeflateParameters, responseHeader: String)? {
        for candidate in ExtensionHeader.parse(offer) {
            guard let candidate, candidate.name == "permessage-deflate" else { continue }
            if let accepted = accept(candidate) { return accepted }
        }
        return nil
    }

    /// RFC 7692 §7.1: an offer with an unknown, duplicated or out-of-range parameter is declined.
    private static func accept(_ offer: ExtensionOffer) -> (parameters: PerMessageDeflateParameters, responseHeader: String)? {
        var parameters = PerMessageDeflateParameters()
        var seen: Set<String> = []
        var response = ["permessage-deflate"]
        var serverBits: Int?
        var clientBits: Int?
        for (name, value) in offer.parameters {
            guard seen.insert(name).inserted else { return nil }
            switch name {
            case "server_no_context_takeover":
                guard value == nil else { return nil }
                parameters.serverNoContextTakeover = true
            case "client_no_context_takeover":
                guard value == nil else { return nil }
                parameters.clientNoContextTakeover = true
            case "server_max_window_bits":
                guard let bits = windowBits(value) else { return nil }
                serverBits = bits
            case "client_max_window_bits":
                // Without a value it only says the client can honour a limit we might set.
                if let value {
                    guard let bits = windowBits(value) else { return nil }
                    clientBits = bits
                }
            default:
                return nil
            }
        }
        if parameters.serverNoContextTakeover { response.append("server_no_context_takeover") }
        if parameters.clientNoContextTakeover { response.append("client_no_context_takeover") }
        if let serverBits {
            // Echo the client's limit; the deflater maps 8 to zlib's 9, which never emits
            // distances a 256-byte window cannot resolve.
            parameters.serverMaxWindowBits = serverBits
            response.append("server_max_window_bits=\(serverBits)")
        }
        if let clientBits {
            parameters.clientMaxWindowBits = clientBits
            response.append("client_max_window_bits=\(clientBits)")
        }
        return (parameters, response.joined(separator: "; "))
    }

    /// 8...15 written as plain decimal without leading zeros (RFC 7692 §7.1.2).
    private static func windowBits(_ value: String?) -> Int? {
        guard let value, let first = value.first, first != "0", value.allSatisfy(\.isASCII),
              let bits = Int(value), (8...15).contains(bits) else { return nil }
        return bits
    }
}
