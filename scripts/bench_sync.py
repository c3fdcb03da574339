"""Fault and load benchmark for report sync: many real relays, a real Mosquitto, two receivers.

Every simulated device is a real `Relay` with its own client certificate (dev PKI) and its own
in-memory outbox database; devices run in a few worker processes so a 2-core machine copes.
The two receivers are `python -m central` subprocesses on one PostgreSQL database. While
reports flow, the broker is restarted, one receiver is SIGKILLed and started again, PostgreSQL
is stopped as in a crash and started again, and some devices are cut off (their relay
stopped, the box keeps queueing) and come back later.

Prints one JSON object: devices, reports_sent, stored, lost, duplicated, throughput, latency
percentiles (seal -> ack received on the device) and the faults with their times.

    .venv/bin/python scripts/bench_sync.py --devices 200 --reports 10000 --seed 1
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import random
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

ORG = "ocmw-bench"
FAULTS = ("cut", "broker", "receiver", "postgres")
MIGRATIONS = REPO / "appliance" / "store" / "migrations"


class MemoryOutbox:
    """A device's outbox in an in-memory SQLite database with the store's `transaction()` shape."""

    def __init__(self) -> None:
        self._conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        for name in ("0001_core.sql", "0004_flag_outbox.sql"):
            self._conn.executescript((MIGRATIONS / name).read_text(encoding="utf-8"))
        self._lock = threading.RLock()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT under a lock, ROLLBACK on an exception."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")


# -- worker process: a slice of the devices ------------------------------------------------------


def run_devices(spec: dict[str, Any], results: Any) -> None:
    """Worker entry point: run the devices in `spec`, send their reports, report back."""
    import datetime as dt

    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
    from cryptography.hazmat.primitives.serialization import (
        load_pem_private_key,
        load_pem_public_key,
    )

    from appliance.sync import outbox
    from appliance.sync.envelope import content_hash, seal_report
    from appliance.sync.relay import Relay

    pki = Path(spec["pki"])
    verify = load_pem_public_key((pki / "central-ed25519.pub").read_bytes())
    central = load_pem_public_key((pki / "central-x25519.pub").read_bytes())
    assert isinstance(verify, Ed25519PublicKey) and isinstance(central, X25519PublicKey)
    t0: float = spec["t0"]
    acked: dict[str, float] = {}
    lock = threading.Lock()

    def on_delivered(report_id: str, _version: int) -> None:
        with lock:
            acked.setdefault(report_id, time.time())

    dbs = {d: MemoryOutbox() for d in spec["devices"]}
    keys = {}
    for d in spec["devices"]:
        key = load_pem_private_key((pki / f"{d}-signing.key").read_bytes(), password=None)
        assert isinstance(key, Ed25519PrivateKey)
        keys[d] = key

    def make_relay(device: str) -> Relay:
        return Relay(
            db=dbs[device],
            device_id=device,
            org=ORG,
            broker_host="127.0.0.1",
            broker_port=spec["port"],
            ca_file=pki / "ca.crt",
            cert_file=pki / f"{device}.crt",
            key_file=pki / f"{device}.key",
            central_verify_key=verify,
            on_delivered=on_delivered,
            timeout_s=10.0,
            backoff_base_s=2.0,
            backoff_max_s=20.0,
        )

    relays = {d: make_relay(d) for d in spec["devices"]}
    for relay in relays.values():
        relay.start()
    # Cut-offs: (at, until, device); the box stays up and keeps queueing, its link is gone.
    cuts = sorted((c["at"], c["until"], c["device"]) for c in spec["cuts"])
    restores: list[tuple[float, str]] = []
    sent: dict[str, dict[str, Any]] = {}
    for due, report_id, device in spec["schedule"]:
        _sleep_until(t0 + due)
        now = time.time() - t0
        while cuts and cuts[0][0] <= now:
            _, until, cut = cuts.pop(0)
            relays[cut].stop()
            restores.append((until, cut))
        for until, cut in [r for r in restores if r[0] <= now]:
            restores.remove((until, cut))
            relays[cut] = make_relay(cut)
            relays[cut].start()
        body = json.dumps({"report_id": report_id, "tekst": "Cliënt woont in Gent."}).encode()
        sealed_at = time.time()
        envelope = seal_report(
            body,
            pdf=None,
            device_id=device,
            report_id=report_id,
            version=1,
            signing_key=keys[device],
            central_public=central,
        )
        with dbs[device].transaction() as conn:
            outbox.enqueue(
                conn,
                report_id=report_id,
                version=1,
                envelope=envelope,
                now=dt.datetime.now(dt.UTC),
            )
        sent[report_id] = {"device": device, "sealed": sealed_at, "hash": content_hash(body, None)}
        if device not in {r[1] for r in restores}:
            relays[device].kick()
    for until, cut in sorted(restores):
        _sleep_until(t0 + until)
        relays[cut] = make_relay(cut)
        relays[cut].start()
    deadline = time.time() + spec["drain_s"]
    while time.time() < deadline:
        with lock:
            if len(acked) >= len(sent):
                break
        time.sleep(0.2)
    for relay in relays.values():
        relay.stop(timeout=2)
    attempts = 0
    for db in dbs.values():
        with db.transaction() as conn:
            attempts += int(
                conn.execute("SELECT COALESCE(SUM(attempts), 0) FROM outbox").fetchone()[0]
            )
    with lock:
        for report_id, item in sent.items():
            item["acked"] = acked.get(report_id)
    results.put({"sent": sent, "publishes": attempts})


def _sleep_until(when: float) -> None:
    delay = when - time.time()
    if delay > 0:
        time.sleep(delay)


# -- the orchestrator ------------------------------------------------------------------------


class ReceiverProcess:
    """One `python -m central` subprocess, ready when it logged that it runs."""

    def __init__(self, config: Path, log_path: Path, client_id: str) -> None:
        self.config, self.log_path, self.client_id = config, log_path, client_id
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        """Start and wait (at most `timeout`) until it is subscribed."""
        mark = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "central", "--config", str(self.config)],
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": str(REPO)},
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_path.read_bytes()[mark:].decode(errors="replace")
            if f"receiver {self.client_id} running" in text:
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.client_id} exited: {text[-2000:]}")
            time.sleep(0.1)
        raise RuntimeError(f"{self.client_id} not running after {timeout}s")

    def kill(self) -> None:
        """SIGKILL: no clean disconnect, no chance to finish what it was doing."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL if it does not exit within `timeout`."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout)


