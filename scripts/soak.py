"""Crash-safety soak: SIGKILL the appliance at random moments and prove nothing is lost.

Each cycle starts `spreekkamer serve` as its own process group, drives contacts through the
HTTP API (consent, recording from a WAV, pause/resume, stop, draft edits, validation, sync),
and kills the whole group with SIGKILL at a random moment of the cycle's phase (recording,
validation, sync or idle). Then it opens the SQLCipher store directly (integrity check, audit
chain, how much audio survived), restarts the service and checks the recovered states. Broker
and receiver stay up across cycles; a few sync cycles kill the receiver or restart the broker.
At the end every validated report must be filed centrally exactly once.

    .venv/bin/python scripts/soak.py --cycles 200 [--seed S] [--model] [--phases recording,sync]

Prints one JSON object with the figures; exit status 1 when a store was corrupt, the audit
chain broke, a validated report was lost or duplicated, or a contact was still recording.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # `tests.soak_env` lives beside the package, not inside it

from tests.soak_env import WORKER, SoakWorld, StoreFindings

PHASES = ("recording", "validation", "sync", "idle")
CHUNK_SECONDS = 2.0
SETTLED = {"validated", "sealed", "delivered", "purged"}


class Skip(Exception):
    """The cycle's plan does not fit what the box says now (e.g. the WAV already ended)."""


@dataclass
class Capture:
    """Audio one service process fed to one contact, to compare with what the store kept.

    Times are wall-clock seconds: a start counts from the box's own `recording_since` stamp
    (taken just after the microphone opened), a pause until its answer arrived, a kill from
    the moment SIGKILL went out; so the measured loss is, within milliseconds, never smaller
    than the real one.
    """

    stored_before: float
    wav_seconds: float
    speedup: float
    played: float = 0.0
    open_since: float | None = None

    def close(self, at: float) -> None:
        """The microphone closed (pause answered, or the kill) at monotonic time `at`."""
        if self.open_since is not None:
            self.played = min(self.wav_seconds, self.played + (at - self.open_since) * self.speedup)
            self.open_since = None

    @property
    def delivered(self) -> float:
        """Seconds of audio the box was given for this contact, at most."""
        return self.stored_before + self.played


@dataclass
class Figures:
    """What the soak measured; `as_json` is the printed result."""

    cycles: int = 0
    kills_by_phase: Counter[str] = field(default_factory=Counter)
    corrupt_stores: int = 0
    broken_audit_chains: int = 0
    lost_validated_reports: int = 0
    unaccounted_reports: int = 0
    """Kills after which a validated report was neither pending in the outbox nor filed centrally."""
    duplicated_reports: int = 0
    recovered_states: Counter[str] = field(default_factory=Counter)
    recording_after_restart: int = 0
    stuck_contacts: int = 0
    max_audio_lost_s: float = 0.0
    validated_reports: int = 0
    validation_kills: Counter[str] = field(default_factory=Counter)
    """Where a validation-phase kill landed: 'answered', 'committed_unanswered' or 'not_committed'."""
    audio_checks: int = 0
    validation_latency_s: float = 0.0
    startup_kills: int = 0
    receiver_kills: int = 0
    broker_restarts: int = 0
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    def as_json(self) -> dict[str, Any]:
        """The figures as one JSON-ready dict."""
        out = dict(self.__dict__)
        out["kills_by_phase"] = {p: self.kills_by_phase.get(p, 0) for p in PHASES}
        out["recovered_states"] = dict(sorted(self.recovered_states.items()))
        out["validation_kills"] = dict(sorted(self.validation_kills.items()))
        out["max_audio_lost_s"] = round(self.max_audio_lost_s, 3)
        out["wall_s"] = round(self.wall_s, 1)
        out["errors"] = self.errors[:20]
        out["error_count"] = len(self.errors)
        return out

    @property
    def failed(self) -> bool:
        """Whether any crash-safety promise was broken."""
        return bool(self.corrupt_stores or self.broken_audit_chains or self.lost_validated_reports
                    or self.unaccounted_reports or self.duplicated_reports or self.recording_after_restart)


