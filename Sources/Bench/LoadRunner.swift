import Dispatch
import Foundation
import Reactor

/// Runs one scenario: connection ramp, warm-up, measured window, drain, then the JSON summary.
final class LoadRunner {
    let options: LoadOptions
    let clock = RunClock()
    let progress = RampProgress()
    var summary = JSONLine()

    init(_ options: LoadOptions) { self.options = options }

    func run() -> Never {
        let fdLimit = ProcessStats.raiseFileLimit()
        let group = EventLoopGroup(loopCount: options.loops)
        let connections = options.clients + (options.scenario == .fanout ? 1 : 0)
        if options.scenario != .polling, connections + 16 > fdLimit {
            note("\(connections) connections need more descriptors than the limit \(fdLimit)")
        }
        let workers = group.loops.enumerated().map { index, loop in
            let share = connections / options.loops + (index < connections % options.loops ? 1 : 0)
            return LoadWorker(loop: loop, options: options, clock: clock, progress: progress,
                              connections: share, concurrency: max(1, options.concurrency / options.loops),
                              hasSender: index == 0)
        }
        summary.add("scenario", options.scenario.rawValue)
        summary.add("label", options.label)
        summary.add("clients", options.clients)
        summary.add("window", options.rate > 0 ? 0 : options.window)
        summary.add("rate", options.rate)
        summary.add("load_loops", options.loops)

        // Ramp: every connection with a full handshake, `concurrency` in flight.
        let baseRSS = serverRSS()
        let rampStart = EventLoop.monotonicNow()
        for worker in workers { worker.loop.execute { worker.startRamp() } }
        let rampDeadline = rampStart + UInt64(options.connectTimeout * 1e9)
        while progress.ready.load(ordering: .relaxed) + progress.failed.load(ordering: .relaxed) < connections,
              EventLoop.monotonicNow() < rampDeadline {
            usleep(2000)
        }
        let rampSeconds = Double(EventLoop.monotonicNow() - rampStart) / 1e9
        let ready = progress.ready.load(ordering: .relaxed)
        let failed = progress.failed.load(ordering: .relaxed)
        summary.add("connected", ready)
        summary.add("connect_failed", failed)
        summary.add("connect_s", rampSeconds)
        summary.add("conn_per_s", Double(ready) / rampSeconds, digits: 0)
        if let error = progress.firstError.withLock({ $0 }) { note("first connection failure: \(error)") }
        if ready < connections { note("only \(ready) of \(connections) connections completed their handshake") }

        switch options.scenario {
        case .connect:
            // Hold the connections (pings are answered) so the server's memory reflects them settled.
            usleep(UInt32(options.hold * 1e6))
            reportMemory(base: baseRSS, connections: ready)
            finish(workers, expected: nil)
        case .polling:
            reportMemory(base: baseRSS, connections: nil)
            finish(workers, expected: nil)
        case .fanout, .echo:
            usleep(200_000)
            reportMemory(base: baseRSS, connections: ready)
            runLoad(workers, receivers: options.scenario == .fanout ? ready - 1 : 0)
        }
    }

    private func reportMemory(base: Int?, connections: Int?) {
        guard let rss = serverRSS() else { return }
        summary.add("server_rss_base_kib", base)
        summary.add("server_rss_kib", rss)
        if let base, let connections, connections > 0 {
            summary.add("rss_per_conn_kib", Double(rss - base) / Double(connections), digits: 2)
        }
    }

