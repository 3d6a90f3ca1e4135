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

/// A message encoded once for many recipients: the WebSocket frame and the polling record are built
/// here, and every recipient's queue holds the same bytes.
package final class PreparedEngineMessage: Sendable {
    let webSocketFrame: ByteBlock
    /// The packet's text form for polling payloads (`4...` or `b<base64>`).
    let pollingRecord: [UInt8]
    /// Node's per-packet `compress` option: false keeps it out of permessage-deflate, and a poll
    /// answer made only of such packets is not gzipped.
    let compress: Bool

    package init(_ message: EngineMessage, compress: Bool = true) {
        self.compress = compress
        let packet = message.packet
        let wire = EnginePacketCodec.encodeForWebSocket(packet)
        webSocketFrame = wire.isBinary
            ? WebSocketConnection.prepareFrame(binary: wire.payload)
            : WebSocketConnection.prepareFrame(text: wire.payload)
        pollingRecord = wire.isBinary ? EnginePacketCodec.encodeText(packet) : wire.payload
    }

    /// Control packets (open, ping, pong, noop, close) go through the same queue as messages.
    init(packet: EnginePacket, compress: Bool = true) {
        self.compress = compress
        let wire = EnginePacketCodec.encodeForWebSocket(packet)
        webSocketFrame = wire.isBinary
            ? WebSocketConnection.prepareFrame(binary: wire.payload)
            : WebSocketConnection.prepareFrame(text: wire.payload)
        pollingRecord = EnginePacketCodec.encodeText(packet)
    }
}
