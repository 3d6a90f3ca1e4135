import Foundation
import Testing
import SocketIOParser
@testable import SocketIO

struct ChatMessage: Codable, Equatable {
    var user: String
    var text: String
    var likes: Int
    var tags: [String]
    var reply: Reply?
    struct Reply: Codable, Equatable { var to: Int }
}

struct Upload: Codable, Equatable {
    var name: String
    var data: Data
    var raw: [UInt8]
}

enum Mood: String, Codable { case happy, sad }

struct Mixed: Codable, Equatable {
    var ratio: Double
    var small: UInt8
    var big: Int64
    var flag: Bool
    var mood: Mood
    var nested: [[Int]]
    var map: [String: Int]
}

@Suite struct JSONValueCodingTests {
    let encoder = JSONValueEncoder()
    let decoder = JSONValueDecoder()

    @Test func encodesStructsKeepingKeyOrder() throws {
        let value = try encoder.encode(ChatMessage(user: "ann", text: "hi", likes: 2, tags: ["a"], reply: nil))
        let object = try #require(value.objectValue)
        #expect(object.keys == ["user", "text", "likes", "tags"])
        #expect(value == ["user": "ann", "text": "hi", "likes": 2, "tags": ["a"]])
    }

    @Test func roundTripsNestedOptionals() throws {
        let message = ChatMessage(user: "bob", text: "yo", likes: 0, tags: [], reply: .init(to: 4))
        let value = try encoder.encode(message)
        #expect(value["reply"] == ["to": 4])
        #expect(try decoder.decode(ChatMessage.self, from: value) == message)
    }

    @Test func bytesBecomeBinary() throws {
        let upload = Upload(name: "f", data: Data([1, 2, 3]), raw: [9])
        let value = try encoder.encode(upload)
        #expect(value["data"] == .binary([1, 2, 3]))
        #expect(value["raw"] == .binary([9]))
        #expect(try decoder.decode(Upload.self, from: value) == upload)
    }

    @Test func mixedScalarsRoundTrip() throws {
        let mixed = Mixed(ratio: 0.5, small: 200, big: 1 << 40, flag: true, mood: .sad,
                          nested: [[1], [2, 3]], map: ["k": 1])
        let value = try encoder.encode(mixed)
        #expect(value["flag"] == .bool(true))
        #expect(value["small"] == .int(200))
        #expect(value["mood"] == "sad")
        #expect(try decoder.decode(Mixed.self, from: value) == mixed)
    }

    @Test func topLevelScalarsAndArrays() throws {
        #expect(try encoder.encode("x") == "x")
        #expect(try encoder.encode(3) == 3)
        #expect(try encoder.encode([1, 2]) == [1, 2])
        #expect(try encoder.encode(Optional<Int>.none) == nil)
        #expect(try decoder.decode(String.self, from: "x") == "x")
        #expect(try decoder.decode([Int].self, from: [1, 2]) == [1, 2])
        #expect(try decoder.decode(Int.self, from: .double(3)) == 3)
        #expect(try decoder.decode(Double.self, from: 3) == 3.0)
    }

    @Test func nonFiniteDoublesAreRejected() {
        #expect(throws: EncodingError.self) { try encoder.encode([Double.nan]) }
    }

    @Test func wrongShapeGivesAnActionableError() {
        let bad: JSONValue = ["user": "ann", "text": 5, "likes": 1, "tags": []]
        #expect(throws: SocketIOError.invalidPayload(event: "chat", reason: "expected String, found a number at .text")) {
            _ = try decodeArgument(ChatMessage.self, from: bad, event: "chat")
        }
        #expect(throws: SocketIOError.invalidPayload(event: "chat", reason: "missing key \"tags\"")) {
            _ = try decodeArgument(ChatMessage.self, from: ["user": "a", "text": "b", "likes": 1], event: "chat")
        }
        #expect(throws: DecodingError.self) { try decoder.decode(Int.self, from: 1.5) }
        #expect(throws: SocketIOError.self) { _ = try decodeArgument(UInt8.self, from: 300, event: "n") }
    }
}

@Suite struct OutgoingPacketTests {
    @Test func exposesEventAndArguments() {
        let packet = OutgoingPacket(namespace: "/chat", event: "msg", arguments: ["a", 1], ackID: 3)
        #expect(packet.event == "msg")
        #expect(packet.arguments == ["a", 1])
        #expect(packet.ackID == 3)
        #expect(SocketPacketEncoder.encode(packet.packet).text == #"2/chat,3["msg","a",1]"#)
    }

    @Test func binaryArgumentsBecomeAttachments() {
        let packet = OutgoingPacket(namespace: "/", event: "file", arguments: [.binary([1, 2])])
        let encoded = SocketPacketEncoder.encode(packet.packet)
        #expect(encoded.text == #"51-["file",{"_placeholder":true,"num":0}]"#)
        #expect(encoded.attachments == [[1, 2]])
    }
}

@Suite struct HandshakeTests {
    @Test func timeLooksLikeJavaScriptDateToString() {
        let date = Date(timeIntervalSince1970: 1_717_581_600)  // 2024-06-05 10:00:00 UTC
        #expect(Handshake.format(date) == "Wed Jun 05 2024 10:00:00 GMT+0000 (Coordinated Universal Time)")
    }
}