    private func runLoad(_ workers: [LoadWorker], receivers: Int) -> Never {
        let now = EventLoop.monotonicNow()
        clock.start = now
        clock.warmupEnd = now + UInt64(options.warmup * 1e9)
        clock.measureEnd = clock.warmupEnd + UInt64(options.duration * 1e9)
        for worker in workers { worker.loop.execute { worker.startLoad() } }

        sleepUntil(clock.warmupEnd)
        let cpu0 = ProcessStats.ownCPUSeconds()
        let serverCPU0 = serverCPU()
        let redisCPU0 = options.redisPID.flatMap { ProcessStats.cpuSeconds(pid: $0) }
        let wall0 = EventLoop.monotonicNow()
        sleepUntil(clock.measureEnd)
        let wall = Double(EventLoop.monotonicNow() - wall0) / 1e9
        let cpu = (ProcessStats.ownCPUSeconds() - cpu0) / wall * 100
        summary.add("load_cpu_pct", cpu, digits: 1)
        summary.add("load_saturated", cpu / Double(options.loops) > 85)
        if cpu / Double(options.loops) > 85 {
            note(String(format: "load generator CPU %.0f%% of its %d loop(s): it may be the bottleneck", cpu, options.loops))
        }
        if let serverCPU0, let serverCPU1 = serverCPU() {
            summary.add("server_cpu_pct", (serverCPU1 - serverCPU0) / wall * 100, digits: 1)
        }
        if let redisCPU0, let pid = options.redisPID, let redisCPU1 = ProcessStats.cpuSeconds(pid: pid) {
            summary.add("redis_cpu_pct", (redisCPU1 - redisCPU0) / wall * 100, digits: 1)
        }

        // Drain: wait (bounded) until everything sent has arrived, so loss is counted, not guessed.
        let deadline = EventLoop.monotonicNow() + UInt64(options.drain * 1e9)
        var totals = collect(workers)
        func expected(_ t: LoopStats) -> Int { options.scenario == .fanout ? t.sent * receivers : t.sent }
        while totals.received < expected(totals), EventLoop.monotonicNow() < deadline {
            usleep(20_000)
            totals = collect(workers)
        }
        finish(workers, expected: expected(totals), totals: totals)
    }

    private func finish(_ workers: [LoadWorker], expected: Int?, totals: LoopStats? = nil) -> Never {
        let totals = totals ?? collect(workers)
        let ms = { (ns: UInt64) in Double(ns) / 1e6 }
        summary.add("connect_p50_ms", ms(totals.connectLatency.percentile(0.50)))
        summary.add("connect_p99_ms", ms(totals.connectLatency.percentile(0.99)))
        if let expected {
            summary.add("duration_s", options.duration)
            summary.add("sent", totals.sent)
            summary.add("expected", expected)
            summary.add("delivered", totals.received)
            summary.add("lost", expected - totals.received)
            summary.add("disconnects", totals.disconnects)
            summary.add("malformed", totals.malformed)
            summary.add("per_s", Double(totals.receivedMeasured) / options.duration, digits: 0)
            summary.add("p50_ms", ms(totals.latency.percentile(0.50)))
            summary.add("p90_ms", ms(totals.latency.percentile(0.90)))
            summary.add("p99_ms", ms(totals.latency.percentile(0.99)))
            summary.add("max_ms", ms(totals.latency.max))
            if totals.received != expected {
                note("accounting: expected \(expected) deliveries, got \(totals.received)")
            }
        }
        FileHandle.standardOutput.write(Data((summary.text + "\n").utf8))
        // Connections are simply dropped: the server under test is thrown away after each scenario.
        _exit(0)
    }

    /// Summed over every server process (one, or the cluster's).
    private func serverCPU() -> Double? {
        let values = options.serverPIDs.compactMap { ProcessStats.cpuSeconds(pid: $0) }
        return values.isEmpty || values.count < options.serverPIDs.count ? nil : values.reduce(0, +)
    }

    private func serverRSS() -> Int? {
        let values = options.serverPIDs.compactMap { ProcessStats.rssKiB(pid: $0) }
        return values.isEmpty || values.count < options.serverPIDs.count ? nil : values.reduce(0, +)
    }

    private func collect(_ workers: [LoadWorker]) -> LoopStats {
        var totals = LoopStats()
        for worker in workers {
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var copy = LoopStats()
            worker.loop.execute {
                copy = worker.stats
                done.signal()
            }
            done.wait()
            totals.merge(copy)
        }
        return totals
    }

    private func sleepUntil(_ deadline: UInt64) {
        while true {
            let now = EventLoop.monotonicNow()
            guard now < deadline else { return }
            usleep(UInt32(min(deadline - now, 100_000_000) / 1000))
        }
    }
}
