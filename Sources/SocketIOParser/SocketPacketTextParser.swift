/// Reads the text form `<type>[<attachments>-][<namespace>,][<ack id>][JSON data]`.
enum SocketPacketTextParser {
    /// Returns the validated packet (type still BINARY_* for binary packets) and its attachment count.
    static func parse(
        _ bytes: UnsafeRawBufferPointer, maxAttachments: Int, maxDepth: Int
    ) throws(SocketParseError) -> (packet: SocketPacket, attachments: Int) {
        guard let first = bytes.first, let type = SocketPacketType(rawValue: first &- UInt8(ascii: "0")) else {
            throw .unknownType
        }
        var position = 1

        var attachments = 0
        if type == .binaryEvent || type == .binaryAck {
            let start = position
            var overflowed = false
            while position < bytes.count, let digit = digitValue(bytes[position]) {
                if !overflowed { overflowed = !accumulate(digit, into: &attachments) }
                position += 1
            }
            guard position > start, position < bytes.count, bytes[position] == UInt8(ascii: "-") else {
                throw .invalidPayload
            }
            position += 1
            if overflowed || attachments > maxAttachments { throw .tooManyAttachments }
            guard attachments >= 1 else { throw .invalidPayload }
        }

        var namespace = "/"
        if position < bytes.count, bytes[position] == UInt8(ascii: "/") {
            let start = position
            while position < bytes.count, bytes[position] != UInt8(ascii: ",") { position += 1 }
            namespace = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            if position < bytes.count { position += 1 }
        }

        var id: Int? = nil
        if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "-"), digitValue(bytes[position + 1]) != nil {
            // No payload may start with "-", so this can only be a negative ack id.
            throw .badAckID
        }
        if position < bytes.count, digitValue(bytes[position]) != nil {
            var value = 0
            while position < bytes.count, let digit = digitValue(bytes[position]) {
                guard accumulate(digit, into: &value) else { throw .badAckID }
                position += 1
            }
            id = value
        }

        var data: JSONValue? = nil
        if position < bytes.count {
            data = try JSONCodec.decode(buffer: UnsafeRawBufferPointer(rebasing: bytes[position...]), maxDepth: maxDepth)
        }
        let packet = SocketPacket(type: type, namespace: namespace, data: data, id: id)
        try packet.validate()
        return (packet, attachments)
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        let digit = byte &- UInt8(ascii: "0")
        return digit < 10 ? Int(digit) : nil
    }

    /// value = value * 10 + digit; false on overflow.
    private static func accumulate(_ digit: Int, into value: inout Int) -> Bool {
        let (times10, o1) = value.multipliedReportingOverflow(by: 10)
        let (sum, o2) = times10.addingReportingOverflow(digit)
        guard !o1, !o2 else { return false }
        value = sum
        return true
    }
}
