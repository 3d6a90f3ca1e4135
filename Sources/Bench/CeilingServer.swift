import CEpoll
import Foundation
import Glibc
import WebSocketCodec

/// The ceiling: the least any server can do for the bench contract over WebSocket, so the real
/// server's figures can be read against what this machine's kernel allows.
///
/// One thread, one epoll, none of the Engine.IO / Socket.IO machinery: it answers the upgrade, the
/// open packet and CONNECT, acks `echo` with its own arguments, and turns every `fanout` into one
/// prebuilt `42["fan",…]` frame. All frames of one loop tick go to each connection in a single write,
/// with no per-connection read buffer. It sends no pings and speaks no polling; anything it does not
/// understand closes the connection. It is a measuring stick, not a server.
enum CeilingServer {
    static func run(port: Int) -> Never {
        let limit = ProcessStats.raiseFileLimit()
        let listener = listenSocket(port: port)
        let state = CeilingState(epoll: cepoll_create(), capacity: limit + 16)
        guard cepoll_add(state.epoll, listener, CEPOLL_IN, UInt64(listener)) == 0 else { fail("epoll_ctl failed") }
        FileHandle.standardOutput.write(Data("listening on 127.0.0.1:\(port) pid \(getpid()) (ceiling)\n".utf8))
        signal(SIGTERM) { _ in _exit(0) }
        signal(SIGINT) { _ in _exit(0) }
        signal(SIGPIPE, SIG_IGN)

        var events = [UInt32](repeating: 0, count: 256)
        var tokens = [UInt64](repeating: 0, count: 256)
        while true {
            let count = cepoll_wait(state.epoll, &events, &tokens, 256, -1)
            guard count > 0 else { continue }
            for k in 0..<Int(count) {
                let fd = Int32(truncatingIfNeeded: tokens[k])
                if fd == listener {
                    state.acceptAll(listener)
                } else {
                    state.handle(fd: fd, events: events[k])
                }
            }
            state.endOfTick()
        }
    }

    private static func listenSocket(port: Int) -> Int32 {
        let fd = cepoll_socket(AF_INET)
        guard fd >= 0 else { fail("socket failed") }
        _ = cepoll_set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 4096) == 0 else { fail("cannot listen on 127.0.0.1:\(port): errno \(errno)") }
        return fd
    }
}

/// One client connection of the ceiling server.
private final class CeilingConnection {
    let fd: Int32
    var upgraded = false
    /// Index in `CeilingState.members` once CONNECT is answered, else -1.
    var memberIndex = -1
    /// Bytes of an incomplete request head or frame (rare: only what one read cut in half).
    var carry: [UInt8] = []
    /// Frames for this connection only, or what a short write left over.
    var pending: [UInt8] = []
    var waitingForWritable = false

    init(fd: Int32) { self.fd = fd }
}

private final class CeilingState {
    let epoll: Int32
    private var connections: [CeilingConnection?]
    /// Connections that answered CONNECT: the room every `fanout` goes to.
    private var members: [CeilingConnection] = []
    /// Connections with `pending` bytes to write at the end of this tick.
    private var dirty: [CeilingConnection] = []
    /// Every fan-out frame of this tick, written to each member once.
    private var broadcast: [UInt8] = []
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var nextSessionNumber = 0

    init(epoll: Int32, capacity: Int) {
        self.epoll = epoll
        connections = Array(repeating: nil, count: capacity)
    }

