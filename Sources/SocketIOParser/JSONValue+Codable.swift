import Foundation

/// Lets user models hold free-form JSON (`struct Event: Codable { var payload: JSONValue }`) with any
/// Encoder/Decoder. Binary goes through them as `Data` (base64 in Foundation's JSON).
extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
            var object = JSONObject()
            for key in keyed.allKeys { object[key.stringValue] = try keyed.decode(JSONValue.self, forKey: key) }
            self = .object(object)
            return
        }
        if var unkeyed = try? decoder.unkeyedContainer() {
            var array: [JSONValue] = []
            while !unkeyed.isAtEnd { array.append(try unkeyed.decode(JSONValue.self)) }
            self = .array(array)
            return
        }
        let single = try decoder.singleValueContainer()
        // Bool before Int: Foundation refuses `true` as an Int and `1` as a Bool, so order keeps types exact.
        if single.decodeNil() { self = .null }
        else if let bool = try? single.decode(Bool.self) { self = .bool(bool) }
        else if let int = try? single.decode(Int.self) { self = .int(int) }
        else if let double = try? single.decode(Double.self) { self = .double(double) }
        else if let string = try? single.decode(String.self) { self = .string(string) }
        else if let data = try? single.decode(Data.self) { self = .binary(Array(data)) }
        else {
            throw DecodingError.dataCorruptedError(in: single, debugDescription: "Not a JSON value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .object(let object):
            var keyed = encoder.container(keyedBy: AnyKey.self)
            for (key, value) in object { try keyed.encode(value, forKey: AnyKey(key)) }
        case .array(let array):
            var unkeyed = encoder.unkeyedContainer()
            for value in array { try unkeyed.encode(value) }
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let bool):
            var single = encoder.singleValueContainer()
            try single.encode(bool)
        case .int(let int):
            var single = encoder.singleValueContainer()
            try single.encode(int)
        case .double(let double):
            var single = encoder.singleValueContainer()
            try single.encode(double)
        case .string(let string):
            var single = encoder.singleValueContainer()
            try single.encode(string)
        case .binary(let bytes):
            var single = encoder.singleValueContainer()
            try single.encode(Data(bytes))
        }
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
