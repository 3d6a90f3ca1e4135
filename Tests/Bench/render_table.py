"""Renders scripts/bench's JSON lines as a markdown table."""
import json
import sys


def fmt(value, digits=0):
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def server_cpu(row):
    text = fmt(row.get("server_cpu_pct"), 0)
    if row.get("redis_cpu_pct") is not None:
        text += f' (+ Redis {fmt(row["redis_cpu_pct"], 1)})'
    return text


rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print("| case | server | conns | rate | p50 ms | p90 ms | p99 ms | max ms | lost | server CPU % | load CPU % | RSS/conn KiB |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
# Cluster rows: the servers' CPU is summed over both processes; Redis's own is shown after it.
for r in rows:
    scenario = r["scenario"]
    if scenario in ("connect", "polling"):
        rate = f'{fmt(r.get("conn_per_s"))} conn/s'
        p50, p90, p99, mx = r.get("connect_p50_ms"), None, r.get("connect_p99_ms"), None
        lost = r.get("connect_failed")
    else:
        unit = "acks/s" if scenario == "echo" else "deliv/s"
        rate = f'{fmt(r.get("per_s"))} {unit}'
        p50, p90, p99, mx = r.get("p50_ms"), r.get("p90_ms"), r.get("p99_ms"), r.get("max_ms")
        lost = r.get("lost")
        if r.get("connect_failed") or r.get("disconnects"):
            lost = f'{lost} (+{r.get("connect_failed", 0)} refused, {r.get("disconnects", 0)} dropped)'
    load = fmt(r.get("load_cpu_pct"), 0) + (" (saturated)" if r.get("load_saturated") else "")
    print(f'| {r.get("label")} | {r.get("server")} | {fmt(r.get("connected"))} | {rate} | {fmt(p50, 2)} | '
          f'{fmt(p90, 2)} | {fmt(p99, 2)} | {fmt(mx, 2)} | {fmt(lost)} | {server_cpu(r)} | '
          f'{load} | {fmt(r.get("rss_per_conn_kib"), 2)} |')
