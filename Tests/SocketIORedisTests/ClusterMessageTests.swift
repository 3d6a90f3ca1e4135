import Foundation
import Testing
import SocketIO
import SocketIOParser
@testable import SocketIORedis

/// The Redis Streams adapter's messages: stream entries and pub/sub payloads as
/// `@socket.io/redis-streams-adapter` 0.3.x writes and reads them.
@Suite struct ClusterMessageTests {
    @Test func durableMessagesAreStreamFieldsWithJSONData() throws {
        let message = ClusterMessage(uid: "0123456789abcdef", nsp: "/", type: .broadcast, data: [
            "packet": ["type": 2, "data": ["hello", ["n": 1]]], "opts": ["rooms": ["r1"], "except": [], "flags": [:]],
        ])
        let fields = message.streamFields()
        #expect(fields == ["uid", "0123456789abcdef", "nsp", "/", "type", "3", "data",
                           #"{"packet":{"type":2,"data":["hello",{"n":1}]},"opts":{"rooms":["r1"],"except":[],"flags":{}}}"#])
        #expect(!message.isEphemeral)
        let read = try ClusterMessage(streamFields: Dictionary(uniqueKeysWithValues: stride(from: 0, to: fields.count, by: 2).map { (fields[$0], fields[$0 + 1]) }))
        #expect(read == message)
    }

    @Test func binaryDataGoesAsBase64MessagePack() throws {
        let message = ClusterMessage(uid: "u", nsp: "/", type: .broadcast, data: ["packet": ["type": 2, "data": ["b", .binary([0, 255])]]])
        let data = message.streamFields()[7]
        #expect(!data.hasPrefix("{"))
        let decoded = try ClassicCodec.decode([UInt8](try #require(Data(base64Encoded: data))))
        #expect(decoded["packet"]?["data"] == ["b", .binary([0, 255])])
        #expect(try ClusterMessage(streamFields: ["uid": "u", "nsp": "/", "type": "3", "data": data]) == message)
        // Types that cannot carry binary stay JSON whatever they hold.
        let join = ClusterMessage(uid: "u", nsp: "/", type: .socketsJoin, data: ["rooms": ["a"]])
        #expect(join.streamFields()[7] == #"{"rooms":["a"]}"#)
    }

    @Test func ephemeralMessagesAreWholeMessagePack() throws {
        let fetch = ClusterMessage(uid: "u", nsp: "/chat", type: .fetchSockets, data: ["requestId": "r"])
        #expect(fetch.isEphemeral)
        #expect(try ClusterMessage(messagePack: fetch.messagePack()) == fetch)
        #expect(ClusterMessage(uid: "u", nsp: "/", type: .broadcast, data: ["requestId": "r"]).isEphemeral)
        #expect(ClusterMessage(uid: "u", nsp: "/", type: .serverSideEmit, data: ["packet": ["x"]]).isEphemeral)
        #expect(!ClusterMessage(uid: "u", nsp: "/", type: .disconnectSockets, data: nil).isEphemeral)
    }

    @Test func unreadableEntriesAreErrors() {
        for fields: [String: String] in [[:], ["uid": "u", "nsp": "/"], ["uid": "u", "nsp": "/", "type": "x"],
                                         ["uid": "u", "nsp": "/", "type": "99"], ["uid": "u", "nsp": "/", "type": "3", "data": "%%"],
                                         ["uid": "u", "nsp": "/", "type": "3", "data": "{nope"]] {
            #expect(throws: ClassicDecodeError.self) { _ = try ClusterMessage(streamFields: fields) }
        }
        #expect(throws: ClassicDecodeError.self) { _ = try ClusterMessage(messagePack: [0x81, 0xa1, 0x78, 0x01]) }
    }

    /// JavaScript's values for `hashCode(nsp) % streamCount` (printed by node), negative ones included.
    @Test func streamNamesFollowJavaScriptsHashCode() {
        #expect(streamName(for: "/", base: "socket.io", count: 1) == "socket.io")
        #expect(streamName(for: "/", base: "socket.io", count: 3) == "socket.io-2")
        #expect(streamName(for: "/chat", base: "socket.io", count: 3) == "socket.io-1")
        #expect(streamName(for: "/a-very-long-namespace-name-that-overflows", base: "s", count: 4) == "s-2")
        #expect(streamName(for: "/é", base: "s", count: 4) == "s-2")
        #expect(streamName(for: "/team-12345678", base: "s", count: 3) == "s--1")
        #expect(streamName(for: "/zzzzzzzzzz", base: "s", count: 3) == "s--1")
    }

    @Test func idsAreSixteenHexCharacters() {
        let id = randomHexID()
        #expect(id.count == 16 && id.allSatisfy(\.isHexDigit))
    }
}