class Soak:
    """Runs cycles against one `SoakWorld` and keeps the books."""

    def __init__(self, world: SoakWorld, rng: random.Random, wav_seconds: float, args: argparse.Namespace) -> None:
        self.world, self.rng, self.wav_seconds, self.args = world, rng, wav_seconds, args
        self.fig = Figures()
        self.validated: dict[str, str] = {}  # report id -> contact id
        self.audio_stored: dict[str, float] = {}  # contact id -> seconds readable after the last kill
        self.captures: dict[str, Capture] = {}
        self.in_flight: dict[str, str] = {}  # contact id -> state found in the store after the last kill
        self.stuck: set[str] = set()
        self.client: httpx.Client | None = None
        self.speedup = 2.0
        self.validation_latency = 0.5
        self.receiver_down = False
        self.seq = 0
        self.validating: str | None = None

    # ---- one cycle ------------------------------------------------------------------------

    def cycle(self, n: int, phase: str) -> None:
        """Start, check recovery, drive `phase`, kill, inspect."""
        self.world.start_broker()
        if not self.receiver_down:
            self.world.start_receiver()
        self.speedup = self.rng.uniform(self.args.speedup_min, self.args.speedup_max)
        self.captures = {}
        self.validating = None
        url = self.world.start_service(speedup=self.speedup)
        try:
            if phase == "idle" and self.rng.random() < 0.25:
                self.fig.startup_kills += 1
                time.sleep(self.rng.uniform(0.2, 1.5))  # kill during start-up and recovery
            else:
                self.client = self.world.wait_ready(url, timeout=self.args.ready_timeout)
                self.check_recovery()
                self.tidy()
                getattr(self, f"drive_{phase}")()
        except Skip:
            pass
        except Exception as exc:  # noqa: BLE001 - a surprise is a finding, not a reason to stop
            self.fig.errors.append(_clip(f"cycle {n} ({phase}): {type(exc).__name__}: {exc}"))
        finally:
            at = self.world.kill_service()
            for cap in self.captures.values():
                cap.close(at)
            if self.client is not None:
                self.client.close()
                self.client = None
        self.fig.kills_by_phase[phase] += 1
        self.after_kill(n)
        if self.receiver_down and self.rng.random() < 0.5:
            self.world.start_receiver()
            self.receiver_down = False

    def after_kill(self, n: int) -> None:
        """Forensics on the dead box: integrity, audit chain, reports, surviving audio."""
        found: StoreFindings = self.world.inspect_store(audio_of=list(self.captures))
        if found.problems:
            self.fig.corrupt_stores += 1
            self.fig.errors.append(f"cycle {n}: store integrity: {found.problems[:3]}")
        if not found.audit_ok:
            self.fig.broken_audit_chains += 1
            self.fig.errors.append(f"cycle {n}: audit chain: {found.audit_problems[:3]}")
        answered = set(self.validated.values())
        self.validated.update(found.reports)
        filed = {rid for rid, _ in self.world.inspect_central().stored}
        unaccounted = sorted(set(self.validated) - found.pending - filed)
        if unaccounted:
            self.fig.unaccounted_reports += 1
            self.fig.errors.append(f"cycle {n}: validated but neither in the outbox nor filed: {unaccounted[:3]}")
        if self.validating is not None:
            committed = self.validating in found.reports.values()
            self.fig.validation_kills["answered" if self.validating in answered
                                      else "committed_unanswered" if committed else "not_committed"] += 1
        for cid, cap in self.captures.items():
            if cid not in found.audio_seconds:
                continue  # shredded on purpose (revoked or delivered)
            lost = cap.delivered - found.audio_seconds[cid]
            self.fig.audio_checks += 1
            self.fig.max_audio_lost_s = max(self.fig.max_audio_lost_s, lost)
            if lost > CHUNK_SECONDS + 0.5:
                self.fig.errors.append(f"cycle {n}: contact {cid} lost {lost:.2f} s of audio")
        self.audio_stored.update(found.audio_seconds)
        self.in_flight = {cid: st for cid, st in found.states.items() if st != "purged"}

    def check_recovery(self) -> None:
        """After a restart: nothing records, and every in-flight contact is in a documented state."""
        now = {c["id"]: c["state"] for c in self.get("/api/contacts")}
        for cid in self.in_flight:
            state = now.get(cid, "purged")
            self.fig.recovered_states[state] += 1
            if state == "recording":
                self.fig.recording_after_restart += 1
                self.fig.errors.append(f"contact {cid} still 'recording' after restart")

    # ---- keeping the room tidy ------------------------------------------------------------

    def tidy(self) -> None:
        """Move leftovers on so at most a few contacts are open; count those that cannot move."""
        contacts = [c for c in self.get("/api/contacts") if c["id"] not in self.stuck]
        paused = [c for c in contacts if c["state"] == "paused"]
        for c in paused[1 if self.rng.random() < 0.5 else 0:]:  # the worker resumes, or stops as usual
            if self.post(f"/api/contacts/{c['id']}/recording/stop") is not None:
                self.wait_drafted(c["id"])
        for c in contacts:
            cid, state = c["id"], c["state"]
            if state in ("stopped", "transcribed"):
                self.wait_drafted(cid)
            elif state == "consent_asked" and self.post("/api/kiosk/consent", json=self.grant()) is None:
                self.mark_stuck(cid, "consent_asked: the kiosk lost the question in the restart")
                self.post(f"/api/contacts/{cid}/revocations", json={"channel": "oral"})
                self.post(f"/api/contacts/{cid}/manual")
            elif state in ("opened", "declined", "revoked"):
                self.post(f"/api/contacts/{cid}/manual")
        drafted = [c["id"] for c in self.get("/api/contacts") if c["state"] == "drafted"]
        for cid in drafted[2:]:
            self.validate(cid)

    def mark_stuck(self, cid: str, why: str) -> None:
        """A contact that no documented step can move on."""
        self.stuck.add(cid)
        self.fig.stuck_contacts += 1
        self.fig.errors.append(f"contact {cid} stuck: {why}")

    def wait_drafted(self, cid: str) -> bool:
        """Wait (bounded) for the pipeline to draft a stopped contact."""
        deadline = time.monotonic() + self.args.draft_timeout
        while time.monotonic() < deadline:
            state = self.state(cid)
            if state == "drafted":
                return True
            if state not in ("stopped", "transcribed"):
                return False
            time.sleep(0.1)
        self.mark_stuck(cid, f"still '{self.state(cid)}' after {self.args.draft_timeout:.0f} s")
        return False

    # ---- phases ---------------------------------------------------------------------------

    def drive_recording(self) -> None:
        """Record (maybe pausing), then kill mid-recording, just after stop, or just after a revocation."""
        paused = [c["id"] for c in self.get("/api/contacts") if c["state"] == "paused" and c["id"] not in self.stuck]
        cid = paused[0] if paused and self.rng.random() < 0.5 else self.granted_contact()
        self.start_recording(cid)
        budget = self.wav_seconds / self.speedup * 0.9
        kill_after = self.rng.uniform(0.05, budget)
        if kill_after > 0.5 and self.rng.random() < 0.3:
            first = self.rng.uniform(0.1, kill_after - 0.2)
            time.sleep(first)
            self.pause(cid)
            time.sleep(self.rng.uniform(0.1, 0.6))
            self.start_recording(cid, resume=True)
            kill_after -= first
        time.sleep(kill_after)
        ending = self.rng.random()
        if ending < 0.15:
            self.post(f"/api/contacts/{cid}/recording/stop")
            self.close_capture(cid)
            time.sleep(self.rng.uniform(0.0, 0.5))  # kill while transcription/drafting runs
        elif ending < 0.22:
            self.post("/api/kiosk/revoke", json={"language": "nl", "screen": self.get("/api/kiosk/state")["screen"]})
            self.captures.pop(cid, None)  # the audio is destroyed on purpose: nothing to measure
            time.sleep(self.rng.uniform(0.0, 0.3))  # kill mid crypto-shred

    def drive_validation(self) -> None:
        """Edit a draft and validate it; the kill lands during the save or the validation."""
        cid = self.drafted_contact()
        during_save = self.rng.random() < 0.25
        if during_save:
            self.in_background(lambda: self.edit_draft(cid), self.rng.uniform(0.0, 0.3))
            return
        self.edit_draft(cid)
        self.validating = cid
        if self.rng.random() < 0.3:
            # Kill the moment the report is committed, before the worker's screen has the answer.
            watch = self.world.watch_reports()
            try:
                thread = self.in_background(lambda: self.validate(cid), 0.0)
                deadline = time.monotonic() + 3 * self.validation_latency + 1.0
                while thread.is_alive() and time.monotonic() < deadline and not watch.has_report(cid):
                    time.sleep(0.001)
            finally:
                watch.close()
            return
        self.in_background(lambda: self.validate(cid), self.rng.uniform(0.5, 1.3) * self.validation_latency)

    def drive_sync(self) -> None:
        """Validate, then kill while the relay publishes and waits for central's ack."""
        cid = self.drafted_contact()
        self.edit_draft(cid)
        disturb = self.rng.random()
        if disturb < 0.12:
            self.world.kill_receiver()
            self.receiver_down = True
            self.fig.receiver_kills += 1
        self.validate(cid)
        if 0.12 <= disturb < 0.2:
            self.world.restart_broker()
            self.fig.broker_restarts += 1
        time.sleep(self.rng.uniform(0.0, 2.0))

    def drive_idle(self) -> None:
        """Nothing happens on purpose (or the kiosk shows the question while the client reads)."""
        if self.rng.random() < 0.35:
            cid = self.open_contact()
            self.step(f"/api/contacts/{cid}/consent/ask")
        time.sleep(self.rng.uniform(0.0, 1.5))

    # ---- steps ----------------------------------------------------------------------------

    def granted_contact(self) -> str:
        """A new contact with the client's yes on the kiosk."""
        cid = self.open_contact()
        self.step(f"/api/contacts/{cid}/consent/ask")
        self.step("/api/kiosk/consent", json=self.grant())
        return cid

    def drafted_contact(self) -> str:
        """A drafted contact: a leftover, the manual path (client said no), or a short recording."""
        drafted = [c["id"] for c in self.get("/api/contacts") if c["state"] == "drafted"]
        if drafted:
            return str(drafted[0])
        if self.rng.random() < 0.35:
            cid = self.open_contact()
            self.step(f"/api/contacts/{cid}/consent/ask")
            self.step("/api/kiosk/consent", json={**self.grant(), "choice": "declined"})
            return cid
        cid = self.granted_contact()
        self.start_recording(cid)
        time.sleep(self.rng.uniform(0.3, 1.0))
        self.post(f"/api/contacts/{cid}/recording/stop")
        self.close_capture(cid)
        if not self.wait_drafted(cid):
            raise Skip
        return cid

    def open_contact(self) -> str:
        """Open a contact with its own dossier reference (so duplicates are visible per dossier)."""
        self.seq += 1
        r = self.step("/api/contacts", json={"dossier_ref": f"D-SOAK-{self.seq:05d}", "template_id": "intake"})
        return str(r.json()["id"])

    def start_recording(self, cid: str, *, resume: bool = False) -> None:
        """Open the microphone; the capture's clock starts at the box's own `recording_since` stamp."""
        sent = time.time()
        r = self.post(f"/api/contacts/{cid}/recording/{'resume' if resume else 'start'}")
        if r is None:
            raise Skip
        since = r.json().get("recording_since")
        cap = self.captures.get(cid)
        if cap is None:
            cap = self.captures[cid] = Capture(self.audio_stored.get(cid, 0.0), self.wav_seconds, self.speedup)
        cap.open_since = dt.datetime.fromisoformat(since).timestamp() if since else sent

    def pause(self, cid: str) -> None:
        """Pause; the capture's clock stops when the answer arrives."""
        if self.post(f"/api/contacts/{cid}/recording/pause") is None:
            raise Skip  # the WAV ran out: the recording stopped by itself
        self.close_capture(cid)

    def close_capture(self, cid: str) -> None:
        """The microphone is closed now (pause or stop answered)."""
        if cid in self.captures:
            self.captures[cid].close(time.time())

    def edit_draft(self, cid: str) -> None:
        """Add a typed sentence to the first section of the working draft and save it."""
        working = self.get(f"/api/contacts/{cid}/draft")["working"]
        sentence = {"text": f"De cliënt vraagt hulp bij de huur (soak {self.seq}).", "origin": "worker"}
        working["sections"][0]["sentences"].append(sentence)
        self.post(f"/api/contacts/{cid}/draft", json={"working": working}, method="PUT")

    def validate(self, cid: str) -> None:
        """Validate by typed name; the returned report id is a validated report from now on."""
        sent = time.monotonic()
        r = self.post(f"/api/contacts/{cid}/validation", json={"confirm": True, "worker_name": WORKER[1]})
        if r is not None:
            self.validated[r.json()["report_id"]] = cid
            self.validation_latency = 0.7 * self.validation_latency + 0.3 * (time.monotonic() - sent)
            self.fig.validation_latency_s = round(self.validation_latency, 3)

    def in_background(self, step: Any, kill_after: float) -> threading.Thread:
        """Run `step` in a thread and return after `kill_after` s, so the kill lands inside it."""
        def run() -> None:
            try:
                step()
            except (httpx.HTTPError, RuntimeError, KeyError, Skip):
                pass  # the kill cut the request: expected

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(kill_after)
        return thread

    def grant(self) -> dict[str, str]:
        """The kiosk's 'yes' with the consent text version the kiosk shows."""
        shown = self.get("/api/kiosk/state")
        return {"choice": "granted", "language": "nl", "text_version": shown["text_version"],
                "screen": shown["screen"]}

    def state(self, cid: str) -> str:
        """A contact's state ('purged' once it is gone)."""
        assert self.client is not None
        r = self.client.get(f"/api/contacts/{cid}")
        return "purged" if r.status_code == 404 else str(r.json()["state"])

    def _url(self, path: str) -> str:
        """Kiosk requests go to the kiosk side's own listener."""
        return f"{self.world.kiosk_url}{path}" if path.startswith("/api/kiosk") else path

    def get(self, path: str) -> Any:
        """GET JSON; anything but 2xx is a finding."""
        assert self.client is not None
        r = self.client.get(self._url(path))
        r.raise_for_status()
        return r.json()

    def post(self, path: str, *, json: Any = None, method: str = "POST") -> httpx.Response | None:
        """POST/PUT; a 409 (the moment for this step passed) gives None, other errors raise."""
        assert self.client is not None
        r = self.client.request(method, self._url(path), json=json)
        if r.status_code == 409:
            return None
        r.raise_for_status()
        return r

    def step(self, path: str, *, json: Any = None) -> httpx.Response:
        """A POST the plan needs; a 409 skips the rest of the cycle's plan."""
        r = self.post(path, json=json)
        if r is None:
            raise Skip
        return r

    # ---- the end --------------------------------------------------------------------------

    def drain(self) -> None:
        """Bring everything up and wait until every validated report is filed centrally."""
        self.world.start_broker()
        self.world.start_receiver()
        self.receiver_down = False
        deadline = time.monotonic() + self.args.drain_timeout
        restarted_at = time.monotonic()
        self.client = self.world.wait_ready(self.world.start_service(speedup=self.speedup), self.args.ready_timeout)
        self.check_recovery()
        try:
            while time.monotonic() < deadline:
                filed_now = {rid for rid, _ in self.world.inspect_central().stored}
                if set(self.validated) <= filed_now:
                    break
                if time.monotonic() - restarted_at > 30:  # a fresh connect republishes at once
                    self.world.kill_service()
                    self.client.close()
                    self.client = self.world.wait_ready(self.world.start_service(speedup=self.speedup),
                                                        self.args.ready_timeout)
                    restarted_at = time.monotonic()
                time.sleep(0.5)
        finally:
            self.world.kill_service()
            self.client.close()
            self.client = None
        found = self.world.inspect_store()
        if found.problems:
            self.fig.corrupt_stores += 1
        self.validated.update(found.reports)
        central = self.world.inspect_central()
        filed = Counter(rid for rid, _ in central.stored)
        per_contact = Counter(cid for rid, cid in self.validated.items() if filed[rid])
        self.fig.validated_reports = len(self.validated)
        lost = sorted(rid for rid in self.validated if not filed[rid])
        self.fig.lost_validated_reports = len(lost)
        if lost:
            self.fig.errors.append(f"never filed centrally: {lost[:5]}")
        self.fig.duplicated_reports = (central.conflicts + sum(n - 1 for n in filed.values() if n > 1)
                                       + sum(n - 1 for n in per_contact.values() if n > 1))


