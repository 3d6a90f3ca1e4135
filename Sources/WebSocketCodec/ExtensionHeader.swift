/// One offer from a `Sec-WebSocket-Extensions` header (RFC 6455 §9.1): a name and its parameters,
/// in order, with quoted-string values already unquoted.
struct ExtensionOffer: Equatable {
    var name: String
    var parameters: [(name: String, value: String?)]

    static func == (lhs: ExtensionOffer, rhs: ExtensionOffer) -> Bool {
        lhs.name == rhs.name && lhs.parameters.elementsEqual(rhs.parameters) { $0.name == $1.name && $0.value == $1.value }
    }
}

enum ExtensionHeader {
    /// Offers in header order; a malformed offer becomes nil so one bad offer does not hide the rest.
    static func parse(_ header: String) -> [ExtensionOffer?] {
        splitOutsideQuotes(header, on: ",").compactMap { rawOffer in
            let pieces = splitOutsideQuotes(rawOffer, on: ";").map(trim)
            // An empty list element ("a, , b") is allowed by the #rule and carries nothing.
            if pieces.count == 1 && pieces[0].isEmpty { return Optional<ExtensionOffer?>.none }
            guard let name = pieces.first, isToken(name) else { return .some(nil) }
            var parameters: [(name: String, value: String?)] = []
            for piece in pieces.dropFirst() {
                guard let parameter = parseParameter(piece) else { return .some(nil) }
                parameters.append(parameter)
            }
            return .some(ExtensionOffer(name: name.lowercased(), parameters: parameters))
        }
    }

    private static func parseParameter(_ piece: Substring) -> (name: String, value: String?)? {
        guard let equals = piece.firstIndex(of: "=") else {
            return isToken(piece) ? (piece.lowercased(), nil) : nil
        }
        let name = trim(piece[..<equals])
        var value = trim(piece[piece.index(after: equals)...])
        guard isToken(name) else { return nil }
        if value.first == "\"" {
            guard let unquoted = unquote(value) else { return nil }
            value = Substring(unquoted)
        }
        // RFC 7692 §7.1: a parameter value must be a token even when sent as a quoted-string.
        guard isToken(value) else { return nil }
        return (name.lowercased(), String(value))
    }

    private static func unquote(_ quoted: Substring) -> String? {
        guard quoted.count >= 2, quoted.last == "\"" else { return nil }
        var result = ""
        var escaping = false
        for character in quoted.dropFirst().dropLast() {
            if escaping {
                result.append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if character == "\"" {
                return nil
            } else {
                result.append(character)
            }
        }
        return escaping ? nil : result
    }

    private static func splitOutsideQuotes(_ text: some StringProtocol, on separator: Character) -> [Substring] {
        let string = Substring(text)
        var parts: [Substring] = []
        var start = string.startIndex
        var inQuotes = false
        var escaping = false
        var index = string.startIndex
        while index < string.endIndex {
            let character = string[index]
            if escaping {
                escaping = false
            } else if inQuotes && character == "\\" {
                escaping = true
            } else if character == "\"" {
                inQuotes.toggle()
            } else if !inQuotes && character == separator {
                parts.append(string[start..<index])
                start = string.index(after: index)
            }
            index = string.index(after: index)
        }
        parts.append(string[start...])
        return parts
    }

    private static func trim(_ text: Substring) -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }),
              let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return text[first...last]
    }

    /// RFC 7230 token characters.
    private static func isToken(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "A")...UInt8(ascii: "Z"):
                return true
            default:
                return "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }
}
