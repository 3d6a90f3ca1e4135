"""Exact delivery accounting for one calm epoch (no kills, restarts or room changes while it runs).

A message (sender, n, room) is *meant for* a client when
  - the client was connected, with its rooms confirmed by its server ("rooms" ack), before the epoch's
    first send, and is still on that same connection (same generation) when the epoch is checked;
  - the room is one of those confirmed rooms;
  - the message certainly reached a server: its sender stayed on one connection through the epoch
    (Engine.IO delivers a session's packets in order), or the server acknowledged it.
Such a client must get it exactly once. Clients that lost their connection during the epoch are counted
as unstable and not checked; every delivery anyone got for a room it was not in is a misdelivery."""
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class EpochResult:
    epoch: int
    messages: int = 0           # sent in the plan
    certain: int = 0            # of which certainly reached a server
    stable_clients: int = 0
    unstable_clients: int = 0
    expected: int = 0           # deliveries meant for stable clients
    delivered: int = 0          # of those, received (once or more)
    lost: int = 0
    duplicates: int = 0
    misdelivered: int = 0
    examples: list = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return self.lost == 0 and self.duplicates == 0 and self.misdelivered == 0


def stable(before: dict, after: dict) -> bool:
    return (before.get("connected") and before.get("rooms") is not None
            and after.get("connected") and after.get("gen") == before.get("gen"))


def check_epoch(epoch: int, before: dict, after: dict, plan: list, acked: set, max_examples: int = 5) -> EpochResult:
    """before: cid -> {gen, connected, rooms}; after: cid -> {gen, connected, received: [[s, n, gen, count]]};
    plan: [[sender, room, n, ack]]; acked: {(sender, n)} the server acknowledged."""
    result = EpochResult(epoch, messages=len(plan))
    room_of = {(s, n): room for s, room, n, _ in plan}
    certain_by_room: dict[str, set] = {}
    for s, room, n, _ in plan:
        if (s, n) in acked or (s in before and s in after and stable(before[s], after[s])):
            certain_by_room.setdefault(room, set()).add((s, n))
            result.certain += 1

    def note(kind, cid, detail):
        if len(result.examples) < max_examples:
            result.examples.append(f"{kind}: client {cid} {detail}")

    for cid, now in after.items():
        was = before.get(cid, {})
        got = Counter()
        for s, n, gen, count in now.get("received", []):
            got[(s, n, gen)] += count
        rooms = set(was.get("rooms") or [])
        for (s, n, _gen), count in got.items():
            if room_of.get((s, n)) is not None and room_of[(s, n)] not in rooms and was.get("rooms") is not None:
                result.misdelivered += count
                note("misdelivered", cid, f"got {s}#{n} for room {room_of[(s, n)]}, in {sorted(rooms)}")
        if not stable(was, now):
            result.unstable_clients += 1
            continue
        result.stable_clients += 1
        on_this_connection = Counter({(s, n): c for (s, n, gen), c in got.items() if gen == now["gen"]})
        for room in rooms:
            for key in certain_by_room.get(room, ()):
                result.expected += 1
                count = on_this_connection.get(key, 0)
                if count == 0:
                    result.lost += 1
                    note("lost", cid, f"missed {key[0]}#{key[1]} in room {room}")
                else:
                    result.delivered += 1
                    if count > 1:
                        result.duplicates += count - 1
                        note("duplicate", cid, f"got {key[0]}#{key[1]} {count} times")
    return result
