import Testing
@testable import SocketIOParser

/// The user-facing surface of JSONValue and JSONObject: literals, accessors, ordering, equality.
@Suite struct JSONValueAPITests {
    @Test func literals() {
        let value: JSONValue = ["n": nil, "b": true, "i": 3, "d": 2.5, "s": "x", "a": [1, "two"], "o": ["k": []]]
        #expect(value["n"] == .null)
        #expect(value["b"] == .bool(true))
        #expect(value["i"] == .int(3))
        #expect(value["d"] == .double(2.5))
        #expect(value["s"] == .string("x"))
        #expect(value["a"] == .array([.int(1), .string("two")]))
        #expect(value["o"] == .object(JSONObject([("k", .array([]))])))
        let object: JSONObject = ["z": 1, "a": 2]
        #expect(object.keys == ["z", "a"])
    }

    @Test func accessors() {
        let value: JSONValue = ["list": [10, 2.0, 2.5, "s", .binary([1])], "flag": false]
        #expect(value["list"]?[0]?.intValue == 10)
        #expect(value["list"]?[1]?.intValue == 2)
        #expect(value["list"]?[2]?.intValue == nil)
        #expect(value["list"]?[2]?.doubleValue == 2.5)
        #expect(value["list"]?[0]?.doubleValue == 10)
        #expect(value["list"]?[3]?.stringValue == "s")
        #expect(value["list"]?[4]?.binaryValue == [1])
        #expect(value["list"]?[9] == nil)
        #expect(value["list"]?[-1] == nil)
        #expect(value["flag"]?.boolValue == false)
        #expect(value["missing"] == nil)
        #expect(value["list"]?["key"] == nil)
        #expect(JSONValue.null.isNull)
        #expect(value.objectValue?.count == 2)
        #expect(value["list"]?.arrayValue?.count == 5)
        #expect(value.containsBinary)
        #expect(!(["a": [1]] as JSONValue).containsBinary)
        #expect(JSONValue.double(1e300).intValue == nil)
        #expect(JSONValue.double(.nan).intValue == nil)
        #expect(JSONValue.double(-0x1p63).intValue == Int.min)
        #expect(JSONValue.double(0x1p63).intValue == nil)
    }

    @Test func objectKeepsInsertionOrderAcrossUpdatesAndRemovals() {
        var object = JSONObject()
        object["b"] = 1
        object["a"] = 2
        object["c"] = 3
        object["a"] = 20
        #expect(object.keys == ["b", "a", "c"])
        #expect(object.values == [1, 20, 3])
        #expect(object.removeValue(forKey: "b") == 1)
        object["b"] = 4
        #expect(object.keys == ["a", "c", "b"])
        object["c"] = nil
        #expect(object.keys == ["a", "b"])
        #expect(object.updateValue(5, forKey: "a") == 20)
        #expect(Array(object.map(\.key)) == ["a", "b"])
        #expect(!object.isEmpty)
    }

    @Test func largeObjectIndexStaysConsistent() {
        var object = JSONObject()
        for n in 0..<40 { object["k\(n)"] = .int(n) }
        for n in stride(from: 0, to: 40, by: 3) { object["k\(n)"] = nil }
        for n in 0..<40 { #expect(object["k\(n)"] == (n % 3 == 0 ? nil : .int(n))) }
        object["k0"] = 100
        #expect(object.keys.last == "k0")
        for n in 0..<40 where n % 3 != 0 { object["k\(n)"] = nil }
        #expect(object.keys == ["k0"])
        #expect(object.count == 1)
    }

    @Test func equalityAndHashIgnoreKeyOrder() {
        let a: JSONObject = ["x": 1, "y": [true]]
        let b: JSONObject = ["y": [true], "x": 1]
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != ["x": 1, "y": [false]])
        #expect(a != ["x": 1])
        #expect(a != ["x": 1, "z": [true]])
        #expect(Set<JSONValue>([.object(a), .object(b), .int(1), .double(1), .bool(true)]).count == 4)
    }

    @Test func sendableAcrossTasks() async {
        let value: JSONValue = ["shared": [1, 2, 3]]
        let echoed = await Task.detached { value }.value
        #expect(echoed == value)
    }
}
