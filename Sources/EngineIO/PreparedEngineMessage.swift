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
/// packet, and every recipient's queue holds the same bytes. The polling form is derived from it
/// when a poll needs it (WebSocket sessions never do).
package final class PreparedEngineMessage: Sendable {
    let webSocketFrame: ByteBlock
    private let isBinary: Bool
    /// Node's per-packet `compress` option: false keeps it out of permessage-deflate, and a poll
    /// answer made only of such packets is not gzipped.
    let compress: Bool

    package convenience init(_ message: EngineMessage, compress: Bool = true) {
        self.init(packet: message.packet, compress: compress)
    }

    /// Control packets (open, ping, pong, noop, close) go through the same queue as messages.
    init(packet: EnginePacket, compress: Bool = true) {
        self.compress = compress
        switch packet.data {
        case .binary(let bytes):
            // v4: a binary WebSocket frame is a message, without a type byte.
            webSocketFrame = WebSocketConnection.prepareFrame(binary: bytes)
            isBinary = true
        case .text(let text):
            webSocketFrame = WebSocketConnection.prepareFrame(prefix: packet.type.wireByte, text: text)
            isBinary = false
        case .none:
            webSocketFrame = WebSocketConnection.prepareFrame(prefix: packet.type.wireByte, text: "")
            isBinary = false
        }
    }

    /// The packet's text form for polling payloads (`4...` or `b<base64>`).
    var pollingRecord: [UInt8] {
        let payload = WebSocketConnection.payload(of: webSocketFrame)
        return isBinary ? EnginePacketCodec.encodeText(.message(payload)) : payload
    }
}
