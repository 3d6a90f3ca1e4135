import Reactor
import Synchronization

/// Connections opened, failed (ramp progress), shared by the loops and the runner.
final class RampProgress: Sendable {
    let ready = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let firstError = Mutex<String?>(nil)

    func fail(_ reason: String) {
        failed.wrappingAdd(1, ordering: .relaxed)
        firstError.withLock { if $0 == nil { $0 = reason } }
    }
}

/// One generator loop's share of the connections and everything they do. Loop-confined: the runner
/// talks to it only through `loop.execute`.
final class LoadWorker: @unchecked Sendable {
    let loop: EventLoop
    let options: LoadOptions
    let clock: RunClock
    let progress: RampProgress
    /// True for the worker whose first connection is the fanout sender.
    let hasSender: Bool

    var stats = LoopStats()
    private var clients: [WireClient] = []
    private var polling: [ObjectIdentifier: PollingClient] = [:]
    private var toOpen: Int
    private var inFlight = 0
    private let concurrency: Int
    private var sender: WireClient?
    private var nextAckID = 0
    private var rateStart: UInt64 = 0
    private var rateSent = 0
    /// Connections launched so far: picks each one's server in cluster runs.
    private var launched = 0

    init(loop: EventLoop, options: LoadOptions, clock: RunClock, progress: RampProgress,
         connections: Int, concurrency: Int, hasSender: Bool) {
        self.loop = loop
        self.options = options
        self.clock = clock
        self.progress = progress
        self.toOpen = connections
        self.concurrency = max(1, concurrency)
        self.hasSender = hasSender
    }

    // MARK: ramp

    func startRamp() {
        while inFlight < concurrency, toOpen > 0 { launch() }
    }

    private func launch() {
        toOpen -= 1
        inFlight += 1
        let started = loop.now()
        let port = options.ports[launched % options.ports.count]
        launched += 1
        if options.scenario == .polling {
            let client = PollingClient(loop: loop, host: options.host, port: port, path: options.path)
            let key = ObjectIdentifier(client)
            polling[key] = client
            client.onDone = { [unowned self] failure in
                polling[key] = nil
                if let failure { progress.fail(failure) } else { handshakeDone(started) }
                inFlight -= 1
                startRamp()
            }
            client.start()
            return
        }
        let client = WireClient(loop: loop)
        let isSender = hasSender && clients.isEmpty
        clients.append(client)
        client.onReady = { [unowned self] client in
            handshakeDone(started)
            inFlight -= 1
            assignRole(client, sender: isSender)
            startRamp()
        }
        client.onFailure = { [unowned self] client, reason in
            if client.onReady == nil {
                stats.disconnects += 1
            } else {
                progress.fail(reason)
                inFlight -= 1
                startRamp()
            }
        }
        client.start(host: options.host, port: port, path: options.path)
    }

    private func handshakeDone(_ started: UInt64) {
        stats.connectLatency.record(loop.now() - started)
        progress.ready.wrappingAdd(1, ordering: .relaxed)
    }

    // MARK: roles

    private func assignRole(_ client: WireClient, sender isSender: Bool) {
        client.onReady = nil
        switch options.scenario {
        case .fanout:
            if isSender {
                sender = client
                client.onEvent = { [unowned self] _ in ownCopy() }
            } else {
                client.onEvent = { [unowned self] data in delivered(data) }
            }
        case .echo:
            client.onAck = { [unowned self, unowned client] data in acked(data, client) }
        case .connect, .polling:
            break
        }
    }

    /// Starts the load: runs on the loop once every connection is up and the clock is set.
    func startLoad() {
        switch options.scenario {
        case .fanout:
            guard let sender else { return }
            if options.rate > 0 {
                rateStart = loop.now()
                rateTick()
            } else {
                for _ in 0..<options.window { sendFanout(sender) }
            }
        case .echo:
            for client in clients where client.state == .ready {
                for _ in 0..<options.window { sendEcho(client) }
            }
        case .connect, .polling:
            break
        }
    }

    private func sendFanout(_ client: WireClient) {
        let now = loop.now()
        var text: [UInt8] = Array("42[\"fanout\",".utf8)
        Stamp.appendQuoted(now, payloadBytes: options.payloadBytes, to: &text)
        text.append(UInt8(ascii: "]"))
        countSent(now)
        client.send(ClientFrames.text(text))
    }

    private func sendEcho(_ client: WireClient) {
        let now = loop.now()
        nextAckID &+= 1
        var text: [UInt8] = Array("42\(nextAckID)[\"echo\",".utf8)
        Stamp.appendQuoted(now, payloadBytes: options.payloadBytes, to: &text)
        text.append(UInt8(ascii: "]"))
        countSent(now)
        client.send(ClientFrames.text(text))
    }

    private func countSent(_ now: UInt64) {
        stats.sent += 1
        if clock.inWindow(now) { stats.sentMeasured += 1 }
    }

    /// Fixed rate: sends whatever is due since the start, so timer lateness never lowers the rate.
    private func rateTick() {
        guard let sender else { return }
        let now = loop.now()
        guard now < clock.measureEnd else { return }
        let due = Int(Double(now - rateStart) * options.rate / 1e9) + 1
        while rateSent < due {
            rateSent += 1
            sendFanout(sender)
        }
        let next = rateStart + UInt64(Double(rateSent) * 1e9 / options.rate)
        _ = loop.schedule(after: .nanoseconds(Int64(next > now ? next - now : 0))) { [unowned self] in rateTick() }
    }

    private func ownCopy() {
        stats.selfReceived += 1
        guard options.rate == 0, let sender else { return }
        if loop.now() < clock.measureEnd { sendFanout(sender) }
    }

    private func delivered(_ data: UnsafeRawBufferPointer) {
        stats.received += 1
        guard let stamp = Stamp.find(in: data) else {
            stats.malformed += 1
            return
        }
        let now = loop.now()
        if clock.inWindow(now) {
            stats.receivedMeasured += 1
            stats.latency.record(now &- stamp)
        }
    }

    private func acked(_ data: UnsafeRawBufferPointer, _ client: WireClient) {
        delivered(data)
        if loop.now() < clock.measureEnd { sendEcho(client) }
    }
}
