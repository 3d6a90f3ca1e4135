import Deflate

/// The four octets a sync flush ends with; RFC 7692 §7.2.1 strips them on the wire.
private let syncFlushTail: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]

/// Inflates compressed messages (RSV1 set) for the decoder.
package final class PerMessageInflater: @unchecked Sendable {
    package let parameters: PerMessageDeflateParameters
    private let inflater: RawInflater

    package init(parameters: PerMessageDeflateParameters) {
        self.parameters = parameters
        // A full 15-bit window inflates anything a client with a smaller window can produce.
        inflater = RawInflater(windowBits: 15)
    }

    /// Inflates one whole message's payload (without the stripped tail).
    package func inflate(_ compressed: [UInt8], maxOutput: Int) -> RawInflater.Outcome {
        var bytes = compressed
        bytes.append(contentsOf: syncFlushTail)
        let outcome = inflater.inflate(bytes, maxOutput: maxOutput)
        if parameters.clientNoContextTakeover { inflater.reset() }
        return outcome
    }
}

/// Compresses outgoing message payloads (the caller sets RSV1 on the first frame).
package final class PerMessageDeflater: @unchecked Sendable {
    package let parameters: PerMessageDeflateParameters
    private let deflater: RawDeflater

    package init(parameters: PerMessageDeflateParameters) {
        self.parameters = parameters
        deflater = RawDeflater(windowBits: parameters.serverMaxWindowBits)
    }

    package func compress(_ payload: [UInt8]) -> [UInt8] {
        var out = deflater.compress(payload)
        if out.count >= 4 && out.suffix(4).elementsEqual(syncFlushTail) { out.removeLast(4) }
        if parameters.serverNoContextTakeover { deflater.reset() }
        return out
    }
}
