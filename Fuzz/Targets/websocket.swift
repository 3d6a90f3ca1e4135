import WebSocketCodec

// WebSocket frame decoder (Sources/WebSocketCodec), with and without permessage-deflate.
// Input: an options byte (bit 0: accept unmasked frames, bit 1: permessage-deflate negotiated, bit 2:
// client_no_context_takeover), a byte choosing the message limit (small, so inputs reach it and one
// past it), a 2-byte split offset, then the frames a client sends.
// Properties: fed whole or in two pieces it yields the same events and the same error; no message is
// over the limit and every text is UTF-8; the events sent again as a client would send them (masked,
// data compressed when that fits the limit) decode to the same events.

private struct Outcome: Equatable {
    var events: [WebSocketEvent] = []
    var error: WebSocketProtocolError?
}

private struct Options {
    var requireMask: Bool
    var deflate: PerMessageDeflateParameters?
    var maxMessageBytes: Int  // 1...2041

    init(_ byte: UInt8, limit: UInt8) {
        requireMask = byte & 1 == 0
        deflate = byte & 2 == 0 ? nil : PerMessageDeflateParameters(clientNoContextTakeover: byte & 4 != 0)
        maxMessageBytes = 1 + 8 * Int(limit)
    }

    func decoder() -> WebSocketDecoder {
        WebSocketDecoder(maxMessageBytes: maxMessageBytes, requireMask: requireMask,
                         inflater: deflate.map { PerMessageInflater(parameters: $0) })
    }
}

private func decode(_ chunks: [[UInt8]], _ options: Options) -> Outcome {
    var decoder = options.decoder()
    var outcome = Outcome()
    for chunk in chunks {
        decoder.feed(chunk)
        do throws(WebSocketProtocolError) {
            while let event = try decoder.next() { outcome.events.append(event) }
        } catch {
            outcome.error = error
            return outcome
        }
    }
    return outcome
}

private func checkLimits(_ event: WebSocketEvent, _ maxMessageBytes: Int) {
    switch event {
    case .text(let bytes):
        check(bytes.count <= maxMessageBytes, "text message of \(bytes.count) bytes")
        check(String(validating: bytes, as: UTF8.self) != nil, "text message is not UTF-8")
    case .binary(let bytes):
        check(bytes.count <= maxMessageBytes, "binary message of \(bytes.count) bytes")
    case .ping(let bytes), .pong(let bytes):
        check(bytes.count <= 125, "control frame of \(bytes.count) bytes")
    case .close(let code, let reason):
        check(reason.utf8.count <= 123 && (code != nil || reason.isEmpty), "close \(String(describing: code)) \(reason)")
    }
}

/// The events as a client sends them: masked, data messages compressed when negotiated unless they
/// are close to the limit (a client may send any message uncompressed; raw DEFLATE can grow a little).
private func reencode(_ events: [WebSocketEvent], _ options: Options) -> [UInt8] {
    // The client's deflater: its no_context_takeover is the one the decoder's inflater honours.
    let deflater = options.deflate.map {
        PerMessageDeflater(parameters: PerMessageDeflateParameters(serverNoContextTakeover: $0.clientNoContextTakeover))
    }
    var out: [UInt8] = []
    for (index, event) in events.enumerated() {
        let key = UInt32(truncatingIfNeeded: index &* 0x9E37_79B9)
        let (opcode, payload): (WebSocketOpcode, [UInt8])
        switch event {
        case .text(let bytes): (opcode, payload) = (.text, bytes)
        case .binary(let bytes): (opcode, payload) = (.binary, bytes)
        case .ping(let bytes): (opcode, payload) = (.ping, bytes)
        case .pong(let bytes): (opcode, payload) = (.pong, bytes)
        case .close(let code, let reason):
            (opcode, payload) = (.close, code.map { WebSocketFrameEncoder.closePayload(code: $0, reason: reason) } ?? [])
        }
        if let deflater, !opcode.isControl, payload.count + 64 <= options.maxMessageBytes {
            let compressed = deflater.compress(payload)
            check(compressed.count <= options.maxMessageBytes, "deflate grew \(payload.count) bytes to \(compressed.count)")
            out += WebSocketFrameEncoder.encodeMasked(opcode: opcode, payload: compressed, maskKey: key, fin: true, rsv1: true)
        } else {
            out += WebSocketFrameEncoder.encodeMasked(opcode: opcode, payload: payload, maskKey: key)
        }
    }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebSocket(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = FuzzReader(fuzzBytes(data, size))
    let options = Options(reader.byte(), limit: reader.byte())
    let split = reader.splitOffset()
    let bytes = reader.payload

    let whole = decode([bytes], options)
    let pieces = decode([Array(bytes[..<split]), Array(bytes[split...])], options)
    check(whole == pieces, "split at \(split) differs: whole \(whole), split \(pieces)")
    for event in whole.events { checkLimits(event, options.maxMessageBytes) }

    var strict = options
    strict.requireMask = true
    let again = decode([reencode(whole.events, options)], strict)
    check(again == Outcome(events: whole.events), "re-encoded events decode as \(again), expected \(whole.events)")
    return 0
}
