"""Central's figures: reports filed per second, ack latency, and nothing lost or doubled when a
receiver is SIGKILLed and PostgreSQL restarts.

Two `python -m central` receivers on the shared subscription and one PostgreSQL (a cluster of
its own, on disk, fsync on), fed by real relays with their own certificates through a real
Mosquitto (scripts/bench_sync.py does the sending). Three runs:

- capacity: more offered than central can file; the rate filed is what it sustains;
- latency: a steady 100 reports/s; p50/p95 from sealing on the box to the signed ack there;
- faults: the same rate while receiver-1 is SIGKILLed and restarted, then PostgreSQL is
  stopped as in a crash and started again; every report must be filed once.

    .venv/bin/python scripts/bench_central.py            # prints a summary and one JSON line
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "scripts")]

from bench_sync import run_bench  # found through the path above

TARGET_PER_S = 100.0


def bench(reports: int, rate: float, faults: set[str], seed: int, devices: int) -> dict[str, Any]:
    """One run of the sync benchmark with these settings."""
    args = argparse.Namespace(devices=devices, reports=reports, seed=seed, faults=faults,
                              workers=2, duration=reports / rate, drain=240.0)
    return run_bench(args)


def main(argv: list[str] | None = None) -> int:
    """Run the three measurements; exit 1 if a report was lost or doubled, or below target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=3000, help="reports per run")
    parser.add_argument("--devices", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--offer", type=float, default=1000.0, help="reports/s offered for capacity")
    args = parser.parse_args(argv)
    runs = {
        "capacity": bench(args.reports, args.offer, set(), args.seed, args.devices),
        "latency": bench(args.reports, TARGET_PER_S, set(), args.seed + 1, args.devices),
        "faults": bench(args.reports, TARGET_PER_S, {"receiver", "postgres"}, args.seed + 2, args.devices),
    }
    lost = sum(r["lost"] for r in runs.values())
    duplicated = sum(r["duplicated"] for r in runs.values())
    capacity = runs["capacity"]["throughput_reports_per_s"] or 0.0
    summary = {
        "cpus": os.cpu_count(),
        "receivers": 2,
        "reports_per_run": args.reports,
        "offered_per_s_capacity": args.offer,
        "filed_per_s_capacity": capacity,
        "filed_per_s_at_100": runs["latency"]["throughput_reports_per_s"],
        "ack_latency_p50_s": runs["latency"]["latency_p50_s"],
        "ack_latency_p95_s": runs["latency"]["latency_p95_s"],
        "faults_run": {k: runs["faults"][k] for k in ("stored", "lost", "duplicated", "latency_p50_s",
                                                      "latency_p95_s", "latency_max_s", "faults")},
        "lost": lost,
        "duplicated": duplicated,
        "target_per_s": TARGET_PER_S,
    }
    print(f"filed: {capacity} reports/s with {args.offer:g}/s offered (target >= {TARGET_PER_S:g}),"
          " 2 receivers")
    print(f"ack latency at {TARGET_PER_S:g}/s: p50 {summary['ack_latency_p50_s']} s,"
          f" p95 {summary['ack_latency_p95_s']} s")
    fr = runs["faults"]
    print(f"receiver SIGKILL + PostgreSQL restart: {fr['stored']} filed, {fr['lost']} lost,"
          f" {fr['duplicated']} duplicated; p95 {fr['latency_p95_s']} s, max {fr['latency_max_s']} s")
    print(json.dumps(summary))
    return 0 if lost == 0 and duplicated == 0 and capacity >= TARGET_PER_S else 1


if __name__ == "__main__":
    sys.exit(main())
