import Testing
@testable import RESP

@Suite struct RESPEncoderTests {
    @Test func commandIsAnArrayOfBulkStrings() {
        #expect(RESPEncoder.command(["SET", "k", "v"]) == Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n".utf8))
        #expect(RESPEncoder.command([[UInt8]]()) == Array("*0\r\n".utf8))
        #expect(RESPEncoder.command([[], allBytes]) == Array("*2\r\n$0\r\n\r\n$256\r\n".utf8) + allBytes + [13, 10])
        let long = [UInt8](repeating: 1, count: 1_234_567)
        #expect(RESPEncoder.command([long]).prefix(14) == ArraySlice("*1\r\n$1234567\r\n".utf8))
    }

    @Test func writeCommandMatchesCommand() {
        let cases: [[[UInt8]]] = [[], [[]], [Array("PUBLISH".utf8), [0, 13, 10], allBytes],
                                  [[UInt8](repeating: 7, count: 9), [UInt8](repeating: 8, count: 10), [UInt8](repeating: 9, count: 100_000)],
                                  Array(repeating: [1], count: 12)]
        for arguments in cases {
            let count = RESPEncoder.commandCount(arguments)
            var written = [UInt8](repeating: 0xEE, count: count)
            written.withUnsafeMutableBytes { RESPEncoder.writeCommand(arguments, into: $0) }
            #expect(written == RESPEncoder.command(arguments))
        }
    }

    @Test(arguments: fixtures.filter(\.canonical).map(\.name))
    func encodesFixtureBytes(_ name: String) {
        let fixture = fixtures.first { $0.name == name }!
        #expect(RESPEncoder.encode(fixture.value) == fixture.bytes)
    }

    @Test func encodedValuesDecodeBack() throws {
        for fixture in fixtures {
            #expect(try decodeAll([RESPEncoder.encode(fixture.value)]) == [fixture.value], "\(fixture.name)")
        }
    }
}
