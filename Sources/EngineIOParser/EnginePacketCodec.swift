import Foundation

/// Encodes and decodes single packets: the WebSocket form (one packet per frame; binary messages are raw
/// binary frames) and the text form used inside polling payloads (binary as `b` + base64).
package enum EnginePacketCodec {
    /// Decodes a text WebSocket frame or one record of a polling payload.
    package static func decode(text bytes: [UInt8]) throws(EngineParseError) -> EnginePacket {
        try decode(text: bytes[...])
    }

    /// Concrete, not generic: an unspecialised `Collection` here cost ~1,500 instructions per message
    /// in runtime metadata lookups and witness calls (callgrind, echo).
    package static func decode(text bytes: ArraySlice<UInt8>) throws(EngineParseError) -> EnginePacket {
        guard let first = bytes.first else { throw .empty }
        let rest = bytes.dropFirst()
        if first == UInt8(ascii: "b") {
            guard let decoded = Data(base64Encoded: Data(rest)) else { throw .invalidBase64 }
            return EnginePacket(.message, .binary(Array(decoded)))
        }
        guard first >= UInt8(ascii: "0"), let type = EnginePacketType(rawValue: first &- UInt8(ascii: "0")) else {
            throw .unknownType(first)
        }
        // A message always carries text (possibly empty); other packets may carry nothing.
        if rest.isEmpty { return type == .message ? .message("") : EnginePacket(type) }
        guard let text = utf8String(rest) else { throw .invalidUTF8 }
        return EnginePacket(type, .text(text))
    }

    /// Strict (never repaired) UTF-8 to `String`. ASCII, as nearly all JSON is, needs no validation and
    /// takes `String(decoding:)`'s fast path; `String(validating:)` is generic and cost ~1,000
    /// instructions per 40-byte message (callgrind, echo).
    static func utf8String(_ bytes: ArraySlice<UInt8>) -> String? {
        bytes.withUnsafeBufferPointer { buffer in
            isASCII(UnsafeRawBufferPointer(buffer))
                ? String(decoding: buffer, as: UTF8.self)
                : String(validating: buffer, as: UTF8.self)
        }
    }

    private static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index + 8 <= bytes.count {
            if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < bytes.count {
            if bytes[index] & 0x80 != 0 { return false }
            index += 1
        }
        return true
    }

    /// A binary WebSocket frame is always a message in v4: no type byte.
    package static func decode(binaryFrame bytes: [UInt8]) -> EnginePacket {
        EnginePacket(.message, .binary(bytes))
    }

    /// Appends the text form (`<digit><data>`, or `b<base64>` for binary) to `out`.
    package static func appendText(_ packet: EnginePacket, to out: inout [UInt8]) {
        switch packet.data {
        case .none:
            out.append(packet.type.wireByte)
        case .text(var text):
            out.reserveCapacity(out.count + 1 + text.utf8.count)  // one allocation, not two
            out.append(packet.type.wireByte)
            text.withUTF8 { out.append(contentsOf: $0) }
        case .binary(let bytes):
            out.append(UInt8(ascii: "b"))
            out.append(contentsOf: Data(bytes).base64EncodedData())
        }
    }

    /// The text form as bytes.
    package static func encodeText(_ packet: EnginePacket) -> [UInt8] {
        var out: [UInt8] = []
        appendText(packet, to: &out)
        return out
    }
}
