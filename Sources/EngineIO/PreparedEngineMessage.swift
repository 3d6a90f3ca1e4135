import Reactor
import HTTPServer
import EngineIOParser

package enum EngineMessage: Sendable, Equatable {
    case text(String)
    case binary([UInt8])

    var packet: EnginePacket {
        switch self {
        case .text(let text): .message(text)
        case .binary(let bytes): .message(bytes)
        }
    }
}

/// A message encoded once for many recipients: the WebSocket frame is built here, straight from the
/// packet, and every recipient's queue holds the same bytes. A text packet's polling record is the
/// frame's payload, copied straight into a poll answer; only binary keeps a separate `b<base64>` form.
package final class PreparedEngineMessage: Sendable {
    let webSocketFrame: ByteBlock
    /// `b<base64>` for a binary message (nil for text), built once like the frame.
    private let binaryRecord: [UInt8]?
    /// Node's per-packet `compress` option: false keeps it out of permessage-deflate, and a poll
    /// answer made only of such packets is not gzipped.
    let compress: Bool

    /// Bytes this message holds (its frame, and the base64 record of a binary one).
    package var byteCount: Int { webSocketFrame.count + (binaryRecord?.count ?? 0) }

    package convenience init(_ message: EngineMessage, compress: Bool = true) {
        self.init(packet: message.packet, compress: compress)
    }

    /// A text message from its UTF-8 (valid, as an encoder wrote it): framed without a `String`.
    package init(utf8Message utf8: [UInt8], compress: Bool = true) {
        self.compress = compress
        webSocketFrame = utf8.withUnsafeBytes {
            WebSocketConnection.prepareFrame(prefix: EnginePacketType.message.wireByte, utf8: $0)
        }
        binaryRecord = nil
    }

    /// Control packets (open, ping, pong, noop, close) go through the same queue as messages.
    init(packet: EnginePacket, compress: Bool = true) {
        self.compress = compress
        switch packet.data {
        case .binary(let bytes):
            // v4: a binary WebSocket frame is a message, without a type byte.
            webSocketFrame = WebSocketConnection.prepareFrame(binary: bytes)
            binaryRecord = EnginePacketCodec.encodeText(packet)
        case .text(let text):
            webSocketFrame = WebSocketConnection.prepareFrame(prefix: packet.type.wireByte, text: text)
            binaryRecord = nil
        case .none:
            webSocketFrame = WebSocketConnection.prepareFrame(prefix: packet.type.wireByte, text: "")
            binaryRecord = nil
        }
    }

    /// A poll answer: the messages' text forms joined by the record separator, then `trailer` (the
    /// close packet of an ending session), written without an intermediate array per record.
    static func pollingPayload(_ messages: some Collection<PreparedEngineMessage>,
                               trailer: EnginePacket? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(messages.reduce(8) { $0 + $1.webSocketFrame.count + ($1.binaryRecord?.count ?? 0) })
        for message in messages {
            if !out.isEmpty { out.append(EnginePayload.separator) }
            if let record = message.binaryRecord {
                out.append(contentsOf: record)
            } else {
                out.append(contentsOf: WebSocketConnection.payload(of: message.webSocketFrame))
            }
        }
        if let trailer {
            if !out.isEmpty { out.append(EnginePayload.separator) }
            EnginePacketCodec.appendText(trailer, to: &out)
        }
        return out
    }
}
