import Testing
import HTTP1
import WebSocketCodec
import EngineIOParser

/// The spec fixtures that only mean something after a lower decoder reassembled them, fed through
/// that decoder split at every byte offset: Engine.IO payloads inside a polling POST (HTTP/1.1
/// parser), Engine.IO packets inside WebSocket frames (RFC 6455 decoder), and the RFC 6455 §1.3
/// opening handshake (HTTP/1.1 parser, then the handshake check and its accept key).

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Engine.IO v4 payloads from the protocol spec and engine.io-parser's v4 notes, with their packets.
private let payloadFixtures: [(body: String, packets: [EnginePacket])] = [
    ("4hello\u{1E}4€", [.message("hello"), .message("€")]),
    ("4€\u{1E}bAQIDBA==", [.message("€"), .message([1, 2, 3, 4])]),
    ("4hello\u{1E}bAQIDBA==", [.message("hello"), .message([1, 2, 3, 4])]),
    ("4hello\u{1E}4€€€", [.message("hello"), .message("€€€")]),
    ("4hello\u{1E}bAQID", [.message("hello"), .message([1, 2, 3])]),
    ("2probe\u{1E}4hello\u{1E}1", [EnginePacket(.ping, .text("probe")), .message("hello"), EnginePacket(.close)]),
    ("3\u{1E}6\u{1E}4", [EnginePacket(.pong), EnginePacket(.noop), .message("")]),
]

/// Single packets as a WebSocket carries them: text frames in text form, binary messages as raw bytes.
private let frameFixtures: [(opcode: WebSocketOpcode, payload: [UInt8], packet: EnginePacket)] = [
    (.text, bytes("4hello"), .message("hello")),
    (.text, bytes("4€"), .message("€")),
    (.text, bytes("2probe"), EnginePacket(.ping, .text("probe"))),
    (.text, bytes("3probe"), EnginePacket(.pong, .text("probe"))),
    (.text, bytes("5"), EnginePacket(.upgrade)),
    (.binary, [1, 2, 3, 4], .message([1, 2, 3, 4])),
]

/// Parses `input` cut in two at `cut`, draining after each half.
private func parseRequests(_ input: [UInt8], cut: Int) throws -> [HTTPRequestMessage] {
    var parser = HTTPRequestParser()
    var out: [HTTPRequestMessage] = []
    for chunk in [Array(input[..<cut]), Array(input[cut...])] {
        parser.append(chunk)
        while let message = try parser.next() { out.append(message) }
    }
    return out
}

@Test(arguments: payloadFixtures.indices)
func specPayloadInAPollingPostDecodesWhereverTheBytesAreSplit(_ index: Int) throws {
    let (body, packets) = payloadFixtures[index]
    let bodyBytes = bytes(body)
    let request = bytes("POST /engine.io/?EIO=4&transport=polling&sid=x HTTP/1.1\r\nHost: t\r\n"
        + "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: \(bodyBytes.count)\r\n\r\n") + bodyBytes
    #expect(EnginePayload.encode(packets) == bodyBytes)
    for cut in 0...request.count {
        let messages = try parseRequests(request, cut: cut)
        #expect(messages.count == 1, "split at \(cut)")
        let decoded = EnginePayload.decode(messages.first?.body ?? [])
        #expect(decoded.error == nil && decoded.packets == packets, "split at \(cut)")
    }
}

@Test(arguments: frameFixtures.indices)
func specPacketInAWebSocketFrameDecodesWhereverTheBytesAreSplit(_ index: Int) throws {
    let (opcode, payload, packet) = frameFixtures[index]
    let frame = WebSocketFrameEncoder.encodeMasked(opcode: opcode, payload: payload, maskKey: 0x37FA_213D)
    for cut in 0...frame.count {
        var decoder = WebSocketDecoder(maxMessageBytes: 1_000_000)
        var events: [WebSocketEvent] = []
        for chunk in [Array(frame[..<cut]), Array(frame[cut...])] {
            decoder.feed(chunk)
            while let event = try decoder.next() { events.append(event) }
        }
        let decoded: EnginePacket?
        switch events.first {
        case .text(let text)?: decoded = try EnginePacketCodec.decode(text: text)
        case .binary(let data)?: decoded = EnginePacketCodec.decode(binaryFrame: data)
        default: decoded = nil
        }
        #expect(events.count == 1 && decoded == packet, "split at \(cut)")
    }
}

/// RFC 6455 §1.3, the client's opening handshake, and the accept value the server must answer with.
private let rfcHandshake = bytes("GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://example.com\r\n"
    + "Sec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Version: 13\r\n\r\n")

@Test func rfcOpeningHandshakeIsAcceptedWhereverTheBytesAreSplit() throws {
    for cut in 0...rfcHandshake.count {
        let messages = try parseRequests(rfcHandshake, cut: cut)
        #expect(messages.count == 1, "split at \(cut)")
        guard let message = messages.first else { continue }
        let result = WebSocketHandshake.validate(method: message.method) { message.headers[$0] }
        #expect(result == .success("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "split at \(cut)")
    }
}