def receiver_toml(pki: Any, port: int, central: Path, client_id: str, database_url: str) -> str:
    """A receiver config; both receivers share the database and the dossier folder."""
    values = {
        "broker_host": "127.0.0.1",
        "broker_port": port,
        "client_id": client_id,
        "ca_file": str(pki.ca_cert),
        "cert_file": str(pki.receiver_cert),
        "key_file": str(pki.receiver_key),
        "central_x25519_key_file": str(pki.central_x25519_key),
        "central_ed25519_key_file": str(pki.central_ed25519_key),
        "device_registry_file": str(pki.devices_json),
        "database_url": database_url,
        "credentials_dir": str(central / "credentials"),
        "timeout_s": 10.0,
    }
    lines = [f"{k} = {json.dumps(v)}" for k, v in values.items()]
    lines += ["[sink]", 'kind = "directory"', f"path = {json.dumps(str(central / 'dossier'))}"]
    return "\n".join(lines) + "\n"


def plan(args: argparse.Namespace, devices: list[str]) -> tuple[list[Any], dict[str, float]]:
    """Who sends which report when, and when the faults happen (seconds after the start)."""
    rng = random.Random(args.seed)
    duration = args.duration or max(12.0, args.reports / 150.0)
    schedule = [
        (k * duration / args.reports, f"bench-{args.seed}-{k:06d}", devices[k % len(devices)])
        for k in range(args.reports)
    ]
    rng.shuffle(devices := list(devices))
    times = {
        "cut_at": 0.15 * duration,
        "cut_s": max(4.0, 0.2 * duration),
        "broker_restart_at": 0.35 * duration,
        "receiver_kill_at": 0.6 * duration,
        "receiver_down_s": max(3.0, 0.05 * duration),
        "postgres_restart_at": 0.8 * duration,
        "postgres_down_s": max(2.0, 0.05 * duration),
        "cut_count": max(1, len(devices) // 10),
    }
    return schedule, times


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one JSON object; exit 1 if anything was lost or doubled."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-faults", action="store_true", help="no restarts, kills or cut-offs")
    parser.add_argument(
        "--faults", default=",".join(FAULTS), help=f"which faults, comma-separated: {','.join(FAULTS)}"
    )
    parser.add_argument("--workers", type=int, default=4, help="device processes")
    parser.add_argument("--duration", type=float, default=0.0, help="seconds to spread sends over")
    parser.add_argument("--drain", type=float, default=240.0, help="max seconds to wait for acks")
    args = parser.parse_args(argv)
    if args.devices < 1 or args.reports < 1:
        parser.error("--devices and --reports must be at least 1")
    args.faults = set() if args.no_faults else set(filter(None, args.faults.split(",")))
    if args.faults - set(FAULTS):
        parser.error(f"unknown faults: {sorted(args.faults - set(FAULTS))}")
    outcome = run_bench(args)
    print(json.dumps(outcome))
    return 0 if outcome["lost"] == 0 and outcome["duplicated"] == 0 else 1


