import Reactor
import WebSocketCodec

package enum WebSocketMessage: Sendable, Equatable {
    /// A complete text message; the bytes are valid UTF-8 (checked by the codec, 1007 otherwise).
    case text([UInt8])
    case binary([UInt8])
}

/// Receives a WebSocket's events, on its loop.
package protocol WebSocketHandler: AnyObject {
    func webSocket(_ socket: WebSocketConnection, didReceive message: WebSocketMessage)
    /// Called once when the connection is gone for any reason. `code` is the peer's close code, or the
    /// code we sent for a protocol error (1002/1007/1009) or a slow consumer (1008), or nil when TCP
    /// dropped without a close frame.
    func webSocketDidClose(_ socket: WebSocketConnection, code: UInt16?)
    /// A pong arrived (an answer to `ping`, or unsolicited, which RFC 6455 §5.5.3 allows).
    func webSocket(_ socket: WebSocketConnection, didReceivePong payload: [UInt8])
}

extension WebSocketHandler {
    package func webSocket(_ socket: WebSocketConnection, didReceivePong payload: [UInt8]) {}
}

/// A server-side WebSocket. Every method is loop thread only.
///
/// Confinement: all state belongs to `loop`'s thread, like the TCP connection under it.
/// Loop-confined stored state is `@exclusivity(unchecked)`: only the loop thread touches it, and the
/// runtime's dynamic exclusivity checks cost more than the rest of a broadcast delivery (README, Performance).
package final class WebSocketConnection: @unchecked Sendable {
    package let loop: EventLoop
    private let tcp: TCPConnection?
    @exclusivity(unchecked) private var handler: (any WebSocketHandler)?
    @exclusivity(unchecked) private var decoder: WebSocketDecoder
    private let deflater: PerMessageDeflater?
    /// Once a close frame is queued nothing else may follow it (RFC 6455 §5.5.1).
    @exclusivity(unchecked) private var closeSent = false
    /// The code `webSocketDidClose` reports: the peer's (1005 for a close frame without one), or the
    /// one we sent.
    @exclusivity(unchecked) private var reportedCode: UInt16?
    /// The reason that goes with `reportedCode`: the peer's, or the one we sent. Read it in
    /// `webSocketDidClose`.
    @exclusivity(unchecked) package private(set) var closeReason = ""
    @exclusivity(unchecked) private var didReportClose = false
    /// Inside `received`: a handler that asks for `readPendingInput` then must not re-enter the decoder.
    @exclusivity(unchecked) private var delivering = false
    /// Bytes that arrived behind the upgrade request, fed before anything read later.
    @exclusivity(unchecked) private var pendingInput: [UInt8] = []
    /// The server's slow-consumer and close limits (see `HTTPServerOptions`), shared by reference.
    private let limits: WebSocketLimits

    /// The close code reported when the peer stopped reading and its queue passed the limit.
    package static let slowConsumerCloseCode: UInt16 = 1008

    /// RFC 6455 §7.4.1: reported for a close frame that carried no code; never sent.
    package static let noStatusCode: UInt16 = 1005

    init(tcp: TCPConnection, handler: any WebSocketHandler, maxMessageBytes: Int,
         deflate: PerMessageDeflateParameters?, limits: WebSocketLimits = .unlimited) {
        self.loop = tcp.loop
        self.tcp = tcp
        self.limits = limits
        self.handler = handler
        self.decoder = WebSocketDecoder(maxMessageBytes: maxMessageBytes, requireMask: true,
                                        inflater: deflate.map { PerMessageInflater(parameters: $0) })
        self.deflater = deflate.map { PerMessageDeflater(parameters: $0) }
    }

    private init(closedOn loop: EventLoop, handler: any WebSocketHandler) {
        self.loop = loop
        self.tcp = nil
        self.limits = .unlimited
        self.handler = handler
        self.decoder = WebSocketDecoder(maxMessageBytes: 0)
        self.deflater = nil
        self.closeSent = true
    }

    /// For an upgrade that came too late (client gone, or already answered): reports closure on the
    /// next loop turn so the caller always gets exactly one `webSocketDidClose`.
    static func closedStub(loop: EventLoop, handler: any WebSocketHandler) -> WebSocketConnection {
        let socket = WebSocketConnection(closedOn: loop, handler: handler)
        loop.schedule(after: .zero) { socket.transportClosed() }
        return socket
    }

    /// True while messages can still be sent.
    package var isOpen: Bool { !closeSent && tcp?.isOpen == true }

    package func send(text: String) { sendMessage(opcode: .text, payload: Array(text.utf8)) }
    package func send(binary: [UInt8]) { sendMessage(opcode: .binary, payload: binary) }

    /// Queues a complete, unmasked frame built once for many recipients (`WebSocketFrame.prepare`).
    /// With permessage-deflate negotiated the connection compresses it again, unless `compress` is false.
    package func send(preparedFrame: ByteBlock, compress: Bool = true) {
        guard isOpen, let tcp else { return }
        guard deflater != nil, compress, preparedFrame.count >= Self.deflateThreshold else {
            tcp.write(preparedFrame)
            enforceBufferLimit(tcp)
            return
        }
        // Compression state is per connection, so a shared frame has to be compressed again here.
        guard let (opcode, payload) = WebSocketConnection.unframe(preparedFrame) else { return }
        sendMessage(opcode: opcode, payload: payload)
    }

    /// Takes the TCP callbacks over from the HTTP connection that upgraded it; the server forgets the
    /// socket once it is gone. Loop thread only, once.
    func takeOver(server: HTTPServerCore) {
        guard let tcp else { return }
        tcp.onRead = { [unowned self] chunk in received(chunk) }
        tcp.onEndOfInput = { [unowned self] in peerEnded() }
        tcp.onClose = { [self] _ in
            transportClosed()
            server.connectionClosed(self)
        }
    }

    /// Starts the close handshake; `webSocketDidClose` follows.
    package func close(code: UInt16 = 1000, reason: String = "") {
        guard let tcp, !closeSent, !tcp.isClosed else { return }
        sendClose(code: code, reason: reason)
    }

    /// Sends a ping (payload of at most 125 bytes, RFC 6455 §5.5); the answer reaches the handler's
    /// `didReceivePong`.
    package func ping(_ payload: [UInt8] = []) {
        guard isOpen, let tcp, payload.count <= 125 else { return }
        tcp.write(WebSocketConnection.frame(opcode: .ping, payload: payload, rsv1: false))
    }

    /// Ends a peer that no longer answers: a close frame if the socket takes it now, then the
    /// descriptor is closed without waiting for the peer; `webSocketDidClose` reports `code`.
    package func abort(code: UInt16, reason: String) {
        guard let tcp, !closeSent, !tcp.isClosed else { return }
        closeSent = true
        reportedCode = code
        closeReason = reason
        tcp.write(WebSocketConnection.frame(opcode: .close, payload: WebSocketFrameEncoder.closePayload(code: code, reason: reason),
                                            rsv1: false))
        _ = tcp.flushNow()
        tcp.close()
    }

    /// Bytes queued and not yet written to the socket (volatile sends skip busy connections).
    package var bufferedAmount: Int { tcp?.queuedBytes ?? 0 }

    // MARK: from the HTTP connection

    func queueEarlyInput(_ bytes: [UInt8]) {
        pendingInput = bytes
        loop.schedule(after: .zero) { [self] in
            received(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }

    /// Delivers, now, the messages the peer has already sent (bytes in the kernel or behind the
    /// upgrade request), so a caller acting on another connection sees what came first on this one.
    /// Loop thread only; does nothing while this socket is already delivering.
    package func readPendingInput() {
        guard !delivering, !closeSent, let tcp else { return }
        if !pendingInput.isEmpty { received(UnsafeRawBufferPointer(start: nil, count: 0)) }
        tcp.readNow()
    }

    func received(_ chunk: UnsafeRawBufferPointer) {
        guard !closeSent, tcp != nil else { return }
        delivering = true
        defer { delivering = false }
        if !pendingInput.isEmpty {
            let early = pendingInput
            pendingInput = []
            early.withUnsafeBytes { decoder.feed($0) }
        }
        if chunk.count > 0 { decoder.feed(chunk) }
        while !closeSent {
            let event: WebSocketEvent?
            do {
                event = try decoder.next()
            } catch {
                sendClose(code: error.closeCode, reason: error.message)
                // Nothing more can travel either way: report now, not when the peer (which just broke
                // the protocol) gets round to closing TCP, up to the linger time later.
                transportClosed()
                return
            }
            guard let event else { return }
            switch event {
            case .text(let bytes):
                handler?.webSocket(self, didReceive: .text(bytes))
            case .binary(let bytes):
                handler?.webSocket(self, didReceive: .binary(bytes))
            case .ping(let payload):
                tcp?.write(WebSocketConnection.frame(opcode: .pong, payload: payload, rsv1: false))
            case .pong(let payload):
                handler?.webSocket(self, didReceivePong: payload)
            case .close(let code, let reason):
                // Echo the peer's code, then close: the handshake is complete, so the server closes
                // TCP first (RFC 6455 §7.1.1) without waiting for anything more.
                sendClose(code: code, reason: "", linger: false)
                reportedCode = code ?? WebSocketConnection.noStatusCode
                closeReason = reason
                return
            }
        }
    }

    func peerEnded() {
        tcp?.close()
    }

    func transportClosed() {
        guard !didReportClose else { return }
        didReportClose = true
        closeSent = true
        let handler = self.handler
        self.handler = nil
        handler?.webSocketDidClose(self, code: reportedCode)
    }

    // MARK: framing

    /// Messages smaller than this go out uncompressed even with permessage-deflate, as Node's
    /// engine.io does (`threshold: 1024`): deflating them costs more than it saves.
    static let deflateThreshold = 1024

    private func sendMessage(opcode: WebSocketOpcode, payload: [UInt8]) {
        guard isOpen, let tcp else { return }
        if let deflater, payload.count >= Self.deflateThreshold {
            tcp.write(WebSocketConnection.frame(opcode: opcode, payload: deflater.compress(payload), rsv1: true))
        } else {
            tcp.write(WebSocketConnection.frame(opcode: opcode, payload: payload, rsv1: false))
        }
        enforceBufferLimit(tcp)
    }

    /// A peer that stops reading would make us hold everything sent to it. Past the limit a close frame
    /// would only queue behind the backlog, so the connection is dropped at once and reported as 1008.
    private func enforceBufferLimit(_ tcp: TCPConnection) {
        guard tcp.queuedBytes > limits.maxBufferedBytes, !closeSent else { return }
        closeSent = true
        reportedCode = WebSocketConnection.slowConsumerCloseCode
        closeReason = "the peer did not read its data (over \(limits.maxBufferedBytes) bytes queued)"
        // Closing runs the close callbacks; the caller may be mid-broadcast, so do it on the next turn.
        loop.execute { tcp.close() }
    }

    /// `linger`: keep draining input after our FIN while the peer's own close frame is still due.
    private func sendClose(code: UInt16?, reason: String, linger: Bool = true) {
        guard let tcp, !closeSent else { return }
        closeSent = true
        reportedCode = code
        closeReason = reason
        let payload = code.map { WebSocketFrameEncoder.closePayload(code: $0, reason: reason) } ?? []
        tcp.write(WebSocketConnection.frame(opcode: .close, payload: payload, rsv1: false))
        tcp.closeAfterFlush(linger: linger, deadline: limits.closeTimeout)
    }

    static func frame(opcode: WebSocketOpcode, payload: [UInt8], rsv1: Bool) -> ByteBlock {
        ByteBlock(count: WebSocketFrameEncoder.frameSize(payloadCount: payload.count)) { out in
            payload.withUnsafeBytes { raw in
                _ = WebSocketFrameEncoder.writeFrame(opcode: opcode, payload: raw, fin: true, rsv1: rsv1, into: out)
            }
        }
    }

    /// Opcode and payload of an unmasked single frame this module built.
    static func unframe(_ block: ByteBlock) -> (WebSocketOpcode, [UInt8])? {
        guard block.count >= 2, let opcode = WebSocketOpcode(rawValue: block.bytes[0] & 0x0F) else { return nil }
        return (opcode, Array(payload(of: block)))
    }
}

extension WebSocketConnection {
    /// Builds a complete unmasked server frame once, to share across recipients via `send(preparedFrame:)`.
    package static func prepareFrame(text: [UInt8]) -> ByteBlock { frame(opcode: .text, payload: text, rsv1: false) }

    /// The same from a `String`, whose UTF-8 is written straight into the block.
    package static func prepareFrame(text: String) -> ByteBlock {
        var text = text
        return text.withUTF8 { utf8 in
            ByteBlock(count: WebSocketFrameEncoder.frameSize(payloadCount: utf8.count)) { out in
                _ = WebSocketFrameEncoder.writeFrame(opcode: .text, payload: UnsafeRawBufferPointer(utf8), fin: true,
                                                     rsv1: false, into: out)
            }
        }
    }

    /// A text frame whose payload is `prefix` then `text`'s UTF-8 (an Engine.IO packet: type digit and
    /// data), written straight into the block: no intermediate array per message.
    package static func prepareFrame(prefix: UInt8, text: String) -> ByteBlock {
        var text = text
        return text.withUTF8 { prepareFrame(prefix: prefix, utf8: UnsafeRawBufferPointer($0)) }
    }

    /// The same from UTF-8 bytes the caller vouches for (an encoder's output).
    package static func prepareFrame(prefix: UInt8, utf8: UnsafeRawBufferPointer) -> ByteBlock {
        let count = 1 + utf8.count
        return ByteBlock(count: WebSocketFrameEncoder.frameSize(payloadCount: count)) { out in
            let at = WebSocketFrameEncoder.writeServerHeader(opcode: .text, payloadCount: count, rsv1: false, into: out)
            out[at] = prefix
            if let base = utf8.baseAddress, !utf8.isEmpty {
                (out.baseAddress! + at + 1).copyMemory(from: base, byteCount: utf8.count)
            }
        }
    }

    /// The payload of a frame built here, as a view valid while `frame` lives (polling copies it into
    /// its answer).
    package static func payload(of frame: ByteBlock) -> UnsafeRawBufferPointer {
        let bytes = frame.bytes
        guard bytes.count >= 2 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let offset = switch bytes[1] & 0x7F { case 126: 4; case 127: 10; default: 2 }
        return UnsafeRawBufferPointer(rebasing: bytes[min(offset, bytes.count)...])
    }
    package static func prepareFrame(binary: [UInt8]) -> ByteBlock { frame(opcode: .binary, payload: binary, rsv1: false) }
}

extension WebSocketConnection: ServerConnection {
    var remoteAddress: String { tcp?.remoteAddress ?? "" }

    /// Server shutdown: a close frame with 1001 ("going away").
    func shutdown() { close(code: 1001, reason: "server shutting down") }
}

/// What every WebSocket of one server (or of one endpoint) shares: one reference per connection
/// instead of a copy.
package final class WebSocketLimits: Sendable {
    /// Past this many unsent bytes the peer is dropped (close code 1008).
    package let maxBufferedBytes: Int
    /// A close whose queue has not drained by then (the peer reads nothing) ends in a hard close.
    package let closeTimeout: Duration

    package init(maxBufferedBytes: Int, closeTimeout: Duration) {
        self.maxBufferedBytes = maxBufferedBytes
        self.closeTimeout = closeTimeout
    }

    static let unlimited = WebSocketLimits(maxBufferedBytes: .max, closeTimeout: TCPConnection.defaultCloseTimeout)
}
