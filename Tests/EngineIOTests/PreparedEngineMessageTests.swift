import Testing
import EngineIOParser
@testable import EngineIO

/// A prepared message is written straight into its WebSocket frame; its polling form is cut from that
/// frame (text) or kept once (binary). Both must match what the codec encodes packet by packet.
@Suite struct PreparedEngineMessageTests {
    static let packets: [EnginePacket] = [
        .message("hello"), EnginePacket(.ping), EnginePacket(.pong, .text("probe")), .message(""),
        .message([0xFF, 0, 7]), .message(String(repeating: "é", count: 200)),   // a 16-bit frame length
    ]

    @Test func framesCarryTheWebSocketForm() {
        for packet in Self.packets {
            let frame = PreparedEngineMessage(packet: packet).webSocketFrame.array
            if case .binary(let bytes) = packet.data {
                #expect(frame[0] == 0x82)                                  // FIN + binary, no type byte
                #expect(Array(frame[2...]) == bytes)
            } else {
                let text = EnginePacketCodec.encodeText(packet)
                #expect(frame[0] == 0x81)                                  // FIN + text
                let header = text.count < 126 ? 2 : 4
                #expect(Array(frame[header...]) == text)
            }
        }
    }

    /// Socket.IO hands its encoder's bytes over without a `String`: same frame, same polling record.
    @Test func utf8MessagesMatchTextMessages() {
        for text in ["", "hello", String(repeating: "é", count: 200)] {
            let fromBytes = PreparedEngineMessage(utf8Message: Array(text.utf8))
            let fromText = PreparedEngineMessage(packet: .message(text))
            #expect(fromBytes.webSocketFrame.array == fromText.webSocketFrame.array)
            #expect(PreparedEngineMessage.pollingPayload([fromBytes]) == EnginePayload.encode([.message(text)]))
        }
    }

    @Test func pollingPayloadMatchesTheCodec() {
        let prepared = Self.packets.map { PreparedEngineMessage(packet: $0) }
        #expect(PreparedEngineMessage.pollingPayload(prepared) == EnginePayload.encode(Self.packets))
        #expect(PreparedEngineMessage.pollingPayload(prepared.prefix(2), trailer: EnginePacket(.close))
                == EnginePayload.encode(Array(Self.packets.prefix(2)) + [EnginePacket(.close)]))
        #expect(PreparedEngineMessage.pollingPayload([], trailer: EnginePacket(.close)) == [UInt8(ascii: "1")])
    }
}
