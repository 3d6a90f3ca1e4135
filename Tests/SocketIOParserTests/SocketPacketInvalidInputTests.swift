import Testing
@testable import SocketIOParser

/// Every way the text decoder must refuse a packet, with the exact error.
@Suite struct SocketPacketInvalidInputTests {
    static let cases: [(String, SocketParseError)] = [
        ("", .unknownType), ("7", .unknownType), ("9[]", .unknownType), ("a", .unknownType), ("/", .unknownType),
        ("-1", .unknownType), (" 2[\"a\"]", .unknownType),
        // Ack ids: negative, overflowing, or on a type without acks.
        ("2-1[\"a\"]", .badAckID), ("2/admin,-5[\"a\"]", .badAckID), ("51--1[\"a\"]", .badAckID),
        ("299999999999999999999[\"a\"]", .badAckID), ("3/x,92233720368547758070[]", .badAckID),
        ("012", .badAckID), ("0/admin,1{}", .badAckID), ("11", .badAckID), ("41{\"m\":1}", .badAckID),
        // Payload not JSON (including an ack id with junk after it).
        ("2[\"a\",]", .badJSON), ("2{", .badJSON), ("21a[\"a\"]", .badJSON), ("2abc", .badJSON),
        ("2[\"a\"] x", .badJSON), ("0admin,{}", .badJSON), ("2-x", .badJSON),
        // CONNECT: object or nothing.
        ("0[]", .invalidPayload), ("0\"x\"", .invalidPayload), ("0null", .invalidPayload), ("01.5", .badJSON),
        // DISCONNECT: nothing.
        ("1{}", .invalidPayload), ("1/admin,[]", .invalidPayload), ("1null", .invalidPayload),
        // CONNECT_ERROR: object or string, required.
        ("4", .invalidPayload), ("4[]", .invalidPayload), ("4/admin,", .invalidPayload), ("4true", .invalidPayload),
        // EVENT: non-empty array led by a string or number.
        ("2", .invalidPayload), ("2[]", .invalidPayload), ("2{}", .invalidPayload), ("2\"hello\"", .invalidPayload),
        ("2[null]", .invalidPayload), ("2[[\"a\"]]", .invalidPayload), ("2[{}]", .invalidPayload),
        ("2[true]", .invalidPayload), ("2/admin,", .invalidPayload), ("212", .invalidPayload),
        // ACK: array.
        ("3", .invalidPayload), ("31", .invalidPayload), ("31{}", .invalidPayload), ("31\"x\"", .invalidPayload),
        // Attachment counts.
        ("5[\"a\"]", .invalidPayload), ("5-[\"a\"]", .invalidPayload), ("50-[\"a\"]", .invalidPayload),
        ("51[\"a\"]", .invalidPayload), ("5x-[\"a\"]", .invalidPayload), ("61", .invalidPayload),
        ("511-[\"a\"]", .tooManyAttachments), ("699999999999999999999999-[]", .tooManyAttachments),
        ("51-[]", .invalidPayload), ("61-{}", .invalidPayload),
        // Reserved event names.
        ("2[\"connect\"]", .reservedEventName), ("2[\"connect_error\",1]", .reservedEventName),
        ("2[\"disconnect\"]", .reservedEventName), ("2/admin,1[\"disconnecting\"]", .reservedEventName),
        ("2[\"newListener\"]", .reservedEventName), ("2[\"removeListener\"]", .reservedEventName),
        ("51-[\"disconnect\",{\"_placeholder\":true,\"num\":0}]", .reservedEventName),
    ]

    @Test(arguments: cases)
    func rejects(_ text: String, _ error: SocketParseError) {
        var decoder = SocketPacketDecoder()
        #expect(throws: error) { try decoder.decode(text: text) }
        #expect(!decoder.isAwaitingAttachments)
        var byteDecoder = SocketPacketDecoder()
        #expect(throws: error) { try byteDecoder.decode(textBytes: Array(text.utf8)) }
    }

    @Test func acceptsWhatTheReferenceAccepts() throws {
        var decoder = SocketPacketDecoder()
        // A numeric first element is allowed by the reference.
        #expect(try decoder.decode(text: "2[42,\"x\"]") == SocketPacket(type: .event, data: [42, "x"]))
        // Reserved names are fine as later arguments and as ack payloads.
        #expect(try decoder.decode(text: "2[\"msg\",\"connect\"]")?.arguments == ["connect"])
        #expect(try decoder.decode(text: "30[\"disconnect\"]") == SocketPacket(type: .ack, data: ["disconnect"], id: 0))
        // A namespace may run to the end of the packet without a comma.
        #expect(try decoder.decode(text: "0/admin") == SocketPacket(type: .connect, namespace: "/admin"))
        #expect(try decoder.decode(text: "0/admin{}") == SocketPacket(type: .connect, namespace: "/admin{}"))
        #expect(try decoder.decode(text: "4\"nope\"") == SocketPacket(type: .connectError, data: "nope"))
        #expect(try decoder.decode(text: "2/a/b?x=1,7[\"e\"]")
                == SocketPacket(type: .event, namespace: "/a/b?x=1", data: ["e"], id: 7))
        #expect(try decoder.decode(text: "2/ñ,[\"é\"]") == SocketPacket(type: .event, namespace: "/ñ", data: ["é"]))
        #expect(try decoder.decode(text: "29223372036854775807[\"e\"]")?.id == Int.max)
        // Placeholders in a text-only packet are just objects.
        let plain = try decoder.decode(text: "2[\"e\",{\"_placeholder\":true,\"num\":0}]")
        #expect(plain?.arguments == [["_placeholder": true, "num": 0]])
    }

    @Test func validateMirrorsIsPacketValid() {
        #expect(throws: SocketParseError.badNamespace) { try SocketPacket(type: .connect, namespace: "admin").validate() }
        #expect(throws: SocketParseError.badNamespace) { try SocketPacket(type: .connect, namespace: "").validate() }
        #expect(throws: SocketParseError.badNamespace) { try SocketPacket(type: .connect, namespace: "/a,b").validate() }
        #expect(throws: SocketParseError.badAckID) { try SocketPacket(type: .event, data: ["e"], id: -1).validate() }
        #expect(throws: SocketParseError.badAckID) { try SocketPacket(type: .connect, id: 1).validate() }
        #expect(throws: SocketParseError.reservedEventName) { try SocketPacket(type: .event, data: ["connect"]).validate() }
        #expect(throws: Never.self) { try SocketPacket(type: .ack, data: [], id: 3).validate() }
        // Only the exact names are reserved.
        for name in ["Connect", "connects", "disconnect ", "newlistener", ""] {
            #expect(throws: Never.self) { try SocketPacket(type: .event, data: [.string(name)]).validate() }
        }
        #expect(SocketPacket.isReservedEventName("removeListener"))
        #expect(throws: Never.self) { try SocketPacket(type: .connect, namespace: "/x", data: ["a": 1]).validate() }
    }
}