def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    """Set everything up, send, inject `args.faults`, drain, and compare sent with filed."""

    from appliance.box.secrets import write_secret
    from central.dossiers.devcluster import DevCluster
    from central.dossiers.sealing import STORAGE_KEY
    from provisioning.broker import Broker, write_mosquitto_config
    from provisioning.pki import make_dev_pki
    from tests.ports import free_port

    root = Path(tempfile.mkdtemp(prefix="spreekkamer-bench-"))
    root.chmod(0o711)  # mosquitto drops to its own user and must reach its folder
    shm = Path("/dev/shm")
    central = Path(
        tempfile.mkdtemp(prefix="spreekkamer-central-", dir=shm if shm.is_dir() else root)
    )
    receivers: list[ReceiverProcess] = []
    broker: Broker | None = None
    postgres = DevCluster(root / "postgres")  # on disk, not in /dev/shm: commits are fsynced
    try:
        setup_started = time.monotonic()
        devices = [f"dev-{i:04d}" for i in range(args.devices)]
        pki = make_dev_pki(root / "pki", org=ORG, devices=devices)
        port = free_port()
        broker = Broker(
            write_mosquitto_config(root / "broker", pki=pki, port=port),
            port=port,
            ca_file=pki.ca_cert,
        )
        broker.start(timeout=15)
        postgres.start()
        database_url = postgres.create_database("central")
        write_secret(central / "credentials" / STORAGE_KEY, secrets.token_hex(32).encode())
        for n in (1, 2):
            config = root / f"receiver-{n}.toml"
            config.write_text(
                receiver_toml(pki, port, central, f"receiver-{n}", database_url), encoding="utf-8"
            )
            receivers.append(ReceiverProcess(config, root / f"receiver-{n}.log", f"receiver-{n}"))
            receivers[-1].start()
        schedule, times = plan(args, devices)
        cut_devices = (
            []
            if "cut" not in args.faults
            else sorted(random.Random(args.seed).sample(devices, int(times["cut_count"])))
        )
        t0 = time.time() + 3.0 + args.devices / 100  # time for every relay to connect first
        ctx = mp.get_context("spawn")
        results = ctx.Queue()
        workers = []
        for w in range(min(args.workers, args.devices)):
            mine = devices[w :: args.workers]
            spec = {
                "pki": str(pki.folder),
                "port": port,
                "t0": t0,
                "devices": mine,
                "schedule": [s for s in schedule if s[2] in set(mine)],
                "cuts": [
                    {"device": d, "at": times["cut_at"], "until": times["cut_at"] + times["cut_s"]}
                    for d in cut_devices
                    if d in mine
                ],
                "drain_s": args.drain,
            }
            proc = ctx.Process(target=run_devices, args=(spec, results), daemon=True)
            proc.start()
            workers.append(proc)
        setup_s = time.monotonic() - setup_started

        faults: list[dict[str, Any]] = []
        if cut_devices:
            faults.append(
                {
                    "fault": "devices_cut_off",
                    "at_s": round(times["cut_at"], 2),
                    "duration_s": round(times["cut_s"], 2),
                    "devices": len(cut_devices),
                }
            )
        if "broker" in args.faults:
            _sleep_until(t0 + times["broker_restart_at"])
            began = time.time()
            broker.restart(timeout=20)
            faults.append(_fault("broker_restart", began, t0))
        if "receiver" in args.faults:
            _sleep_until(t0 + times["receiver_kill_at"])
            began = time.time()
            receivers[0].kill()
            time.sleep(times["receiver_down_s"])
            receivers[0].start()
            faults.append({**_fault("receiver_sigkill", began, t0), "receiver": "receiver-1"})
        if "postgres" in args.faults:
            _sleep_until(t0 + times["postgres_restart_at"])
            began = time.time()
            postgres.stop("immediate")  # as a crash: open transactions are lost, not finished
            time.sleep(times["postgres_down_s"])
            postgres.start()
            faults.append(_fault("postgres_restart", began, t0))

        gathered = gather(results, workers, t0 + schedule[-1][0] + times["cut_s"] + args.drain + 60)
        for receiver in receivers:
            receiver.stop()
        return summarise(args, gathered, central, database_url, receivers, faults, setup_s)
    finally:
        for receiver in receivers:
            receiver.stop()
        if broker is not None:
            broker.stop()
        postgres.remove()
        shutil.rmtree(central, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)


