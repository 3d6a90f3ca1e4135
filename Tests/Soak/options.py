"""scripts/soak's options (Tests/Soak/soak.py)."""
import argparse
import random
from pathlib import Path

from servers import ROOT

DESCRIPTION = ("Chaos soak: two conformance-server --soak processes on one redis-server under python-socketio "
               "clients, with kills, resets, malformed input, slow-loris heads and restarts; exact delivery in "
               "calm epochs, servers back to their baseline after the load stops.")


def parse_args(argv):
    p = argparse.ArgumentParser(prog="scripts/soak", description=DESCRIPTION)
    p.add_argument("--minutes", type=float, default=None, help="how long the chaos lasts (default 1)")
    p.add_argument("--seconds", type=float, default=None, help="the same in seconds (for the CI slice)")
    p.add_argument("--clients", type=int, default=200, help="python-socketio clients at once (default 200)")
    p.add_argument("--workers", type=int, default=10, help="worker processes; killing one kills 1/N of the clients")
    p.add_argument("--rooms", type=int, default=6)
    p.add_argument("--rooms-per-client", type=int, default=2)
    p.add_argument("--senders", type=int, default=30, help="clients sending in each calm epoch")
    p.add_argument("--messages", type=int, default=4, help="messages per sender per calm epoch (every other with ack)")
    p.add_argument("--echoes", type=int, default=2, help="echo calls with ack per sender per calm epoch")
    p.add_argument("--chaos-seconds", type=float, default=6.0, help="length of each chaos phase")
    p.add_argument("--kill-every", type=float, default=2.0, help="seconds between worker kills in a chaos phase")
    p.add_argument("--ping-interval-ms", type=int, default=1000)
    p.add_argument("--ping-timeout-ms", type=int, default=2000)
    p.add_argument("--grace", type=float, default=1.0,
                   help="seconds allowed past pingInterval + pingTimeout for the return to baseline (slow machines)")
    p.add_argument("--rss-margin-kib", type=int, default=32768, help="RSS allowed above the warm baseline")
    p.add_argument("--settle-timeout", type=float, default=30.0)
    p.add_argument("--drain-timeout", type=float, default=15.0)
    p.add_argument("--streams", action="store_true", help="the Redis Streams adapter instead of the classic one")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--binary", default=str(ROOT / ".build" / "debug" / "conformance-server"))
    p.add_argument("--summary", help="write the figures as JSON to this file")
    args = p.parse_args(argv)
    args.duration = args.seconds if args.seconds is not None else 60 * (args.minutes if args.minutes is not None else 1)
    args.seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    args.binary = str(Path(args.binary).resolve())  # the servers run from the package root
    return args
