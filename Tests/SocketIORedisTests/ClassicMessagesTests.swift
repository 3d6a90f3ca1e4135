import Testing
import SocketIO
import SocketIOParser
@testable import SocketIORedis

/// Our messages against the bytes two Node servers (socket.io 4.8.3, @socket.io/redis-adapter 8.3.0)
/// exchanged, as captured in shared/reference/redis-wire-samples.md and redis-adapters.md.
@Suite struct ClassicMessagesTests {
    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8).filter { $0 != UInt8(ascii: " ") }
        return stride(from: 0, to: digits.count, by: 2).map { i in
            UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16)!
        }
    }

    @Test func roomBroadcastIsNodesBytesOnNodesChannel() {
        let packet = OutgoingPacket(namespace: "/", event: "rm", arguments: [["room": "r1"]])
        let options = BroadcastOptions(rooms: ["r1"])
        #expect(ClassicMessages.broadcast(uid: "QA6MQI", packet: packet, options: options) == Self.hex(
            "93a65141364d514983a47479706502a46461746192a2726d81a4726f6f6da27231a36e7370a12f83a5726f6f6d7391a27231a665786365707490a5666c61677380"))
        #expect(ClassicChannels(key: "socket.io", namespace: "/").broadcastChannel(rooms: options.rooms) == "socket.io#/#r1#")
    }

    @Test func broadcastToAllMatchesTheCapturedMessage() {
        let packet = OutgoingPacket(namespace: "/", event: "bc1",
                                    arguments: [["k": "from-A", "n": 1, "list": [1, "two", nil, true]]])
        #expect(ClassicMessages.broadcast(uid: "QA6MQI", packet: packet, options: BroadcastOptions()) == Self.hex(
            "93a65141364d514983a47479706502a46461746192a362633183a16ba666726f6d2d41a16e01a46c6973749401a374776fc0c3a36e7370a12f83a5726f6f6d7390a665786365707490a5666c61677380"))
        #expect(ClassicChannels(key: "socket.io", namespace: "/").broadcastChannel(rooms: [String]()) == "socket.io#/#")
    }

    @Test func requestsAndResponsesMatchTheCapturedBytes() {
        let fetch = ClassicMessages.request(uid: "QA6MQI", requestID: "Qu23sf", type: .remoteFetch,
                                            body: ["opts": ClassicCodec.options(BroadcastOptions(), withFlags: false)])
        #expect(String(decoding: fetch, as: UTF8.self)
                == #"{"uid":"QA6MQI","requestId":"Qu23sf","type":5,"opts":{"rooms":[],"except":[]}}"#)
        let ping = ClassicMessages.serverSideEmit(uid: "QA6MQI", data: ["ping", ["hello": "from-A"]])
        #expect(String(decoding: ping, as: UTF8.self) == #"{"uid":"QA6MQI","type":6,"data":["ping",{"hello":"from-A"}]}"#)
        #expect(String(decoding: ClassicMessages.clientCount(requestID: "Uk6qDD", count: 2), as: UTF8.self)
                == #"{"type":8,"requestId":"Uk6qDD","clientCount":2}"#)
        #expect(ClassicMessages.broadcastAck(requestID: "Uk6qDD", argument: ["from": "b1", "x": ["ask": "A"]]) == Self.hex(
            "83a47479706509a9726571756573744964a6556b36714444a67061636b657482a466726f6da26231a17881a361736ba141"))
        var options = BroadcastOptions()
        options.flags.timeout = .milliseconds(2000)
        let ackRequest = ClassicMessages.broadcastWithAck(
            uid: "QA6MQI", requestID: "Uk6qDD", packet: OutgoingPacket(namespace: "/", event: "q", arguments: [["ask": "A"]]),
            options: options)
        #expect(ackRequest == Self.hex(
            "85a3756964a65141364d5149a9726571756573744964a6556b36714444a47479706507a67061636b657483a47479706502a46461746192a17181a361736ba141a36e7370a12fa46f70747383a5726f6f6d7390a665786365707490a5666c61677381a774696d656f7574cd07d0"))
    }

    @Test func theEmittersShapesAreKept() {
        let join = ClassicMessages.utility(uid: nil, type: .remoteJoin, rooms: ["a"], except: [], extra: ["rooms": ["b"]])
        #expect(String(decoding: join, as: UTF8.self) == #"{"type":2,"opts":{"rooms":["a"],"except":[]},"rooms":["b"]}"#)
    }

    @Test func nodeMessagesDecodeToWhatTheAdapterReads() throws {
        let broadcast = try ClassicCodec.decode(Self.hex(
            "93a65141364d514983a47479706502a46461746192a2726d81a4726f6f6da27231a36e7370a12f83a5726f6f6d7391a27231a665786365707490a5666c61677380"))
        let parts = try #require(broadcast.arrayValue)
        #expect(parts[0] == "QA6MQI")
        let packet = try #require(ClassicCodec.outgoingPacket(parts[1], namespace: "/"))
        #expect(packet.event == "rm" && packet.arguments == [["room": "r1"]] && packet.ackID == nil)
        #expect(ClassicCodec.outgoingPacket(parts[1], namespace: "/chat") == nil)
        #expect(ClassicCodec.options(parts[2]).rooms == ["r1"])

        let ackRequest = try ClassicCodec.decode(Self.hex(
            "85a3756964a65141364d5149a9726571756573744964a6556b36714444a47479706507a67061636b657483a47479706502a46461746192a17181a361736ba141a36e7370a12fa46f70747383a5726f6f6d7390a665786365707490a5666c61677381a774696d656f7574cd07d0"))
        #expect(ackRequest["type"]?.intValue == 7 && ackRequest["requestId"] == "Uk6qDD")
        #expect(ClassicCodec.options(ackRequest["opts"]).flags.timeout == .milliseconds(2000))
        let json = try ClassicCodec.decode(Array(#"{"type":8,"requestId":"Uk6qDD","clientCount":2}"#.utf8))
        #expect(json["clientCount"]?.intValue == 2)
    }

    @Test func numericRoomsFromJavaScriptBecomeTheirStrings() {
        #expect(ClassicCodec.roomSet([123, "x", 1.5, true]) == ["123", "x", "1.5"])
    }

    @Test func unreadableMessagesAreErrorsNotCrashes() {
        for junk: [UInt8] in [[], [0xc1], Array("{nope".utf8), [0x93, 0xa1], [0xdf, 0xff, 0xff, 0xff, 0xff]] {
            #expect(throws: ClassicDecodeError.self) { _ = try ClassicCodec.decode(junk) }
        }
        #expect(throws: ClassicDecodeError.self) { _ = try ClassicCodec.decode([UInt8](repeating: 0x91, count: 100_000)) }
    }

    @Test func channelsNameRoomsAndOnlyOurs() {
        let channels = ClassicChannels(key: "socket.io", namespace: "/")
        #expect(channels.room(inBroadcastChannel: "socket.io#/#") == "")
        #expect(channels.room(inBroadcastChannel: "socket.io#/#r1#") == "r1")
        #expect(channels.room(inBroadcastChannel: "socket.io#/#r1") == nil)
        #expect(channels.room(inBroadcastChannel: "other#/#") == nil)
        #expect(channels.response(for: "abc") == "socket.io-response#/#abc#")
        #expect(channels.request == "socket.io-request#/#")
    }
}
