"""The soak's figures, printed at the end of a run (and kept as JSON with --summary)."""
import json
from dataclasses import asdict
from datetime import datetime, timezone


def report(soak, fresh, baseline, end, took, window, linger_s) -> None:
    """Prints the figures and the verdict; writes them as JSON with --summary."""
    f = soak.figures
    print("\n== chaos soak figures ==")
    print(f"date {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, seed {soak.args.seed}, "
          f"{soak.args.duration:.0f} s of chaos, {soak.args.clients} clients in {soak.args.workers} workers")
    for key in sorted(f):
        print(f"  {key:45} {f[key]}")
    print(f"  vandal: {dict(soak.vandal.counts)}")
    print(f"  disconnects the servers saw, by reason (B: since its last restart): {soak.server_disconnects}")
    for n in ("A", "B"):
        print(f"  server {n}: fresh {fresh[n]}\n            baseline {baseline[n]}\n            end      {end[n]}")
    seconds = lambda t: "%.2f s" % t if t is not None else "NOT in time"  # noqa: E731
    print(f"  after the load stopped: no session, socket or room after {seconds(took[0])}, descriptors back "
          f"after {seconds(took[1])} (pingInterval + pingTimeout = {window:.1f} s; + {linger_s:.0f} s WebSocket linger "
          f"for descriptors)")
    print("RESULT: " + ("PASS" if not soak.failures else "FAIL"))
    for failure in soak.failures:
        print("  - " + failure[:3000])
    if soak.args.summary:
        with open(soak.args.summary, "w") as out:
            json.dump({"figures": dict(f), "baseline": baseline, "end": end, "fresh": fresh,
                       "empty_after_s": took[0], "fds_back_after_s": took[1], "failures": soak.failures,
                       "seed": soak.args.seed, "epochs": [asdict(e) for e in soak.epochs]}, out, indent=2)
