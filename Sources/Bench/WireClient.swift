import Reactor

/// A minimal Engine.IO v4 / Socket.IO v5 client over WebSocket, confined to one loop: HTTP upgrade,
/// open packet, CONNECT to `/`, then it answers pings and hands events and acks to its owner as
/// borrowed bytes (valid during the call only). It parses only what a benchmark needs.
final class WireClient {
    enum State { case connecting, upgrading, opening, joining, ready, closed }

    let loop: EventLoop
    private(set) var state = State.connecting
    private var tcp: TCPConnection?
    /// Bytes of an incomplete response head or frame, kept until the rest arrives.
    private var carry: [UInt8] = []

    var onReady: ((WireClient) -> Void)?
    var onFailure: ((WireClient, String) -> Void)?
    /// The data of a `42…` packet: everything after `42`.
    var onEvent: ((UnsafeRawBufferPointer) -> Void)?
    /// The rest of a `43…` packet: the ack id, then the data.
    var onAck: ((UnsafeRawBufferPointer) -> Void)?

    init(loop: EventLoop) { self.loop = loop }

    func start(host: String, port: Int, path: String) {
        TCPConnection.connect(host: host, port: port, on: loop) { [self] result in
            switch result {
            case .failure(let error): failed("connect: \(error)")
            case .success(let connection):
                tcp = connection
                connection.onRead = { [unowned self] chunk in consume(chunk) }
                connection.onClose = { [unowned self] reason in
                    if state != .closed { failed("connection closed (\(reason))") }
                }
                state = .upgrading
                connection.write(Array(("GET \(path)?EIO=4&transport=websocket HTTP/1.1\r\nHost: \(host):\(port)\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: c2lvLWJlbmNoLWtleS0wMQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").utf8))
            }
        }
    }

    func send(_ frame: ByteBlock) { tcp?.write(frame) }

    func close() {
        state = .closed
        tcp?.close()
        tcp = nil
    }

    private func failed(_ reason: String) {
        guard state != .closed else { return }
        close()
        onFailure?(self, reason)
    }

    // MARK: input

    private func consume(_ chunk: UnsafeRawBufferPointer) {
        if carry.isEmpty {
            let used = process(chunk)
            if used < chunk.count, state != .closed { carry.append(contentsOf: chunk[used...]) }
        } else {
            carry.append(contentsOf: chunk)
            let used = carry.withUnsafeBytes { process($0) }
            if state == .closed { carry = [] } else { carry.removeFirst(used) }
        }
    }

    /// Handles every complete unit in `bytes`; returns how many bytes were used.
    private func process(_ bytes: UnsafeRawBufferPointer) -> Int {
        var i = 0
        if state == .upgrading {
            guard let end = httpHeadEnd(bytes) else {
                if bytes.count > 16 * 1024 { failed("upgrade response too long") }
                return 0
            }
            // "HTTP/1.1 101"
            guard bytes.count >= 12, bytes[9] == UInt8(ascii: "1"), bytes[10] == UInt8(ascii: "0"),
                  bytes[11] == UInt8(ascii: "1") else {
                failed("upgrade refused: \(String(decoding: bytes[..<min(end, 80)], as: UTF8.self))")
                return bytes.count
            }
            state = .opening
            i = end
        }
        let n = bytes.count
        while n - i >= 2, state != .closed {
            let b0 = bytes[i], b1 = bytes[i + 1]
            guard b1 & 0x80 == 0, b0 & 0x80 != 0 else {
                failed("masked or fragmented server frame")
                return n
            }
            var length = Int(b1 & 0x7F)
            var header = 2
            if length == 126 {
                guard n - i >= 4 else { break }
                length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
                header = 4
            } else if length == 127 {
                guard n - i >= 10 else { break }
                length = 0
                for k in 2..<10 { length = length << 8 | Int(bytes[i + k]) }
                header = 10
            }
            guard n - i - header >= length else { break }
            let payload = UnsafeRawBufferPointer(rebasing: bytes[(i + header)..<(i + header + length)])
            i += header + length
            switch b0 & 0x0F {
            case 0x1: text(payload)
            case 0x8: failed("server sent a close frame")
            case 0x9: tcp?.write(ClientFrames.frame(opcode: 0xA, Array(payload)))
            default: break
            }
        }
        return state == .closed ? n : i
    }

    /// One Engine.IO packet.
    private func text(_ payload: UnsafeRawBufferPointer) {
        guard let type = payload.first else { return }
        switch type {
        case UInt8(ascii: "4"):
            guard payload.count >= 2 else { return }
            let rest = UnsafeRawBufferPointer(rebasing: payload[2...])
            switch payload[1] {
            case UInt8(ascii: "2"): onEvent?(rest)
            case UInt8(ascii: "3"): onAck?(rest)
            case UInt8(ascii: "0"):
                guard state == .joining else { return }
                state = .ready
                onReady?(self)
            case UInt8(ascii: "4"): failed("CONNECT refused: \(String(decoding: rest, as: UTF8.self))")
            case UInt8(ascii: "1"): failed("server disconnected the socket")
            default: break
            }
        case UInt8(ascii: "2"):
            tcp?.write(ClientFrames.pong)
        case UInt8(ascii: "0"):
            guard state == .opening else { return }
            state = .joining
            tcp?.write(ClientFrames.connectMain)
        case UInt8(ascii: "1"):
            failed("server closed the session")
        default:
            break
        }
    }
}
