"""The chaos soak's accounting (Tests/Soak/ledger.py) on hand-made epochs: it must see every loss,
duplicate and misdelivery, and leave out only the clients and messages it cannot be sure of."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Soak"))
from ledger import check_epoch  # noqa: E402

BEFORE = {"a": {"gen": 1, "connected": True, "rooms": ["r0"]},
          "b": {"gen": 3, "connected": True, "rooms": ["r0", "r1"]},
          "c": {"gen": 1, "connected": True, "rooms": ["r1"]}}
PLAN = [["a", "r0", 0, True], ["a", "r1", 1, False], ["c", "r1", 0, False]]


def after(received: dict, gens=None, connected=None) -> dict:
    gens = gens or {}
    connected = connected or {}
    return {cid: {"gen": gens.get(cid, BEFORE[cid]["gen"]), "connected": connected.get(cid, True),
                  "received": [[s, n, gens.get(cid, BEFORE[cid]["gen"]), count] for s, n, count in received.get(cid, [])]}
            for cid in BEFORE}


ALL = {"a": [("a", 0, 1)], "b": [("a", 0, 1), ("a", 1, 1), ("c", 0, 1)], "c": [("a", 1, 1), ("c", 0, 1)]}


def test_every_delivery_once_is_exact():
    r = check_epoch(1, BEFORE, after(ALL), PLAN, acked={("a", 0)})
    assert (r.expected, r.delivered, r.lost, r.duplicates, r.misdelivered, r.stable_clients) == (6, 6, 0, 0, 0, 3)
    assert r.exact


def test_a_missing_delivery_is_lost():
    got = dict(ALL, b=[("a", 0, 1), ("c", 0, 1)])
    r = check_epoch(1, BEFORE, after(got), PLAN, acked={("a", 0)})
    assert r.lost == 1 and not r.exact
    assert "client b missed a#1 in room r1" in r.examples[0]


def test_a_second_copy_is_a_duplicate():
    got = dict(ALL, a=[("a", 0, 2)])
    r = check_epoch(1, BEFORE, after(got), PLAN, acked={("a", 0)})
    assert r.duplicates == 1 and r.lost == 0 and not r.exact


def test_a_message_for_a_room_the_client_is_not_in_is_misdelivered():
    got = dict(ALL, a=[("a", 0, 1), ("c", 0, 1)])
    r = check_epoch(1, BEFORE, after(got), PLAN, acked={("a", 0)})
    assert r.misdelivered == 1 and not r.exact


def test_a_client_that_reconnected_is_not_checked():
    got = dict(ALL, b=[])
    r = check_epoch(1, BEFORE, after(got, gens={"b": 4}), PLAN, acked={("a", 0)})
    assert (r.stable_clients, r.unstable_clients, r.lost) == (2, 1, 0)


def test_an_unacked_message_of_a_sender_that_dropped_is_not_expected():
    # a reconnected: its unacked a#1 may never have reached a server; its acked a#0 did.
    got = {"a": [], "b": [("a", 0, 1), ("c", 0, 1)], "c": [("c", 0, 1)]}
    r = check_epoch(1, BEFORE, after(got, gens={"a": 2}), PLAN, acked={("a", 0)})
    assert (r.certain, r.expected, r.lost) == (2, 3, 0)
    r = check_epoch(1, BEFORE, after({"a": [], "b": [("c", 0, 1)], "c": [("c", 0, 1)]}, gens={"a": 2}), PLAN,
                    acked={("a", 0)})
    assert r.lost == 1  # the acked one still counts
