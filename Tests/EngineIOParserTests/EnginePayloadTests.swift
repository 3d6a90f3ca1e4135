import Testing
@testable import EngineIOParser

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

// The examples from the Engine.IO v4 specification's payload section.
@Test func decodesSpecPayloadExamples() {
    let textOnly = EnginePayload.decode(bytes("4hello\u{1E}4€"))
    #expect(textOnly.error == nil)
    #expect(textOnly.packets == [.message("hello"), .message("€")])

    let mixed = EnginePayload.decode(bytes("4hello\u{1E}bAQIDBA=="))
    #expect(mixed.error == nil)
    #expect(mixed.packets == [.message("hello"), .message([1, 2, 3, 4])])
}

@Test func encodesSpecPayloadExamples() {
    #expect(EnginePayload.encode([.message("hello"), .message("€")]) == bytes("4hello\u{1E}4€"))
    #expect(EnginePayload.encode([.message("hello"), .message([1, 2, 3, 4])]) == bytes("4hello\u{1E}bAQIDBA=="))
}

@Test func stopsAtFirstBadPacketKeepingEarlierOnes() {
    let result = EnginePayload.decode(bytes("4a\u{1E}9\u{1E}4b"))
    #expect(result.packets == [.message("a")])
    #expect(result.error == .unknownType(UInt8(ascii: "9")))
}

@Test func emptyRecordIsAnError() {
    #expect(EnginePayload.decode([]).error == .empty)
    #expect(EnginePayload.decode(bytes("4a\u{1E}")).error == .empty)
}

@Test func roundTripsRandomPayloads() {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<200 {
        let packets: [EnginePacket] = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
            if Bool.random(using: &generator) {
                return .message((0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            }
            let scalars = (0..<Int.random(in: 0...20, using: &generator)).compactMap { _ in
                Unicode.Scalar(UInt32.random(in: 0x20...0x2FFF, using: &generator))
            }.filter { $0 != "\u{1E}" }
            return .message(String(String.UnicodeScalarView(scalars)))
        }
        let decoded = EnginePayload.decode(EnginePayload.encode(packets))
        #expect(decoded.error == nil)
        #expect(decoded.packets == packets)
    }
}
