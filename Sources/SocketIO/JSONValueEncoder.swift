import Foundation
import SocketIOParser

/// Turns an `Encodable` value into a `JSONValue` without going through JSON text.
///
/// `Data` and `[UInt8]` become `.binary` (sent as attachments); a `JSONValue` inside a model is kept
/// as is; object keys keep the order the type encodes them in.
public struct JSONValueEncoder: Sendable {
    public init() {}

    public func encode(_ value: some Encodable) throws -> JSONValue {
        try encodeAny(value, codingPath: [])
    }
}

/// A node that the containers fill in; classes so nested containers can keep writing after creation.
private final class EncodingNode {
    enum Kind { case empty, value(JSONValue), object([(String, EncodingNode)]), array([EncodingNode]) }
    var kind: Kind = .empty

    func resolve() -> JSONValue {
        switch kind {
        case .empty: return .object(JSONObject())
        case .value(let v): return v
        case .array(let items): return .array(items.map { $0.resolve() })
        case .object(let pairs):
            var object = JSONObject()
            for (key, node) in pairs { object[key] = node.resolve() }
            return .object(object)
        }
    }

    func child(forKey key: String) -> EncodingNode {
        let node = EncodingNode()
        if case .object(var pairs) = kind {
            pairs.removeAll { $0.0 == key }
            pairs.append((key, node))
            kind = .object(pairs)
        } else {
            kind = .object([(key, node)])
        }
        return node
    }

    func appendChild() -> EncodingNode {
        let node = EncodingNode()
        if case .array(var items) = kind { items.append(node); kind = .array(items) } else { kind = .array([node]) }
        return node
    }
}

/// Short-circuits the types that map straight onto a `JSONValue` case; nil means "use Codable".
/// Compares static types: a dynamic `as? [UInt8]` cast would also accept an empty `[String]`.
private func directValue<T>(_ value: T) -> JSONValue? {
    if T.self == JSONValue.self { return (value as! JSONValue) }
    if T.self == Data.self { return .binary([UInt8](value as! Data)) }
    if T.self == [UInt8].self { return .binary(value as! [UInt8]) }
    return nil
}

private func encodeAny(_ value: some Encodable, codingPath: [any CodingKey]) throws -> JSONValue {
    if let direct = directValue(value) { return direct }
    let node = EncodingNode()
    try value.encode(to: NodeEncoder(node: node, codingPath: codingPath))
    return node.resolve()
}

private func number<T: BinaryInteger>(_ v: T) -> JSONValue {
    if let i = Int(exactly: v) { return .int(i) }
    return .double(Double(v))
}

private func finite(_ v: Double, _ path: [any CodingKey]) throws -> JSONValue {
    guard v.isFinite else {
        throw EncodingError.invalidValue(v, .init(codingPath: path, debugDescription: "JSON has no \(v)"))
    }
    return .double(v)
}

private struct NodeEncoder: Encoder {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.kind {} else { node.kind = .object([]) }
        return KeyedEncodingContainer(KeyedNodeContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.kind {} else { node.kind = .array([]) }
        return UnkeyedNodeContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleNodeContainer(node: node, codingPath: codingPath)
    }
}

private struct SingleNodeContainer: SingleValueEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.kind = .value(.null) }
    mutating func encode(_ value: Bool) throws { node.kind = .value(.bool(value)) }
    mutating func encode(_ value: String) throws { node.kind = .value(.string(value)) }
    mutating func encode(_ value: Double) throws { node.kind = .value(try finite(value, codingPath)) }
    mutating func encode(_ value: Float) throws { node.kind = .value(try finite(Double(value), codingPath)) }
    mutating func encode(_ value: Int) throws { node.kind = .value(.int(value)) }
    mutating func encode(_ value: Int8) throws { node.kind = .value(number(value)) }
    mutating func encode(_ value: Int16) throws { node.kind = .value(number(value)) }
    mutating func encode(_ value: Int32) throws { node.kind = .value(number(value)) }
    mutating func encode(_ value: Int64) throws { node.kind = .value(number(value)) }
    mutating func encode(_ value: UInt) throws { node.kind = .value(number(value)) }
    mutating func encode(_ value: UInt8) throws { node.kind = .value(number(value)) }
    mutating func encode(_ value: UInt16) throws { node.kind = .value(number(value)) }
    mutating func encode(_ value: UInt32) throws { node.kind = .value(number(value)) }
    mutating func encode(_ value: UInt64) throws { node.kind = .value(number(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        node.kind = .value(try encodeAny(value, codingPath: codingPath))
    }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    private func single(_ key: Key) -> SingleNodeContainer {
        SingleNodeContainer(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
    }

    mutating func encodeNil(forKey key: Key) throws { var s = single(key); try s.encodeNil() }
    mutating func encode(_ value: Bool, forKey key: Key) throws { var s = single(key); try s.encode(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { var s = single(key); try s.encode(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { var s = single(key); try s.encode(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { var s = single(key); try s.encode(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { var s = single(key); try s.encode(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { var s = single(key); try s.encode(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { var s = single(key); try s.encode(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { var s = single(key); try s.encode(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { var s = single(key); try s.encode(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { var s = single(key); try s.encode(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { var s = single(key); try s.encode(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { var s = single(key); try s.encode(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { var s = single(key); try s.encode(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { var s = single(key); try s.encode(value) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { var s = single(key); try s.encode(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                        forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
            .container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node.child(forKey: "super"), codingPath: codingPath)
    }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "Index \(intValue!)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var count: Int { if case .array(let items) = node.kind { items.count } else { 0 } }

    private func next() -> (EncodingNode, [any CodingKey]) {
        let path = codingPath + [IndexKey(count)]
        return (node.appendChild(), path)
    }

    mutating func encodeNil() throws { let (n, _) = next(); n.kind = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let (n, path) = next()
        var single = SingleNodeContainer(node: n, codingPath: path)
        try single.encode(value)
    }
    mutating func encode(_ value: Bool) throws { let (n, _) = next(); n.kind = .value(.bool(value)) }
    mutating func encode(_ value: String) throws { let (n, _) = next(); n.kind = .value(.string(value)) }
    mutating func encode(_ value: Int) throws { let (n, _) = next(); n.kind = .value(.int(value)) }
    mutating func encode(_ value: Double) throws {
        let (n, path) = next(); n.kind = .value(try finite(value, path))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let (n, path) = next()
        return NodeEncoder(node: n, codingPath: path).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let (n, path) = next()
        return NodeEncoder(node: n, codingPath: path).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder {
        let (n, path) = next()
        return NodeEncoder(node: n, codingPath: path)
    }
}
