"""Chaos soak (issue 13): two `conformance-server --soak` processes on one redis-server, a few hundred
python-socketio clients in worker processes (polling, WebSocket, upgrade), and chaos: workers killed
with SIGKILL (10 % of the clients each time, WebSocket ones reset), random joins / leaves / emits with and
without acks, malformed input and slow-loris heads from other connections (vandal.py), Redis and the
second server restarted (SIGKILL or SIGTERM). Between chaos phases a calm epoch measures delivery
exactly (ledger.py says what "meant for" means). After the load stops, each server must be back to its
baseline (sessions, sockets, rooms, descriptors; RSS within a margin) within pingInterval + pingTimeout.

Run through scripts/soak; exits 1 on any failure, after printing the figures."""
import random
import signal
import sys
import time
from collections import Counter

import socketio

from ledger import check_epoch
from options import parse_args
from report import report
from servers import RedisServer, SoakServer, cluster_subscribed
from vandal import Vandal
from workers import WorkerProc, in_parallel


LINGER_S = 2.0


def log(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Soak:
    def __init__(self, args):
        self.args = args
        self.rnd = random.Random(args.seed)
        self.rooms = [f"r{i}" for i in range(args.rooms)]
        self.redis = RedisServer().start()
        self.servers = [SoakServer(name, args.binary, self.redis.url, args.ping_interval_ms, args.ping_timeout_ms,
                                   streams=args.streams) for name in ("A", "B")]
        self.workers: list[WorkerProc] = []
        self.next_client = 0
        self.epoch = 0
        self.figures = Counter()
        self.failures: list[str] = []
        self.epochs: list = []
        self.disconnects_seen = Counter()
        self.server_disconnects: dict = {}  # server -> {reason: count} over its current life
        self.probes: list[socketio.Client] = []
        self.probe_got: list[set] = []
        self.vandal = Vandal(self.live_ports, seed=args.seed)

    # --- processes -------------------------------------------------------------------------------
    def live_ports(self) -> list[int]:
        return [s.port for s in self.servers if s.proc is not None and s.proc.poll() is None]

    def spawn_worker(self, clients: int) -> WorkerProc:
        spec = {"first": self.next_client, "clients": clients, "urls": [s.url for s in self.servers],
                "rooms": self.rooms, "rooms_per_client": self.args.rooms_per_client,
                "seed": self.rnd.randrange(1 << 30)}
        self.next_client += clients
        worker = WorkerProc(spec)
        self.workers.append(worker)
        return worker

    def spawn_workers(self) -> None:
        per = max(1, self.args.clients // self.args.workers)
        fresh = [self.spawn_worker(per) for _ in range(self.args.workers)]
        for w in fresh:
            w.wait_started(timeout=60)

    def kill_worker(self) -> None:
        victim = self.rnd.choice(self.workers)
        victim.kill()
        self.workers.remove(victim)
        self.figures["clients killed"] += len(victim.cids)
        self.figures["workers killed"] += 1
        # Its clients connect in the background; the next settle waits for them. (Its "started" line is
        # skipped by the first request: one reader per worker, or answers get taken by the wrong waiter.)
        self.spawn_worker(len(victim.cids))

    def restart_server_b(self) -> None:
        b = self.servers[1]
        sig = self.rnd.choice([signal.SIGKILL, signal.SIGTERM])
        code = b.stop(sig)
        if sig == signal.SIGTERM and code not in (0, None):
            self.failures.append(f"server B exited with {code} on SIGTERM:\n{b.output()}")
        time.sleep(self.rnd.uniform(0.2, 1.0))
        b.start()
        self.figures[f"server B restarts ({sig.name})"] += 1

    def restart_redis(self) -> None:
        if self.rnd.random() < 0.5:
            self.redis.kill()
            self.figures["redis restarts (SIGKILL)"] += 1
        else:
            self.redis.stop()
            self.figures["redis restarts (SIGTERM)"] += 1
        time.sleep(self.rnd.uniform(0.2, 1.0))
        self.redis.start()

    def check_servers(self) -> None:
        for s in self.servers:
            if not s.check_alive():
                self.failures.append(f"server {s.name} died: {s.crashes[-1]}\n{s.output()}")
                s.start()

    # --- probes: one client per server, to see that a room broadcast crosses Redis both ways -------
    def start_probes(self) -> None:
        if self.probes:
            return
        for s in self.servers:
            got: set = set()
            c = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=0.5)
            c.on("m", lambda p, got=got: got.add(p.get("n")) if isinstance(p, dict) else None)
            c.connect(s.url, auth={"rooms": ["probe"]}, transports=["websocket"], wait_timeout=10, retry=True)
            self.probes.append(c)
            self.probe_got.append(got)

    def stop_probes(self) -> None:
        for p in self.probes:
            p.disconnect()
        self.probes, self.probe_got = [], []

    def probe_round_trip(self) -> bool:
        for i, sender in enumerate(self.probes):
            n = self.rnd.randrange(1 << 40)
            try:
                if sender.call("send", ("probe", {"e": -2, "s": "probe", "n": n}), timeout=2) is not True:
                    return False
            except Exception:
                return False
            deadline = time.monotonic() + 2
            while not all(n in got for got in self.probe_got):
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.02)
        return True

    def wait_for_cluster(self, deadline: float) -> None:
        self.start_probes()
        # The classic adapter's subscriptions show in CLIENT LIST; the Streams adapter's reader does not
        # subscribe, so there the probes alone tell that both servers hear each other.
        while not ((self.args.streams or cluster_subscribed(self.redis.port, 2)) and self.probe_round_trip()):
            if time.monotonic() > deadline:
                self.failures.append("the cluster did not settle (Redis subscriptions / probes) in time")
                break
            time.sleep(0.1)

    def settle(self) -> dict:
        """Waits for Redis, both servers subscribed, probes crossing, and every client connected with its
        rooms confirmed; returns the status (cid -> gen, connected, rooms) the calm epoch starts from."""
        deadline = time.monotonic() + self.args.settle_timeout
        self.wait_for_cluster(deadline)
        while True:
            answers = in_parallel(self.workers, lambda w: {"op": "verify"}, timeout=30)
            status = {}
            for w, answer in answers.items():
                if answer:
                    status.update(answer["status"])
            missing = [cid for w in self.workers for cid in w.cids
                       if not (status.get(cid, {}).get("connected") and status[cid].get("rooms") is not None)]
            if not missing:
                return status
            if time.monotonic() > deadline:
                self.figures["clients not back for a calm epoch"] += len(missing)
                log(f"{len(missing)} clients not connected at the start of the calm epoch: "
                    + "; ".join(f"{cid} {status.get(cid)}" for cid in missing[:3]))
                return status
            time.sleep(0.3)

    # --- phases ----------------------------------------------------------------------------------
    def calm_epoch(self) -> None:
        self.epoch += 1
        epoch = self.epoch
        before = self.settle()
        ready = [cid for cid, st in before.items() if st.get("connected") and st.get("rooms") is not None]
        senders = self.rnd.sample(ready, min(self.args.senders, len(ready)))
        plan = [[cid, self.rnd.choice(self.rooms), n, n % 2 == 0]
                for cid in senders for n in range(self.args.messages)]
        owner = {cid: w for w in self.workers for cid in w.cids}
        answers = in_parallel(self.workers, lambda w: {
            "op": "send", "epoch": epoch, "echoes": self.args.echoes,
            "plan": [item for item in plan if owner[item[0]] is w]}, timeout=60)
        acked = set()
        sent = Counter()
        for answer in answers.values():
            if answer:
                acked |= {tuple(x) for x in answer["acked"]}
                sent.update(answer["result"])
        deadline = time.monotonic() + self.args.drain_timeout
        while True:
            reports = in_parallel(self.workers, lambda w: {"op": "report", "epoch": epoch}, timeout=30)
            after = {}
            disconnects = Counter()
            for answer in reports.values():
                if answer:
                    after.update(answer["clients"])
                    disconnects.update(answer["chaos"]["disconnects"])
            result = check_epoch(epoch, before, after, plan, acked)
            if result.lost == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.25)
        self.epochs.append(result)
        for key in ("messages", "certain", "expected", "delivered", "lost", "duplicates", "misdelivered",
                    "stable_clients", "unstable_clients"):
            self.figures[f"calm {key}"] += getattr(result, key)
        for key, value in sent.items():
            self.figures[f"calm {key}"] += value
        calm_drops = disconnects - self.disconnects_seen
        self.disconnects_seen = disconnects
        if result.unstable_clients:
            # Workers killed since the last count take their disconnects with them, so this is a lower bound
            # of what happened since then; in a warm-up epoch it is exactly the calm epoch's.
            self.server_figures()
            log(f"calm epoch {epoch}: disconnect reasons since the previous count {dict(calm_drops)}; "
                f"the servers' own (since they started) {self.server_disconnects}")
        log(f"calm epoch {epoch}: {result.messages} messages, {result.expected} deliveries meant for "
            f"{result.stable_clients} clients, {result.lost} lost, {result.duplicates} duplicated, "
            f"{result.misdelivered} misdelivered, {result.unstable_clients} unstable; sends {dict(sent)}")
        if not result.exact:
            self.failures.append(f"calm epoch {epoch} not exact: {result.examples}")
        if sent.get("echo-wrong") or sent.get("ack-wrong"):
            self.failures.append(f"calm epoch {epoch}: wrong acks {dict(sent)}")

    def chaos_phase(self, index: int) -> None:
        in_parallel(self.workers, lambda w: {"op": "chaos", "on": True}, timeout=30)
        end = time.monotonic() + self.args.chaos_seconds
        events = ["redis", "server"] if index % 2 == 0 else ["server", "redis"]
        restart_at = time.monotonic() + self.rnd.uniform(0.5, self.args.chaos_seconds / 2)
        next_kill = time.monotonic() + self.rnd.uniform(0.2, self.args.kill_every)
        while time.monotonic() < end:
            now = time.monotonic()
            if now >= next_kill:
                self.kill_worker()
                next_kill = now + self.args.kill_every
            if restart_at and now >= restart_at:
                (self.restart_redis if events[0] == "redis" else self.restart_server_b)()
                restart_at = None
            self.check_servers()
            time.sleep(0.05)
        answers = in_parallel(self.workers, lambda w: {"op": "chaos", "on": False}, timeout=60)
        for answer in answers.values():
            if answer:
                for key, value in answer["counts"].items():
                    self.figures[f"chaos {key}"] += value
        self.check_servers()

    # --- baseline --------------------------------------------------------------------------------
    def server_figures(self) -> dict:
        out = {}
        for s in self.servers:
            stats = s.stats()
            self.server_disconnects[s.name] = stats.pop("disconnects", {})
            out[s.name] = {**s.proc_figures(), **stats}
        return out

    def wait_for_baseline(self, baseline: dict | None, deadline_s: float,
                          since: float | None = None) -> tuple[dict, float | None, float | None]:
        """Polls until no session, socket or room is left and (given a baseline) the descriptors are back;
        returns the last figures and the seconds each took (None: not within deadline_s)."""
        start = since or time.monotonic()
        empty_after = None
        while True:
            now = self.server_figures()
            elapsed = time.monotonic() - start
            if empty_after is None and all(f["sessions"] == 0 and f["sockets"] == 0 and f["rooms"] == 0
                                           for f in now.values()):
                empty_after = elapsed
            fds_back = baseline is None or all(now[n]["fds"] <= baseline[n]["fds"] for n in now)
            if empty_after is not None and fds_back:
                return now, empty_after, elapsed
            if elapsed > deadline_s:
                return now, empty_after, None
            time.sleep(0.05)

    def stop_load(self) -> float:
        """A third of the workers leave politely, a third are frozen (SIGSTOP: connections open, nobody
        answers a ping, so only the heartbeat can end their sessions) and a third are killed; returns the
        moment the last client went silent. The frozen ones are killed after the measurement."""
        self.rnd.shuffle(self.workers)
        third = max(1, len(self.workers) // 3)
        polite, frozen, killed = self.workers[:third], self.workers[third:2 * third], self.workers[2 * third:]
        in_parallel(polite, lambda w: {"op": "stop"}, timeout=30)
        for w in frozen:
            w.proc.send_signal(signal.SIGSTOP)
            self.figures["clients frozen at the end"] += len(w.cids)
        for w in killed:
            w.kill()
            self.figures["clients killed at the end"] += len(w.cids)
        stopped = time.monotonic()
        self.workers = frozen
        return stopped

    # --- the run ---------------------------------------------------------------------------------
    def run(self) -> int:
        args = self.args
        window = (args.ping_interval_ms + args.ping_timeout_ms) / 1000
        for s in self.servers:
            s.start()
        fresh = self.server_figures()
        log(f"seed {args.seed}; servers on {[s.port for s in self.servers]}, redis on {self.redis.port}; fresh {fresh}")

        # Warm-up: one full calm epoch, then everybody leaves; the baseline is what the servers hold then.
        self.spawn_workers()
        self.calm_epoch()
        in_parallel(self.workers, lambda w: {"op": "stop"}, timeout=30)
        for w in self.workers:
            w.kill()
        self.workers = []
        # One Redis restart before the baseline too: what a server creates once, on its first reconnect
        # (the Streams adapter: one more descriptor), is not a leak.
        self.restart_redis()
        self.wait_for_cluster(time.monotonic() + args.settle_timeout)
        self.stop_probes()
        baseline, took, _ = self.wait_for_baseline(None, window + args.grace)
        if took is None:
            self.failures.append(f"sessions left after the warm-up: {baseline}")
        # The fewest descriptors over a second: a connection a client (or our own stats request) is just
        # closing must not raise the bar.
        samples = []
        for _ in range(10):
            time.sleep(0.1)
            samples.append(self.server_figures())
        baseline = {n: min((sample[n] for sample in samples), key=lambda f: f["fds"]) for n in samples[0]}
        log(f"baseline after warm-up {baseline}")

        self.spawn_workers()
        self.vandal.start()
        start = time.monotonic()
        cycle = 0
        while time.monotonic() - start < args.duration:
            self.chaos_phase(cycle)
            self.calm_epoch()
            cycle += 1
        self.vandal.stop()
        self.figures["chaos cycles"] = cycle
        reports = in_parallel(self.workers, lambda w: {"op": "report", "epoch": 0}, timeout=30)
        for answer in reports.values():
            if answer:
                self.figures["chaos messages received (surviving workers)"] += answer["chaos"]["received"]
                self.figures["chaos duplicates"] += answer["chaos"]["duplicates"]
        if self.figures["chaos duplicates"]:
            self.failures.append(f"{self.figures['chaos duplicates']} messages arrived twice on one connection during chaos")

        if args.duration >= 10 and not self.vandal.counts["loris-dropped-by-server"]:
            self.failures.append("no slow-loris head was ever dropped by the servers (headerTimeout 2 s)")
        self.stop_probes()
        stopped = self.stop_load()
        # A WebSocket whose session ended still waits LINGER_S for the peer's FIN after our close frame
        # (TCPConnection.lingerTime), so its descriptor may outlive the session by that much.
        end, took, fds_took = self.wait_for_baseline(baseline, window + LINGER_S + args.grace, since=stopped)
        for w in self.workers:
            w.kill()
        self.workers = []
        self.check_servers()
        if took is None or took > window + args.grace:
            self.failures.append(f"sessions, sockets or rooms left {window + args.grace:.1f}s after the load "
                                 f"stopped: {end}")
        if fds_took is None:
            self.failures.append(f"descriptors not back within {window + LINGER_S + args.grace:.1f}s: "
                                 f"{end} vs {baseline}")
        for n in end:
            if end[n]["rss_kib"] > baseline[n]["rss_kib"] + args.rss_margin_kib:
                self.failures.append(f"server {n} RSS {end[n]['rss_kib']} KiB, baseline {baseline[n]['rss_kib']} KiB")
        for s in self.servers:
            if s.stop(signal.SIGTERM) not in (0, None):
                self.failures.append(f"server {s.name} did not exit cleanly on SIGTERM:\n{s.output()}")
        report(self, fresh, baseline, end, (took, fds_took), window, LINGER_S)
        return 1 if self.failures else 0

    def cleanup(self) -> None:
        self.vandal.running.clear()
        for w in self.workers:
            try:
                w.kill()
            except Exception:
                pass
        for p in self.probes:
            try:
                p.disconnect()
            except Exception:
                pass
        for s in self.servers:
            s.stop(signal.SIGKILL)
        self.redis.cleanup()


def main(argv) -> int:
    soak = Soak(parse_args(argv))
    try:
        return soak.run()
    finally:
        soak.cleanup()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