    func acceptAll(_ listener: Int32) {
        var address = sockaddr_storage()
        while true {
            let fd = cepoll_accept(listener, &address)
            guard fd >= 0 else { return }
            guard Int(fd) < connections.count else { Glibc.close(fd); continue }
            _ = cepoll_set_int_option(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            connections[Int(fd)] = CeilingConnection(fd: fd)
            _ = cepoll_add(epoll, fd, CEPOLL_IN | CEPOLL_RDHUP, UInt64(fd))
        }
    }

    func handle(fd: Int32, events: UInt32) {
        guard let connection = connections[Int(fd)] else { return }
        if events & CEPOLL_OUT != 0 {
            flush(connection)
        }
        guard events & (CEPOLL_IN | CEPOLL_ERR | CEPOLL_HUP | CEPOLL_RDHUP) != 0 else { return }
        while connections[Int(fd)] != nil {
            let n = readBuffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                if connection.carry.isEmpty {
                    let used = readBuffer.withUnsafeBytes { consume(connection, UnsafeRawBufferPointer(rebasing: $0[..<n])) }
                    if used < n { connection.carry.append(contentsOf: readBuffer[used..<n]) }
                } else {
                    connection.carry.append(contentsOf: readBuffer[..<n])
                    let input = connection.carry
                    let used = input.withUnsafeBytes { consume(connection, $0) }
                    connection.carry.removeFirst(min(used, connection.carry.count))
                }
                if n < readBuffer.count { return }
            } else if n < 0, errno == EAGAIN || errno == EINTR {
                return
            } else {
                drop(connection)
                return
            }
        }
    }

