import Foundation
import Testing
@testable import SocketIOParser

private struct Envelope: Codable, Equatable {
    var kind: String
    var payload: JSONValue
}

@Test func jsonValueRoundTripsThroughFoundationCoders() throws {
    let value: JSONValue = ["n": 1, "x": 2.5, "t": true, "s": "é", "z": nil, "list": [1, "two", false]]
    let data = try JSONEncoder().encode(Envelope(kind: "k", payload: value))
    let decoded = try JSONDecoder().decode(Envelope.self, from: data)
    #expect(decoded == Envelope(kind: "k", payload: value))
    // Types stay exact: 1 is an int, true a bool, 2.5 a double.
    #expect(decoded.payload["n"] == .int(1))
    #expect(decoded.payload["t"] == .bool(true))
    #expect(decoded.payload["x"] == .double(2.5))
}

@Test func jsonValueDecodesTopLevelScalarsAndArrays() throws {
    #expect(try JSONDecoder().decode(JSONValue.self, from: Data("[true,1,null]".utf8)) == [true, 1, nil])
    #expect(try JSONDecoder().decode(JSONValue.self, from: Data("\"s\"".utf8)) == "s")
}
