import Testing
@testable import SocketIOParser

/// The decoder faces untrusted peers: no input may crash it, and whatever it accepts must re-encode to
/// something it accepts again.
@Suite struct SocketPacketFuzzTests {
    static let seeds = SocketPacketSpecExampleTests.examples.map(\.text) + [
        "2[\"a\",{\"b\":[1,2.5e3,\"\\u00e9\\n\"],\"c\":null}]", "4\"err\"", "30[]", "2/x,1[\"e\",true,false]",
    ]
    static let alphabet = Array("0123456789-/,[]{}\":.eE+ntrufalsx\\\u{0}é😀".utf8)

    @Test func randomBytesNeverCrash() {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<3_000 {
            let count = Int.random(in: 0...40, using: &rng)
            let bytes = (0..<count).map { _ in
                Bool.random(using: &rng) ? UInt8.random(in: 0...255, using: &rng) : Self.alphabet.randomElement(using: &rng)!
            }
            feed(bytes, rng: &rng)
        }
    }

    @Test func mutatedPacketsNeverCrash() {
        var rng = SeededRandom(seed: 99)
        for _ in 0..<4_000 {
            var bytes = Array(Self.seeds.randomElement(using: &rng)!.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0...3, using: &rng) {
                case 0 where !bytes.isEmpty: bytes.remove(at: position)
                case 1: bytes.insert(Self.alphabet.randomElement(using: &rng)!, at: position)
                case 2 where !bytes.isEmpty: bytes[position] = UInt8.random(in: 0...255, using: &rng)
                default: bytes = Array(bytes.prefix(position))
                }
            }
            feed(bytes, rng: &rng)
        }
    }

    @Test func randomPacketsRoundTrip() throws {
        var rng = SeededRandom(seed: 2024)
        for _ in 0..<1_000 {
            let args = (0..<Int.random(in: 0...3, using: &rng)).map { _ in RandomJSON.value(&rng, binary: true) }
            let ack = Bool.random(using: &rng)
            let event = JSONValue.string("ev" + RandomJSON.string(&rng))
            let packet = SocketPacket(
                type: ack ? .ack : .event,
                namespace: ["/", "/admin", "/ñ/x"].randomElement(using: &rng)!,
                data: .array(ack ? args : [event] + args),
                id: Bool.random(using: &rng) ? Int.random(in: 0...Int.max, using: &rng) : nil)
            let encoded = SocketPacketEncoder.encode(packet)
            var decoder = SocketPacketDecoder(maxAttachments: 1_000)
            do {
                var decoded = try decoder.decode(text: encoded.text)
                for attachment in encoded.attachments { decoded = try decoder.decode(binary: attachment) }
                #expect(decoded == packet, "\(encoded.text)")
            } catch {
                Issue.record("\(error) decoding \(encoded.text)")
            }
        }
    }

    private func feed(_ bytes: [UInt8], rng: inout SeededRandom) {
        var decoder = SocketPacketDecoder()
        let text = String(decoding: bytes, as: UTF8.self)
        if let packet = try? decoder.decode(text: text) {
            // Numbers may change case once (25e3 is a double, "25000" reads back as an int), so the
            // property is that one re-encode reaches a fixed point the decoder still accepts.
            let encoded = SocketPacketEncoder.encode(packet)
            var again = SocketPacketDecoder(maxAttachments: 1_000)
            var redecoded = try? again.decode(text: encoded.text)
            for attachment in encoded.attachments { redecoded = try? again.decode(binary: attachment) }
            #expect(redecoded.map(SocketPacketEncoder.encode) == encoded, "\(text)")
        }
        if decoder.isAwaitingAttachments {
            for _ in 0..<Int.random(in: 0...3, using: &rng) { _ = try? decoder.decode(binary: bytes) }
        }
        var byteDecoder = SocketPacketDecoder()
        _ = try? byteDecoder.decode(textBytes: bytes)
        _ = try? JSONCodec.decode(bytes)
    }
}
