import Testing
@testable import MessagePack

/// The bytes Node peers put on Redis decode to what Node decoded, and our encoder writes them back
/// byte for byte.
@Suite struct MessagePackWireSampleTests {
    @Test(arguments: WireSamples.complete)
    func decodesAndReencodesExactly(_ sample: WireSamples.Sample) throws {
        #expect(try MessagePack.decode(sample.bytes) == sample.value)
        #expect(MessagePack.encode(sample.value) == sample.bytes)
    }

    @Test func capturedLengthsMatchTheReference() {
        #expect(WireSamples.broadcast.bytes.count == 80)
        #expect(WireSamples.roomBroadcast.bytes.count == 65)
        #expect(WireSamples.broadcastWithAckRequest.bytes.count == 109)
        #expect(WireSamples.broadcastAckB1.bytes.count == 49)
        #expect(WireSamples.binaryBroadcastPrefix.count == 200)
    }

    @Test func monitorLinesAreTheSameBytes() {
        #expect(monitorBytes(WireSamples.broadcastMonitor) == WireSamples.broadcast.bytes)
        let monitor = monitorBytes(WireSamples.binaryBroadcastMonitorPrefix)
        #expect(monitor.count == 127)
        #expect(Array(WireSamples.binaryBroadcastPrefix.prefix(monitor.count)) == monitor)
    }

    @Test func readsTheAdapterFieldsOfABroadcast() throws {
        let message = try MessagePack.decode(WireSamples.broadcastWithAckRequest.bytes)
        #expect(message["type"]?.intValue == 7)
        #expect(message["packet"]?["data"]?[0]?.stringValue == "q")
        #expect(message["opts"]?["flags"]?["timeout"]?.intValue == 2000)
        #expect(message["opts"]?["rooms"]?.arrayValue == [])
        let broadcast = try MessagePack.decode(WireSamples.broadcast.bytes)
        #expect(broadcast[0]?.stringValue == "QA6MQI")
        #expect(broadcast[1]?["nsp"]?.stringValue == "/")
        #expect(broadcast[2]?["flags"]?.mapValue?.isEmpty == true)
    }

    /// The capture of the 579-byte binary broadcast stops after 200 bytes, inside a bin 16 that
    /// declares 512 bytes: the decoder refuses the declared length before reading anything.
    @Test func theBinaryCaptureIsCutInsideItsBin16() {
        #expect(throws: MessagePackError.tooLarge(declared: 512, available: 166, at: 31)) {
            try MessagePack.decode(WireSamples.binaryBroadcastPrefix)
        }
    }

    /// The full message rebuilt: 0…255 twice as the Buffer (what the 166 captured bytes show), then
    /// a second 4-byte entry of the inner map the capture cut off (ours: `"k": "v"`), nsp and opts.
    /// Only its length, 579, and its first 200 bytes are Node's.
    @Test func theBinaryBroadcastRebuiltDecodes() throws {
        let buffer = (0..<512).map { UInt8(truncatingIfNeeded: $0) }
        let value: MessagePackValue = [
            "QA6MQI",
            ["type": 2, "data": ["bin", ["data": .binary(buffer), "k": "v"]], "nsp": "/"],
            ["rooms": [], "except": [], "flags": [:]],
        ]
        let bytes = MessagePack.encode(value)
        #expect(bytes.count == 579)
        #expect(Array(bytes.prefix(200)) == WireSamples.binaryBroadcastPrefix)
        #expect(try MessagePack.decode(bytes) == value)
    }

    @Test func aJSONPayloadIsNotMessagePack() {
        // `{` is positive fixint 123, and the rest is left over.
        #expect(throws: MessagePackError.trailingBytes(at: 1)) { try MessagePack.decode(WireSamples.jsonRequest) }
    }

    @Test(arguments: WireSamples.complete)
    func decodesFromSlicesAndRawBuffers(_ sample: WireSamples.Sample) throws {
        // Embedded after other bytes, so the slice's indices do not start at 0.
        let framed: [UInt8] = [0xde, 0xad] + sample.bytes + [0xbe]
        let slice = framed[2..<(2 + sample.bytes.count)]
        #expect(try MessagePack.decode(slice) == sample.value)
        let viaRaw = try framed.withUnsafeBytes { raw throws(MessagePackError) in
            try MessagePack.decode(UnsafeRawBufferPointer(rebasing: raw[2..<(2 + sample.bytes.count)]))
        }
        #expect(viaRaw == sample.value)
        // A collection without contiguous storage takes the copying path.
        #expect(try MessagePack.decode(sample.bytes.lazy.map { $0 }) == sample.value)
    }
}

/// Another implementation's output reads back and re-encodes to the same bytes.
@Suite struct PythonMsgpackCorpusTests {
    @Test func pythonMsgpackOutputRoundTripsByteForByte() throws {
        #expect(PythonMsgpackCorpus.samples.count == 60)
        for (index, sample) in PythonMsgpackCorpus.samples.enumerated() {
            let bytes = hex(sample)
            let value = try MessagePack.decode(bytes)
            #expect(MessagePack.encode(value) == bytes, "sample \(index)")
        }
    }
}
