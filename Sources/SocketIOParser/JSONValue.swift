// CONTRACT (parser helper implements; may add API, must keep these).
/// Any Socket.IO argument: a JSON value, or binary (sent as an attachment).
///
/// Round-trips exactly: integers stay integers, `true` is never `1`, object key order is kept.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
    case binary([UInt8])
}

/// A JSON object that keeps its keys in insertion order (a repeated key replaces the earlier value).
public struct JSONObject: Sendable, Hashable, Sequence {
    public init() { fatalError("unimplemented") }
    public init(_ pairs: [(String, JSONValue)]) { fatalError("unimplemented") }
    public subscript(key: String) -> JSONValue? {
        get { fatalError("unimplemented") } set { fatalError("unimplemented") }
    }
    public var keys: [String] { fatalError("unimplemented") }
    public var count: Int { fatalError("unimplemented") }
    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> { fatalError("unimplemented") }
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool { fatalError("unimplemented") }
    public func hash(into hasher: inout Hasher) { fatalError("unimplemented") }
}