def _clip(message: str, limit: int = 600) -> str:
    """A finding short enough for the JSON: its head and its end, where a log tail's cause is."""
    if len(message) <= limit:
        return message
    return f"{message[:150]} … {message[-(limit - 153):]}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command line."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cycles", type=int, default=200, help="kill/restart cycles (default 200)")
    p.add_argument("--seed", type=int, default=None, help="random seed (printed; same seed, same plan)")
    p.add_argument("--model", action="store_true", help="load the real Whisper model (slower)")
    p.add_argument("--phases", default=",".join(PHASES), help="comma-separated phases to kill in")
    p.add_argument("--speedup-min", type=float, default=2.0, help="slowest WAV playback speed-up")
    p.add_argument("--speedup-max", type=float, default=4.0, help="fastest WAV playback speed-up")
    p.add_argument("--ready-timeout", type=float, default=90.0, help="seconds to wait for the service")
    p.add_argument("--draft-timeout", type=float, default=30.0, help="seconds to wait for a draft")
    p.add_argument("--drain-timeout", type=float, default=180.0, help="seconds to wait for the final sync")
    p.add_argument("--max-minutes", type=float, default=60.0, help="stop starting cycles after this long")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.add_argument("--keep", action="store_true", help="keep the temp folder (logs, store) for a post-mortem")
    args = p.parse_args(argv)
    args.phases = [x.strip() for x in args.phases.split(",") if x.strip()]
    bad = [x for x in args.phases if x not in PHASES]
    if bad or not args.phases:
        p.error(f"--phases: choose from {', '.join(PHASES)} (got {bad or 'nothing'})")
    if args.cycles < 1 or not 0 < args.speedup_min <= args.speedup_max:
        p.error("--cycles must be >= 1 and 0 < --speedup-min <= --speedup-max")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the soak and print the figures as one JSON object."""
    args = parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    rng = random.Random(seed)
    started = time.monotonic()
    world = SoakWorld(speedup=args.speedup_min, model=args.model)
    wav_seconds = world.wav_seconds
    soak = Soak(world, rng, wav_seconds, args)
    try:
        for n in range(args.cycles):
            if time.monotonic() - started > args.max_minutes * 60:
                soak.fig.errors.append(f"stopped after {n} cycles: --max-minutes reached")
                break
            if n % len(args.phases) == 0:  # every phase once per round, in a random order
                round_ = rng.sample(args.phases, len(args.phases))
            phase = round_[n % len(args.phases)]
            soak.cycle(n, phase)
            soak.fig.cycles += 1
            if soak.fig.corrupt_stores:
                soak.fig.errors.append(f"stopped after {n + 1} cycles: the store is corrupt")
                break
            if not args.quiet:
                print(f"cycle {n + 1}/{args.cycles} {phase}: {dict(soak.fig.recovered_states)}",
                      file=sys.stderr, flush=True)
        if not soak.fig.corrupt_stores:
            soak.drain()
    finally:
        world.close(keep=args.keep or soak.fig.failed)
    soak.fig.wall_s = time.monotonic() - started
    result = {"seed": seed, "wav_seconds": round(wav_seconds, 2), "chunk_seconds": CHUNK_SECONDS,
              **soak.fig.as_json()}
    if args.keep or soak.fig.failed:
        result["kept"] = str(world.root)
    print(json.dumps(result))
    return 1 if soak.fig.failed else 0


if __name__ == "__main__":
    sys.exit(main())