def gather(results: Any, workers: list[Any], deadline: float) -> list[dict[str, Any]]:
    """Each worker's result; a worker that died or overran is an error, not a silent gap."""
    import queue

    gathered: list[dict[str, Any]] = []
    while len(gathered) < len(workers):
        try:
            gathered.append(results.get(timeout=1.0))
        except queue.Empty:
            dead = [p.exitcode for p in workers if p.exitcode not in (None, 0)]
            if dead:
                raise RuntimeError(f"a device worker died (exit codes {dead})") from None
            if time.time() > deadline:
                raise RuntimeError("device workers did not finish in time") from None
    for proc in workers:
        proc.join(10)
    return gathered


def summarise(
    args: argparse.Namespace,
    gathered: list[dict[str, Any]],
    central: Path,
    database_url: str,
    receivers: list[ReceiverProcess],
    faults: list[dict[str, Any]],
    setup_s: float,
) -> dict[str, Any]:
    """Compare what the devices sent with what central filed."""
    from central.dossiers.reports import conflict_count, stored_reports

    sent: dict[str, dict[str, Any]] = {}
    for part in gathered:
        sent.update(part["sent"])
    rows = [(r.report_id, r.content_hash, r.device_id) for r in stored_reports(database_url)]
    conflicts = conflict_count(database_url)
    filed: dict[str, int] = {}
    for report_id, chash, device in rows:
        item = sent.get(report_id)
        if item is not None and (chash, device) == (item["hash"], item["device"]):
            filed[report_id] = filed.get(report_id, 0) + 1
    stranger_rows = len(rows) - sum(filed.values())  # rows that match nothing we sent
    files = len(list((central / "dossier").glob("*.json")))
    latencies = sorted(i["acked"] - i["sealed"] for i in sent.values() if i["acked"] is not None)
    first = min((i["sealed"] for i in sent.values()), default=0.0)
    last = max((i["acked"] for i in sent.values() if i["acked"] is not None), default=first)
    dedup = sum(r.log_path.read_text(errors="replace").count(": duplicate") for r in receivers)
    return {
        "devices": args.devices,
        "reports_sent": len(sent),
        "stored": len(filed),
        "lost": len(sent) - len(filed),
        "duplicated": sum(n - 1 for n in filed.values())
        + stranger_rows
        + conflicts
        + max(0, files - len(filed)),
        "acked_on_device": len(latencies),
        "publishes": sum(p["publishes"] for p in gathered),
        "duplicates_caught_by_receivers": dedup,
        "offered_rate_per_s": round(
            args.reports / (args.duration or max(12.0, args.reports / 150.0)), 1
        ),
        "throughput_reports_per_s": round(len(filed) / (last - first), 1) if last > first else None,
        "latency_p50_s": _percentile(latencies, 0.50),
        "latency_p95_s": _percentile(latencies, 0.95),
        "latency_max_s": round(latencies[-1], 3) if latencies else None,
        "setup_s": round(setup_s, 1),
        "faults": faults,
        "seed": args.seed,
    }


def _fault(name: str, began: float, t0: float) -> dict[str, Any]:
    return {"fault": name, "at_s": round(began - t0, 2), "duration_s": round(time.time() - began, 2)}


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return round(values[min(len(values) - 1, int(q * len(values)))], 3)


if __name__ == "__main__":
    sys.exit(main())