    /// Handles every complete unit in `bytes`; returns how many were used.
    private func consume(_ connection: CeilingConnection, _ bytes: UnsafeRawBufferPointer) -> Int {
        var i = 0
        if !connection.upgraded {
            guard let end = httpHeadEnd(bytes) else {
                if bytes.count > 16 * 1024 { drop(connection); return bytes.count }
                return 0
            }
            guard let key = header("sec-websocket-key", in: UnsafeRawBufferPointer(rebasing: bytes[..<end])) else {
                drop(connection)
                return bytes.count
            }
            let accept = WebSocketHandshake.acceptValue(forKey: key)
            connection.pending += Array(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: \(accept)\r\n\r\n").utf8)
            nextSessionNumber += 1
            let open = "0{\"sid\":\"ceiling\(nextSessionNumber)\",\"upgrades\":[],\"pingInterval\":25000,"
                + "\"pingTimeout\":20000,\"maxPayload\":1000000}"
            connection.pending += WebSocketFrameEncoder.encode(opcode: .text, payload: Array(open.utf8))
            markDirty(connection)
            connection.upgraded = true
            i = end
        }
        var payload: [UInt8] = []
        while bytes.count - i >= 6, connections[Int(connection.fd)] != nil {
            let b0 = bytes[i], b1 = bytes[i + 1]
            guard b1 & 0x80 != 0 else { drop(connection); return bytes.count }
            var length = Int(b1 & 0x7F)
            var header = 2
            if length == 126 {
                length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
                header = 4
            } else if length == 127 {
                guard bytes.count - i >= 14 else { break }
                length = 0
                for k in 2..<10 { length = length << 8 | Int(bytes[i + k]) }
                header = 10
            }
            // The contract's frames are small: anything over 1 MiB is a broken or hostile peer.
            guard length <= 1 << 20 else { drop(connection); return bytes.count }
            guard bytes.count - i >= header + 4 + length else { break }
            let mask = i + header
            let body = mask + 4
            payload.removeAll(keepingCapacity: true)
            for k in 0..<length { payload.append(bytes[body + k] ^ bytes[mask + (k & 3)]) }
            i = body + length
            switch b0 & 0x0F {
            case 0x1: packet(payload, from: connection)
            case 0x9: connection.pending += WebSocketFrameEncoder.encode(opcode: .pong, payload: payload); markDirty(connection)
            case 0xA: break
            default: drop(connection); return bytes.count
            }
        }
        return i
    }

    /// One Engine.IO packet from a client.
    private func packet(_ p: [UInt8], from connection: CeilingConnection) {
        guard p.count >= 2, p[0] == UInt8(ascii: "4") else { return } // pongs and anything else: ignored
        switch p[1] {
        case UInt8(ascii: "0"):
            guard connection.memberIndex < 0 else { return }
            connection.memberIndex = members.count
            members.append(connection)
            connection.pending += WebSocketFrameEncoder.encode(opcode: .text, payload: Array("40{\"sid\":\"s\(connection.fd)\"}".utf8))
            markDirty(connection)
        case UInt8(ascii: "2"):
            var i = 2
            while i < p.count, p[i] >= UInt8(ascii: "0"), p[i] <= UInt8(ascii: "9") { i += 1 }
            let ackID = p[2..<i]
            if starts(p, at: i, with: "[\"fanout\"") {
                // 42["fanout",X] → 42["fan",X]: the same bytes after the event name.
                var out = Array("42[\"fan\"".utf8)
                out += p[(i + 9)...]
                broadcast += WebSocketFrameEncoder.encode(opcode: .text, payload: out)
            } else if starts(p, at: i, with: "[\"echo\""), !ackID.isEmpty {
                // 42N["echo",A,B] → 43N[A,B]
                var out = Array("43".utf8) + ackID + [UInt8(ascii: "[")]
                var rest = i + 7
                if rest < p.count, p[rest] == UInt8(ascii: ",") { rest += 1 }
                out += p[rest...]
                connection.pending += WebSocketFrameEncoder.encode(opcode: .text, payload: out)
                markDirty(connection)
            }
        default:
            break
        }
    }

    func endOfTick() {
        if !broadcast.isEmpty {
            broadcast.withUnsafeBytes { frames in
                for member in members {
                    if member.pending.isEmpty && !member.waitingForWritable {
                        let written = send(member.fd, frames)
                        if written < frames.count {
                            if written < 0 && errno != EAGAIN { continue } // the read side will see it close
                            member.pending.append(contentsOf: frames[max(0, written)...])
                            markDirty(member)
                        }
                    } else {
                        member.pending.append(contentsOf: frames)
                        markDirty(member)
                    }
                }
            }
            broadcast.removeAll(keepingCapacity: true)
        }
        let toFlush = dirty
        dirty.removeAll(keepingCapacity: true)
        for connection in toFlush where !connection.waitingForWritable { flush(connection) }
    }

    private func flush(_ connection: CeilingConnection) {
        guard connections[Int(connection.fd)] != nil, !connection.pending.isEmpty else { return }
        let written = connection.pending.withUnsafeBytes { send(connection.fd, $0) }
        if written == connection.pending.count {
            connection.pending.removeAll(keepingCapacity: false)
            if connection.waitingForWritable {
                connection.waitingForWritable = false
                _ = cepoll_mod(epoll, connection.fd, CEPOLL_IN | CEPOLL_RDHUP, UInt64(connection.fd))
            }
        } else if written >= 0 || errno == EAGAIN {
            connection.pending.removeFirst(max(0, written))
            if !connection.waitingForWritable {
                connection.waitingForWritable = true
                _ = cepoll_mod(epoll, connection.fd, CEPOLL_IN | CEPOLL_OUT | CEPOLL_RDHUP, UInt64(connection.fd))
            }
        } else {
            drop(connection)
        }
    }

    private func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        var vector = iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
        return cepoll_writev_nosignal(fd, &vector, 1)
    }

    private func markDirty(_ connection: CeilingConnection) { dirty.append(connection) }

    private func drop(_ connection: CeilingConnection) {
        guard connections[Int(connection.fd)] != nil else { return }
        connections[Int(connection.fd)] = nil
        if connection.memberIndex >= 0 {
            let last = members.removeLast()
            if last !== connection {
                members[connection.memberIndex] = last
                last.memberIndex = connection.memberIndex
            }
            connection.memberIndex = -1
        }
        _ = cepoll_del(epoll, connection.fd)
        Glibc.close(connection.fd)
    }

    private func starts(_ p: [UInt8], at i: Int, with prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard p.count - i >= count else { return false }
        return prefix.withUTF8Buffer { want in (0..<count).allSatisfy { p[i + $0] == want[$0] } }
    }

    /// The value of header `name` (lower case) in a request head.
    private func header(_ name: String, in head: UnsafeRawBufferPointer) -> String? {
        let text = String(decoding: head, as: UTF8.self)
        for line in text.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == name else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
