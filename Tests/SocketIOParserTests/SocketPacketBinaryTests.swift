import Testing
@testable import SocketIOParser

/// Attachments: deconstruction order, reconstruction, and every way a binary sequence can go wrong.
@Suite struct SocketPacketBinaryTests {
    static let nested: JSONValue = [
        "upload",
        ["name": "a.png", "chunks": [.binary([1]), .binary([2, 2])], "meta": ["thumb": .binary([3])]],
        .binary([]),
        [[.binary([5, 5, 5])]],
    ]

    @Test func encoderNumbersAttachmentsDepthFirstInOrder() {
        let encoded = SocketPacketEncoder.encode(SocketPacket(type: .event, namespace: "/files", data: Self.nested, id: 9))
        let placeholder = { (n: Int) in "{\"_placeholder\":true,\"num\":\(n)}" }
        #expect(encoded.text == "55-/files,9[\"upload\",{\"name\":\"a.png\",\"chunks\":[\(placeholder(0)),\(placeholder(1))],"
                + "\"meta\":{\"thumb\":\(placeholder(2))}},\(placeholder(3)),[[\(placeholder(4))]]]")
        #expect(encoded.attachments == [[1], [2, 2], [3], [], [5, 5, 5]])
    }

    @Test func roundTripsNestedBinary() throws {
        let packet = SocketPacket(type: .event, namespace: "/files", data: Self.nested, id: 9)
        #expect(try decodeAll(SocketPacketEncoder.encode(packet)) == packet)
        let ack = SocketPacket(type: .ack, data: [["file": .binary([9, 9])], "ok"], id: 4)
        let encoded = SocketPacketEncoder.encode(ack)
        #expect(encoded.text == "61-4[{\"file\":{\"_placeholder\":true,\"num\":0}},\"ok\"]")
        #expect(try decodeAll(encoded) == ack)
    }

    @Test func binaryTypesWithoutBinaryAreSentAsPlainTypes() {
        #expect(SocketPacketEncoder.encode(SocketPacket(type: .binaryEvent, data: ["e"])).text == "2[\"e\"]")
        #expect(SocketPacketEncoder.encode(SocketPacket(type: .binaryAck, data: [], id: 1)).text == "31[]")
        let explicit = SocketPacketEncoder.encode(SocketPacket(type: .binaryEvent, data: ["e", .binary([1])]))
        #expect(explicit.text == "51-[\"e\",{\"_placeholder\":true,\"num\":0}]")
    }

    @Test func binaryOutsideEventsIsNotExtracted() {
        let encoded = SocketPacketEncoder.encode(SocketPacket(type: .connect, data: ["k": .binary([7])]))
        #expect(encoded.text == "0{\"k\":{\"type\":\"Buffer\",\"data\":[7]}}")
        #expect(encoded.attachments.isEmpty)
    }

    @Test func eventFastPathMatchesGeneralEncoder() {
        let arguments: [JSONValue] = [1, ["b": .binary([1, 2])], "x\"y", .binary([3])]
        for (namespace, id) in [("/", nil), ("/chat", 12), ("/", 0)] as [(String, Int?)] {
            let general = SocketPacketEncoder.encode(
                SocketPacket(type: .event, namespace: namespace, data: .array(["msg"] + arguments), id: id))
            let fast = SocketPacketEncoder.encodeEvent(namespace: namespace, event: "msg", arguments: arguments, ackID: id)
            #expect(fast == general)
            let plain = SocketPacketEncoder.encodeEvent(namespace: namespace, event: "msg", arguments: [1, "a"], ackID: id)
            #expect(plain == SocketPacketEncoder.encode(
                SocketPacket(type: .event, namespace: namespace, data: ["msg", 1, "a"], id: id)))
        }
    }

    @Test func attachmentsArriveOneAtATime() throws {
        var decoder = SocketPacketDecoder()
        #expect(try decoder.decode(text: "52-[\"e\",{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":0}]") == nil)
        #expect(try decoder.decode(binary: [0xA]) == nil)
        #expect(decoder.isAwaitingAttachments)
        let packet = try decoder.decode(binary: [0xB])
        #expect(packet == SocketPacket(type: .event, data: ["e", .binary([0xB]), .binary([0xA])]))
        // Ready for the next packet.
        #expect(try decoder.decode(text: "2[\"next\"]")?.eventName == "next")
    }

    @Test func placeholderNumMayBeAnIntegralDouble() throws {
        var decoder = SocketPacketDecoder()
        _ = try decoder.decode(text: "51-[\"e\",{\"_placeholder\":true,\"num\":0.0}]")
        #expect(try decoder.decode(binary: [1])?.arguments == [.binary([1])])
    }

    @Test(arguments: [
        "51-[\"e\",{\"_placeholder\":true,\"num\":1}]",      // out of range
        "51-[\"e\",{\"_placeholder\":true,\"num\":-1}]",     // negative
        "51-[\"e\",{\"_placeholder\":true,\"num\":0.5}]",    // not an integer
        "51-[\"e\",{\"_placeholder\":true,\"num\":\"0\"}]",  // not a number
        "51-[\"e\",{\"_placeholder\":true}]",                // missing
        "51-[\"e\",\"no placeholder at all\"]",              // attachment never used
        "52-[\"e\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":0}]",  // #1 unused
        // Found by Fuzz/Targets/socketio.swift: one attachment named twice made a packet carry more
        // binaries than announced (past maxAttachments), each a copy once the packet is re-encoded.
        "51-[\"e\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":0}]",  // #0 used twice
    ])
    func badPlaceholdersAreInvalidPayload(_ text: String) throws {
        var decoder = SocketPacketDecoder()
        #expect(try decoder.decode(text: text) == nil)
        let expected = text.hasPrefix("52-") ? 2 : 1
        for _ in 1..<expected { #expect(try decoder.decode(binary: [1]) == nil) }
        #expect(throws: SocketParseError.invalidPayload) { try decoder.decode(binary: [2]) }
        #expect(!decoder.isAwaitingAttachments)
    }

    @Test func attachmentLimit() throws {
        let ten = (0..<10).map { "{\"_placeholder\":true,\"num\":\($0)}" }.joined(separator: ",")
        var decoder = SocketPacketDecoder()
        #expect(try decoder.decode(text: "510-[\"e\",\(ten)]") == nil)
        for n in 0..<9 { #expect(try decoder.decode(binary: [UInt8(n)]) == nil) }
        #expect(try decoder.decode(binary: [9])?.arguments.count == 10)

        #expect(throws: SocketParseError.tooManyAttachments) { try decoder.decode(text: "511-[\"e\"]") }
        var strict = SocketPacketDecoder(maxAttachments: 2)
        #expect(throws: SocketParseError.tooManyAttachments) { try strict.decode(text: "53-[\"e\"]") }
        #expect(throws: Never.self) { try strict.decode(text: "52-[\"e\"]") }
    }

    @Test func binaryWithoutAPendingPacketIsUnexpected() throws {
        var decoder = SocketPacketDecoder()
        #expect(throws: SocketParseError.unexpectedBinary) { try decoder.decode(binary: [1]) }
        _ = try decoder.decode(text: "2[\"e\"]")
        #expect(throws: SocketParseError.unexpectedBinary) { try decoder.decode(binary: [1]) }
        _ = try decoder.decode(text: "51-[\"e\",{\"_placeholder\":true,\"num\":0}]")
        _ = try decoder.decode(binary: [1])
        #expect(throws: SocketParseError.unexpectedBinary) { try decoder.decode(binary: [1]) }
    }

    @Test func textWhileAwaitingAttachmentsIsUnexpected() throws {
        var decoder = SocketPacketDecoder()
        #expect(try decoder.decode(text: "52-[\"e\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]") == nil)
        _ = try decoder.decode(binary: [1])
        #expect(throws: SocketParseError.unexpectedText) { try decoder.decode(text: "2[\"e\"]") }
        // The half-received packet is dropped; the decoder is usable again.
        #expect(!decoder.isAwaitingAttachments)
        #expect(try decoder.decode(text: "2[\"e\"]") != nil)

        _ = try decoder.decode(text: "51-[\"e\",{\"_placeholder\":true,\"num\":0}]")
        #expect(throws: SocketParseError.unexpectedText) { try decoder.decode(textBytes: Array("2[\"e\"]".utf8)) }
        _ = try decoder.decode(text: "51-[\"e\",{\"_placeholder\":true,\"num\":0}]")
        decoder.reset()
        #expect(throws: SocketParseError.unexpectedBinary) { try decoder.decode(binary: [1]) }
    }

    private func decodeAll(_ encoded: EncodedSocketPacket) throws -> SocketPacket? {
        var decoder = SocketPacketDecoder()
        var packet = try decoder.decode(text: encoded.text)
        for attachment in encoded.attachments { packet = try decoder.decode(binary: attachment) }
        return packet
    }
}
