import Testing
@testable import SocketIOParser

/// The examples of the Socket.IO v5 protocol document, both directions. (The document shows some
/// packets with their Engine.IO "4" prefix, e.g. "451-…"; the Socket.IO part starts after it.)
@Suite struct SocketPacketSpecExampleTests {
    struct Example: Sendable, CustomTestStringConvertible {
        let text: String
        let packet: SocketPacket
        var attachments: [[UInt8]] = []
        var testDescription: String { text }
    }

    static let examples: [Example] = [
        Example(text: "0", packet: SocketPacket(type: .connect)),
        Example(text: "0/admin,", packet: SocketPacket(type: .connect, namespace: "/admin")),
        Example(text: "0{\"token\":\"123\"}", packet: SocketPacket(type: .connect, data: ["token": "123"])),
        Example(text: "0/admin,{\"token\":\"123\"}",
                packet: SocketPacket(type: .connect, namespace: "/admin", data: ["token": "123"])),
        Example(text: "0{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}",
                packet: SocketPacket(type: .connect, data: ["sid": "oSO0OpakMV_3jnilAAAA"])),
        Example(text: "0/admin,{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}",
                packet: SocketPacket(type: .connect, namespace: "/admin", data: ["sid": "oSO0OpakMV_3jnilAAAA"])),
        Example(text: "4{\"message\":\"Not authorized\"}",
                packet: SocketPacket(type: .connectError, data: ["message": "Not authorized"])),
        Example(text: "4/admin,{\"message\":\"Not authorized\"}",
                packet: SocketPacket(type: .connectError, namespace: "/admin", data: ["message": "Not authorized"])),
        Example(text: "1", packet: SocketPacket(type: .disconnect)),
        Example(text: "1/admin,", packet: SocketPacket(type: .disconnect, namespace: "/admin")),
        Example(text: "2[\"hello\",1]", packet: SocketPacket(type: .event, data: ["hello", 1])),
        Example(text: "2/admin,[\"project:delete\",123]",
                packet: SocketPacket(type: .event, namespace: "/admin", data: ["project:delete", 123])),
        Example(text: "2/admin,456[\"project:delete\",123]",
                packet: SocketPacket(type: .event, namespace: "/admin", data: ["project:delete", 123], id: 456)),
        Example(text: "3/admin,456[]", packet: SocketPacket(type: .ack, namespace: "/admin", data: [], id: 456)),
        Example(text: "51-[\"hello\",{\"_placeholder\":true,\"num\":0}]",
                packet: SocketPacket(type: .event, data: ["hello", .binary([1, 2, 3, 4])]),
                attachments: [[1, 2, 3, 4]]),
        Example(text: "61-/admin,456[{\"_placeholder\":true,\"num\":0}]",
                packet: SocketPacket(type: .ack, namespace: "/admin", data: [.binary([3])], id: 456),
                attachments: [[3]]),
    ]

    @Test(arguments: examples)
    func encodesLikeTheReference(_ example: Example) {
        let encoded = SocketPacketEncoder.encode(example.packet)
        #expect(encoded.text == example.text)
        #expect(encoded.attachments == example.attachments)
    }

    @Test(arguments: examples)
    func decodesTheReferenceForm(_ example: Example) throws {
        var decoder = SocketPacketDecoder()
        var packet = try decoder.decode(text: example.text)
        for (offset, attachment) in example.attachments.enumerated() {
            #expect(packet == nil)
            #expect(decoder.isAwaitingAttachments)
            packet = try decoder.decode(binary: attachment)
            if offset < example.attachments.count - 1 { #expect(packet == nil) }
        }
        #expect(packet == example.packet)
        #expect(!decoder.isAwaitingAttachments)
    }

    @Test(arguments: examples)
    func decodesFromBytesToo(_ example: Example) throws {
        var decoder = SocketPacketDecoder()
        var packet = try decoder.decode(textBytes: Array(example.text.utf8))
        for attachment in example.attachments { packet = try decoder.decode(binary: attachment) }
        #expect(packet == example.packet)
    }

    @Test func eventAccessors() throws {
        var decoder = SocketPacketDecoder()
        #expect(try decoder.decode(text: "51-[\"hello\",{\"_placeholder\":true,\"num\":0}]") == nil)
        let packet = try decoder.decode(binary: [1, 2, 3])
        #expect(packet?.eventName == "hello")
        #expect(packet?.arguments == [.binary([1, 2, 3])])
    }
}
