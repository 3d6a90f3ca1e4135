import Testing
@testable import EngineIOParser

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

@Test func decodesEveryTextPacketType() throws {
    #expect(try EnginePacketCodec.decode(text: bytes("0{\"sid\":\"x\"}")) == EnginePacket(.open, .text("{\"sid\":\"x\"}")))
    #expect(try EnginePacketCodec.decode(text: bytes("1")) == EnginePacket(.close))
    #expect(try EnginePacketCodec.decode(text: bytes("2probe")) == EnginePacket(.ping, .text("probe")))
    #expect(try EnginePacketCodec.decode(text: bytes("3")) == EnginePacket(.pong))
    #expect(try EnginePacketCodec.decode(text: bytes("4hello")) == .message("hello"))
    #expect(try EnginePacketCodec.decode(text: bytes("5")) == EnginePacket(.upgrade))
    #expect(try EnginePacketCodec.decode(text: bytes("6")) == EnginePacket(.noop))
}

@Test func decodesUnicodeMessage() throws {
    #expect(try EnginePacketCodec.decode(text: bytes("4€ é 😀")) == .message("€ é 😀"))
}

/// The ASCII fast path reads 8 bytes at a time: every length around a word, and a bad or non-ASCII
/// byte at every position, must give what strict validation gives.
@Test func textIsStrictUTF8AtEveryLengthAndPosition() throws {
    for length in 0...19 {
        let ascii = [UInt8](repeating: UInt8(ascii: "a"), count: length)
        #expect(try EnginePacketCodec.decode(text: [UInt8(ascii: "4")] + ascii) == .message(String(repeating: "a", count: length)))
        for position in 0..<length {
            var accented = ascii
            accented.replaceSubrange(position...position, with: [0xC3, 0xA9])   // é, valid
            #expect(try EnginePacketCodec.decode(text: [UInt8(ascii: "4")] + accented)
                    == .message(String(decoding: accented, as: UTF8.self)))
            for bad: [UInt8] in [[0xFF], [0x80], [0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]] {
                var broken = ascii
                broken.replaceSubrange(position...position, with: bad)
                #expect(throws: EngineParseError.invalidUTF8) { try EnginePacketCodec.decode(text: [UInt8(ascii: "4")] + broken) }
            }
        }
    }
}

@Test func decodesBase64Binary() throws {
    #expect(try EnginePacketCodec.decode(text: bytes("bAQIDBA==")) == .message([1, 2, 3, 4]))
}

@Test func binaryFrameIsAMessageWithoutTypeByte() {
    #expect(EnginePacketCodec.decode(binaryFrame: [1, 2, 3]) == .message([1, 2, 3]))
}

@Test func rejectsMalformedPackets() {
    #expect(throws: EngineParseError.empty) { try EnginePacketCodec.decode(text: [UInt8]()) }
    #expect(throws: EngineParseError.unknownType(UInt8(ascii: "7"))) { try EnginePacketCodec.decode(text: bytes("7x")) }
    #expect(throws: EngineParseError.unknownType(UInt8(ascii: "a"))) { try EnginePacketCodec.decode(text: bytes("abc")) }
    #expect(throws: EngineParseError.unknownType(UInt8(ascii: "/"))) { try EnginePacketCodec.decode(text: bytes("/")) }
    #expect(throws: EngineParseError.invalidBase64) { try EnginePacketCodec.decode(text: bytes("b!!!")) }
    #expect(throws: EngineParseError.invalidUTF8) { try EnginePacketCodec.decode(text: [UInt8(ascii: "4"), 0xFF, 0xFE]) }
}

@Test func encodesTextForms() {
    #expect(EnginePacketCodec.encodeText(.message("hello")) == bytes("4hello"))
    #expect(EnginePacketCodec.encodeText(EnginePacket(.pong, .text("probe"))) == bytes("3probe"))
    #expect(EnginePacketCodec.encodeText(EnginePacket(.noop)) == bytes("6"))
    #expect(EnginePacketCodec.encodeText(.message([1, 2, 3, 4])) == bytes("bAQIDBA=="))
}

@Test func roundTripsEveryPacketKind() throws {
    let packets: [EnginePacket] = [
        EnginePacket(.open, .text("{}")), EnginePacket(.close), EnginePacket(.ping), EnginePacket(.pong, .text("probe")),
        .message(""), .message("x\u{1E}y"), .message([]), .message(Array(0...255)), EnginePacket(.upgrade), EnginePacket(.noop),
    ]
    for packet in packets {
        #expect(try EnginePacketCodec.decode(text: EnginePacketCodec.encodeText(packet)) == packet)
    }
}
