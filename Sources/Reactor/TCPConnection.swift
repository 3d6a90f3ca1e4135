import CEpoll
import Glibc

/// Why a connection ended.
package enum TCPCloseReason: Sendable, Equatable {
    /// `close()` or a finished `closeAfterFlush()`.
    case local
    /// The peer closed its side (EOF, or hang-up while reads were paused).
    case peerClosed
    /// The kernel reported an error (ECONNRESET, EPIPE, ETIMEDOUT, ...).
    case error(errno: Int32)
}

/// A non-blocking TCP socket confined to `loop`: every member is loop thread only.
///
/// Reads land in the loop's shared buffer and are handed to `onRead` as a borrowed chunk that is only
/// valid during the call. Writes queue immutable `ByteBlock`s; everything queued in one loop iteration
/// leaves in one `writev`, and EPOLLOUT is armed only while the kernel cannot take the queue.
/// Loop-confined stored state is `@exclusivity(unchecked)`: only the loop thread touches it, and the
/// runtime's dynamic exclusivity checks cost more than the rest of a broadcast delivery (README, Performance).
package final class TCPConnection: @unchecked Sendable, EventSource {
    enum State { case open, flushingThenClose, lingering, closed }

    package let loop: EventLoop
    package let remoteAddress: String
    let fd: Int32

    /// A borrowed chunk; copy what must outlive the call.
    package var onRead: ((UnsafeRawBufferPointer) -> Void)?
    /// The peer half-closed (EOF). When nil the connection flushes what is queued and closes.
    package var onEndOfInput: (() -> Void)?
    /// Called once when the fd is closed, whatever the reason.
    package var onClose: ((TCPCloseReason) -> Void)?
    /// Called when a queue that had to wait for EPOLLOUT has fully drained (for back-pressure).
    package var onDrained: (() -> Void)?

    /// Bytes queued and not yet accepted by the kernel.
    @exclusivity(unchecked) package private(set) var queuedBytes = 0

    @exclusivity(unchecked) var state = State.open
    @exclusivity(unchecked) private var token: UInt64 = 0
    @exclusivity(unchecked) private var interest: UInt32 = 0
    @exclusivity(unchecked) private var readingEnabled = true
    @exclusivity(unchecked) private var waitingForWritable = false
    @exclusivity(unchecked) private var flushScheduled = false
    @exclusivity(unchecked) private var queue = OutboundQueue()
    /// While closing: the flush deadline, then the linger time.
    @exclusivity(unchecked) private var closeTimer: ScheduledTimer?

    /// How long a closing connection keeps draining the peer's input after our FIN, so unread bytes
    /// do not turn into a RST that destroys the response in flight.
    static let lingerTime: Duration = .seconds(2)

    package init(fd: Int32, loop: EventLoop, remoteAddress: String) {
        self.fd = fd
        self.loop = loop
        self.remoteAddress = remoteAddress
    }

    /// Adds the socket to the loop's epoll set; on failure the fd is closed and false returned.
    /// On `loop`, once (a listener does it for accepted sockets; `detach` hands others over).
    package func register() -> Bool {
        interest = desiredInterest()
        do {
            token = try loop.register(fd: fd, events: interest, source: self)
            return true
        } catch {
            state = .closed
            Glibc.close(fd)
            return false
        }
    }

    package var isOpen: Bool { state == .open }
    /// True until the fd is closed (also while a close is flushing or lingering).
    package var isClosed: Bool { state == .closed }

    // MARK: reading

    /// Stops taking bytes from the socket (the kernel buffers, then TCP pushes back on the peer).
    /// A hang-up is still noticed.
    package func pauseReading() {
        guard readingEnabled else { return }
        readingEnabled = false
        updateInterest()
    }

    package func resumeReading() {
        guard !readingEnabled else { return }
        readingEnabled = true
        updateInterest()
    }

    func handleEvents(_ events: UInt32) {
        if events & CEPOLL_ERR != 0 {
            close(reason: .error(errno: pendingSocketError()))
            return
        }
        if events & CEPOLL_OUT != 0, state != .closed {
            flush()
        }
        guard state != .closed else { return }
        if events & (CEPOLL_IN | CEPOLL_HUP | CEPOLL_RDHUP) != 0 {
            if readingEnabled || state == .lingering {
                readAvailable()
            } else if events & (CEPOLL_HUP | CEPOLL_RDHUP) != 0 {
                // Paused with a hang-up: the peer is gone (or half-closed); let the owner decide now.
                endOfInput()
            }
        }
        // HUP is reported whatever the interest mask says: both directions are dead, and staying
        // registered would spin the loop.
        if events & CEPOLL_HUP != 0, state != .closed {
            close(reason: .peerClosed)
        }
    }

    func loopDidStop() { close(reason: .local) }

    private func pendingSocketError() -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
        return code == 0 ? ECONNRESET : code
    }

    /// Reads what the kernel holds for this socket now, outside the loop's readiness events (a caller
    /// that must see input sent before something else it is handling). It uses a buffer of its own, as
    /// the caller may be inside another connection's `onRead` holding a chunk of the loop's buffer.
    package func readNow() {
        guard state == .open, readingEnabled else { return }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        readAvailable(into: buffer)
    }

    private func readAvailable() { readAvailable(into: loop.readBuffer) }

    private func readAvailable(into buffer: UnsafeMutableRawBufferPointer) {
        var rounds = 0
        while state != .closed, readingEnabled || state == .lingering, rounds < 4 {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 {
                rounds += 1
                if state == .lingering { continue }
                onRead?(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<n]))
                if n < buffer.count { return }
            } else if n == 0 {
                endOfInput()
                return
            } else {
                let e = cepoll_errno()
                switch e {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR: continue
                default:
                    close(reason: .error(errno: e))
                    return
                }
            }
        }
    }

    private func endOfInput() {
        switch state {
        case .closed: return
        case .lingering, .flushingThenClose:
            // The peer has seen (or no longer cares about) everything: nothing left to wait for.
            if state == .lingering || queue.isEmpty { close(reason: .peerClosed) }
            else { stopWatchingInput() }
        case .open:
            if let handler = onEndOfInput {
                stopWatchingInput()
                handler()
            } else {
                closeAfterFlush(linger: false)
            }
        }
    }

    /// After EOF the fd stays readable forever; level-triggered epoll would spin on it.
    private func stopWatchingInput() {
        readingEnabled = false
        peerHalfClosed = true
        updateInterest()
    }
    @exclusivity(unchecked) private var peerHalfClosed = false

    // MARK: writing

    package func write(_ block: ByteBlock) {
        guard state == .open, block.count > 0 else { return }
        queue.append(block)
        queuedBytes += block.count
        scheduleFlush()
    }

    /// Copies `bytes` into a block of their own.
    package func write(_ bytes: [UInt8]) {
        guard state == .open, !bytes.isEmpty else { return }
        write(ByteBlock(bytes))
    }

    private func scheduleFlush() {
        guard !flushScheduled, !waitingForWritable else { return }
        flushScheduled = true
        loop.flushAtEndOfTick(self)
    }

    /// The loop's end-of-iteration call for a `scheduleFlush`.
    func flushAtEndOfTick() {
        flushScheduled = false
        if state != .closed && !waitingForWritable { flush() }
    }

    /// Writes as much of the queue as the kernel takes, in gathers of up to IOV_MAX blocks.
    private func flush() {
        while !queue.isEmpty {
            let result = queue.withIOVecs(max: Int(CEPOLL_IOV_MAX)) { iov, count in
                cepoll_writev_nosignal(fd, iov, Int32(count))
            }
            if result.written >= 0 {
                let written = result.written
                queue.consume(written)
                queuedBytes -= written
                if written < result.offered { break }
                continue
            }
            let e = cepoll_errno()
            switch e {
            case EAGAIN, EWOULDBLOCK: break
            case EINTR: continue
            default:
                close(reason: .error(errno: e))
                return
            }
            break
        }
        if queue.isEmpty {
            let wasWaiting = waitingForWritable
            if waitingForWritable {
                waitingForWritable = false
                updateInterest()
            }
            if state == .flushingThenClose {
                finishGracefulClose()
            } else if wasWaiting {
                onDrained?()
            }
        } else if !waitingForWritable {
            waitingForWritable = true
            updateInterest()
        }
    }

    // MARK: moving to another loop

    /// Writes what is queued now instead of at the end of the iteration; true when nothing is left.
    package func flushNow() -> Bool {
        if state == .open, !queue.isEmpty, !waitingForWritable { flush() }
        return queue.isEmpty
    }

    /// Gives the descriptor up without closing it, so another loop can adopt it (`init` + `register`
    /// there): nothing may be queued. The callbacks are dropped unanswered. Nil when not possible.
    package func detach() -> Int32? {
        guard state == .open, queue.isEmpty, closeTimer == nil else { return nil }
        state = .closed
        loop.deregister(fd: fd, token: token)
        onRead = nil
        onEndOfInput = nil
        onClose = nil
        onDrained = nil
        return fd
    }

    // MARK: closing

    /// How long a close waits for the queue to drain when the caller names no deadline (Node's `ws`
    /// gives a closing peer 30 s too).
    package static let defaultCloseTimeout: Duration = .seconds(30)

    /// Sends what is queued, then closes. With `linger`, our FIN goes first and the peer's remaining
    /// input is drained for a while, so the peer reads the whole response before the socket goes.
    /// A queue still not drained after `deadline` (a peer that reads nothing) is dropped and the
    /// socket closed, so it gives back its descriptor and memory.
    package func closeAfterFlush(linger: Bool = true, deadline: Duration = TCPConnection.defaultCloseTimeout) {
        guard state == .open else { return }
        state = .flushingThenClose
        lingerRequested = linger && !peerHalfClosed
        readingEnabled = false
        updateInterest()
        if queue.isEmpty { return finishGracefulClose() }
        scheduleFlush()
        closeTimer = loop.schedule(after: deadline) { [self] in
            closeTimer = nil
            close(reason: .local)
        }
    }
    @exclusivity(unchecked) private var lingerRequested = true

    private func finishGracefulClose() {
        closeTimer?.cancel()
        closeTimer = nil
        guard lingerRequested, !peerHalfClosed else {
            close(reason: .local)
            return
        }
        state = .lingering
        shutdown(fd, Int32(SHUT_WR))
        updateInterest()
        closeTimer = loop.schedule(after: TCPConnection.lingerTime) { [self] in
            closeTimer = nil
            close(reason: .local)
        }
    }

    /// Closes at once, dropping anything queued.
    package func close() { close(reason: .local) }

    func close(reason: TCPCloseReason) {
        guard state != .closed else { return }
        state = .closed
        closeTimer?.cancel()
        closeTimer = nil
        loop.deregister(fd: fd, token: token)
        Glibc.close(fd)
        queue.removeAll()
        queuedBytes = 0
        let callback = onClose
        onClose = nil
        onRead = nil
        onEndOfInput = nil
        onDrained = nil
        callback?(reason)
    }

    // MARK: epoll interest

    private func desiredInterest() -> UInt32 {
        var bits: UInt32 = 0
        if !peerHalfClosed {
            bits |= CEPOLL_RDHUP
            if readingEnabled || state == .lingering { bits |= CEPOLL_IN }
        }
        if waitingForWritable { bits |= CEPOLL_OUT }
        return bits
    }

    private func updateInterest() {
        guard state != .closed, token != 0 else { return }
        let wanted = desiredInterest()
        guard wanted != interest else { return }
        interest = wanted
        loop.modify(fd: fd, token: token, events: wanted)
    }
}
