import Testing
@testable import WebSocketCodec

/// Feeds `chunks` one after another, draining events after each.
func decode(_ chunks: [[UInt8]], maxMessageBytes: Int = 1 << 20, requireMask: Bool = true,
            inflater: PerMessageInflater? = nil) throws(WebSocketProtocolError) -> [WebSocketEvent] {
    var decoder = WebSocketDecoder(maxMessageBytes: maxMessageBytes, requireMask: requireMask, inflater: inflater)
    var events: [WebSocketEvent] = []
    for chunk in chunks {
        decoder.feed(chunk)
        while let event = try decoder.next() { events.append(event) }
    }
    return events
}

func decodeResult(_ chunks: [[UInt8]], maxMessageBytes: Int = 1 << 20, requireMask: Bool = true,
                  inflater: PerMessageInflater? = nil) -> Result<[WebSocketEvent], WebSocketProtocolError> {
    // Built with do/catch: a typed-throws closure here crashes the 6.3 compiler.
    do throws(WebSocketProtocolError) {
        return .success(try decode(chunks, maxMessageBytes: maxMessageBytes, requireMask: requireMask, inflater: inflater))
    } catch {
        return .failure(error)
    }
}

/// The error `next()` throws now, or nil if it returns normally.
func nextError(_ decoder: inout WebSocketDecoder) -> WebSocketProtocolError? {
    do throws(WebSocketProtocolError) {
        _ = try decoder.next()
        return nil
    } catch {
        return error
    }
}

/// Offsets to split a fixture at: all of them for small fixtures, the header region plus a sample
/// for big ones (every offset of 64 KiB squared is too slow to be worth it).
func splitOffsets(_ count: Int) -> [Int] {
    if count <= 1024 { return Array(0...count) }
    return Array(0...32) + Array(stride(from: 33, to: count, by: 997)) + Array((count - 16)...count)
}

/// Checks `bytes` decodes to `expected` whole, split in two at every offset, byte by byte, and
/// concatenated three times.
func expectDecodes(_ bytes: [UInt8], _ expected: [WebSocketEvent], requireMask: Bool = true,
                   maxMessageBytes: Int = 1 << 20, inflater: () -> PerMessageInflater? = { nil },
                   sourceLocation: SourceLocation = #_sourceLocation) {
    func check(_ chunks: [[UInt8]], _ want: [WebSocketEvent], _ label: String) {
        let got = decodeResult(chunks, maxMessageBytes: maxMessageBytes, requireMask: requireMask, inflater: inflater())
        #expect(got == .success(want), "\(label)", sourceLocation: sourceLocation)
    }
    check([bytes], expected, "whole")
    for offset in splitOffsets(bytes.count) {
        check([Array(bytes[..<offset]), Array(bytes[offset...])], expected, "split at \(offset)")
    }
    if bytes.count <= 4096 {
        check(bytes.map { [$0] }, expected, "byte by byte")
    } else {
        check(stride(from: 0, to: bytes.count, by: 1000).map { Array(bytes[$0..<min($0 + 1000, bytes.count)]) },
              expected, "1000-byte chunks")
    }
    let tripled = bytes + bytes + bytes
    check([tripled], expected + expected + expected, "concatenated")
    if bytes.count <= 1024 {
        check(tripled.map { [$0] }, expected + expected + expected, "concatenated byte by byte")
    }
}

/// Checks `bytes` fails with `code` whole and byte by byte, and that the decoder stays dead.
func expectFailure(_ bytes: [UInt8], code: UInt16, requireMask: Bool = true, maxMessageBytes: Int = 1 << 20,
                   inflater: () -> PerMessageInflater? = { nil },
                   sourceLocation: SourceLocation = #_sourceLocation) {
    for chunks in [[bytes], bytes.map { [$0] }] {
        var decoder = WebSocketDecoder(maxMessageBytes: maxMessageBytes, requireMask: requireMask, inflater: inflater())
        var caught: WebSocketProtocolError?
        do throws(WebSocketProtocolError) {
            for chunk in chunks {
                decoder.feed(chunk)
                while try decoder.next() != nil {}
            }
        } catch {
            caught = error
        }
        #expect(caught?.closeCode == code, "got \(String(describing: caught))", sourceLocation: sourceLocation)
        guard let caught else { continue }
        decoder.feed([0x89, 0x80, 0, 0, 0, 0])
        #expect(nextError(&decoder) == caught, "decoder must stay dead", sourceLocation: sourceLocation)
    }
}

func masked(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true, key: UInt32 = 0x1234_5678) -> [UInt8] {
    WebSocketFrameEncoder.encodeMasked(opcode: opcode, payload: payload, maskKey: key, fin: fin)
}

func masked(_ opcode: WebSocketOpcode, _ text: String, fin: Bool = true) -> [UInt8] {
    masked(opcode, Array(text.utf8), fin: fin)
}

/// A masked frame with arbitrary first-byte bits, for malformed-header cases.
func rawMaskedFrame(firstByte: UInt8, payload: [UInt8]) -> [UInt8] {
    var frame = WebSocketFrameEncoder.encodeMasked(opcode: .binary, payload: payload, maskKey: 0xA1B2_C3D4)
    frame[0] = firstByte
    return frame
}

func bytes(_ hex: String) -> [UInt8] {
    hex.split(separator: " ").map { UInt8($0, radix: 16)! }
}
