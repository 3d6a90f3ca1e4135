import Foundation

/// Why the chat refused a request; `message` is what the page shows, word for word.
enum ChatError: Error, Equatable {
    case notJoined
    case alreadyJoined(as: String)
    case invalidName
    case nameTaken(String)
    case invalidRoom
    case invalidMessage
    case emptyMessage
    case messageTooLong
    case tooFast

    var message: String {
        switch self {
        case .notJoined: "Join the chat first"
        case .alreadyJoined(let name): "Already joined as \(name)"
        case .invalidName: "Name must be 1-\(Limits.maxNameLength) characters: letters, digits, spaces, _ - or ."
        case .nameTaken(let name): "The name \"\(name)\" is already taken"
        case .invalidRoom: "Room name must be 1-\(Limits.maxNameLength) characters: letters, digits, spaces, _ or -"
        case .invalidMessage: "Invalid message"
        case .emptyMessage: "Message is empty"
        case .messageTooLong: "Message too long (max \(Limits.maxMessageLength) characters)"
        case .tooFast: "You are sending messages too fast; wait a moment"
        }
    }
}

enum Limits {
    static let maxNameLength = 32
    static let maxMessageLength = 1000
    static let messagesPerWindow = 5
    static let rateWindow: Duration = .seconds(5)
}

/// Input rules. Names and rooms are plain ASCII so they render the same everywhere and cannot
/// carry markup or look-alike characters.
enum Validation {
    static func name(_ raw: String?) throws(ChatError) -> String {
        guard let name = trimmed(raw), isValid(name, extra: "_.-") else { throw .invalidName }
        return name
    }

    static func room(_ raw: String?) throws(ChatError) -> String {
        guard let room = trimmed(raw), isValid(room, extra: "_-") else { throw .invalidRoom }
        return room
    }

    /// Counted in Unicode scalars, so whatever the page's `maxlength` (UTF-16 units) lets through passes.
    /// nil: the request had no text, or not as a string.
    static func message(_ raw: String?) throws(ChatError) -> String {
        guard let text = trimmed(raw) else { throw .invalidMessage }
        guard !text.isEmpty else { throw .emptyMessage }
        guard text.unicodeScalars.count <= Limits.maxMessageLength else { throw .messageTooLong }
        return text
    }

    private static func trimmed(_ raw: String?) -> String? {
        raw?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func isValid(_ text: String, extra: String) -> Bool {
        let allowed = Set(extra.unicodeScalars).union([" "])
        return (1...Limits.maxNameLength).contains(text.unicodeScalars.count)
            && text.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || allowed.contains(scalar))
            }
    }
}
