import Testing
@testable import RESP

/// Feeds `chunks` in order and collects every value, failing on an error.
func decodeAll(_ chunks: [[UInt8]], limits: RESPLimits = .init()) throws -> [RESPValue] {
    var decoder = RESPDecoder(limits: limits)
    var values: [RESPValue] = []
    for chunk in chunks {
        decoder.feed(chunk)
        while let value = try decoder.next() { values.append(value) }
    }
    #expect(decoder.bufferedBytes == 0, "bytes left over after the last value")
    return values
}

@Suite struct RESPDecoderTests {
    @Test(arguments: fixtures.map(\.name))
    func decodesWhole(_ name: String) throws {
        let fixture = fixtures.first { $0.name == name }!
        #expect(try decodeAll([fixture.bytes]) == [fixture.value])
    }

    @Test(arguments: fixtures.map(\.name))
    func decodesSplitAtEveryOffset(_ name: String) throws {
        let fixture = fixtures.first { $0.name == name }!
        for cut in 0...fixture.bytes.count {
            let values = try decodeAll([Array(fixture.bytes[..<cut]), Array(fixture.bytes[cut...])])
            #expect(values == [fixture.value], "split at \(cut)")
        }
        // And one byte per read: every value boundary is met mid-stream.
        #expect(try decodeAll(fixture.bytes.map { [$0] }) == [fixture.value])
    }

    @Test(arguments: fixtures.map(\.name))
    func truncatedAtEveryOffsetWaitsForMore(_ name: String) throws {
        let fixture = fixtures.first { $0.name == name }!
        for cut in 0..<fixture.bytes.count {
            var decoder = RESPDecoder()
            decoder.feed(Array(fixture.bytes[..<cut]))
            #expect(try decoder.next() == nil, "truncated at \(cut)")
            #expect(try decoder.next() == nil, "asked again at \(cut)")
        }
    }

    @Test func concatenatedFixturesSplitAtEveryOffset() throws {
        let stream = fixtures.flatMap(\.bytes)
        let expected = fixtures.map(\.value)
        #expect(try decodeAll([stream]) == expected)
        for cut in 0...stream.count {
            #expect(try decodeAll([Array(stream[..<cut]), Array(stream[cut...])]) == expected, "split at \(cut)")
        }
    }

    @Test func nanDecodes() throws {
        var decoder = RESPDecoder()
        decoder.feed(Array(",nan\r\n".utf8))
        guard case .double(let value)? = try decoder.next() else { Issue.record("not a double"); return }
        #expect(value.isNaN)
    }

    @Test func valuesAfterAnIncompleteOneKeepTheirOrder() throws {
        var decoder = RESPDecoder()
        decoder.feed(Array(":1\r\n:2\r\n$3\r\nab".utf8))
        #expect(try decoder.next() == .integer(1))
        #expect(try decoder.next() == .integer(2))
        #expect(try decoder.next() == nil)
        decoder.feed(Array("c\r\n+OK\r\n".utf8))
        #expect(try decoder.next() == bulk("abc"))
        #expect(try decoder.next() == .simpleString("OK"))
        #expect(try decoder.next() == nil)
    }

    /// A 16 MiB bulk string in 1 KiB reads, and an array of 100,000 integers in 7-byte reads: a decoder
    /// that re-parsed from the start on every read would do billions of steps here and never finish.
    @Test(.timeLimit(.minutes(1)))
    func largeValuesInSmallReadsAreLinear() throws {
        let size = 16 << 20
        var decoder = RESPDecoder()
        decoder.feed(Array("$\(size)\r\n".utf8))
        #expect(try decoder.next() == nil)
        let chunk = [UInt8](repeating: 0x61, count: 1024)
        for _ in 0..<(size / 1024) {
            decoder.feed(chunk)
            #expect(try decoder.next() == nil)
        }
        decoder.feed([13, 10])
        guard case .bulkString(let body?)? = try decoder.next() else { Issue.record("no bulk string"); return }
        #expect(body.count == size && body.allSatisfy { $0 == 0x61 })

        let count = 100_000
        let stream = Array("*\(count)\r\n".utf8) + Array(repeating: Array(":7\r\n".utf8), count: count).flatMap { $0 }
        var chunks: [[UInt8]] = []
        var i = 0
        while i < stream.count { chunks.append(Array(stream[i..<min(i + 7, stream.count)])); i += 7 }
        #expect(try decodeAll(chunks) == [.array(Array(repeating: .integer(7), count: count))])
    }

    /// The header of a 60 MiB bulk string must not make the decoder allocate 60 MiB.
    @Test func declaredLengthIsNotReserved() throws {
        var decoder = RESPDecoder()
        decoder.feed(Array("$62914560\r\nabc".utf8))
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferCapacity < 1 << 20)
        decoder.feed(Array("*4000000\r\n".utf8))
        #expect(decoder.bufferCapacity < 1 << 20)
    }
}
