"""Where accepted reports go: a watched folder or the dossier system's webhook.

Both are idempotent on (report id, version): a crash between hand-over and the database commit
leads to a second hand-over of the same content, never to a different one.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Protocol

from appliance.sync.envelope import OpenedReport
from central.config import DirectorySinkConfig, WebhookSinkConfig

_KEPT = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
_MAX_STEM = 200  # room for ".v<version>.json.tmp" within the usual 255-byte limit


class SinkError(Exception):
    """The dossier side did not take the report; it will be retried on redelivery."""


class ReportSink(Protocol):
    """Hands one verified report to the dossier system; raises SinkError when it was not taken."""

    def deliver(self, report: OpenedReport, *, org: str) -> None: ...


class DirectorySink:
    """Writes `<report>.v<version>.json` and `.pdf` atomically (temp file + rename)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def deliver(self, report: OpenedReport, *, org: str) -> None:
        """Drop the JSON (and PDF) into the folder; the JSON lands last so watchers see a pair."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.folder.chmod(0o700)  # decrypted reports: for the dossier system's user only
            stem = f"{safe_name(report.report_id)}.v{report.version}"
            if report.pdf is not None:
                _atomic_write(self.folder / f"{stem}.pdf", report.pdf)
            _atomic_write(self.folder / f"{stem}.json", report.report_json)
        except OSError as exc:
            raise SinkError(f"cannot write report to {self.folder}: {exc}") from exc


class WebhookSink:
    """POSTs the report as JSON with an `Idempotency-Key` header; 2xx means taken."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self.url, self.timeout_s = url, timeout_s

    def deliver(self, report: OpenedReport, *, org: str) -> None:
        """One POST with a timeout; anything but 2xx is a SinkError."""
        try:
            parsed = json.loads(report.report_json)
        except ValueError as exc:
            raise SinkError(f"report {report.report_id} is not valid JSON") from exc
        body = json.dumps(
            {
                "org": org,
                "device_id": report.device_id,
                "report_id": report.report_id,
                "version": report.version,
                "content_hash": report.content_hash,
                "report": parsed,
                "pdf_base64": None if report.pdf is None else base64.b64encode(report.pdf).decode(),
            }
        ).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Idempotency-Key": f"{report.report_id}:{report.version}:{report.content_hash}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                status = response.status
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise SinkError(f"webhook {self.url} failed: {exc}") from exc
        if not 200 <= status < 300:
            raise SinkError(f"webhook {self.url} answered {status}")


def make_sink(config: DirectorySinkConfig | WebhookSinkConfig) -> ReportSink:
    """The sink a receiver config asks for."""
    if isinstance(config, DirectorySinkConfig):
        return DirectorySink(config.path)
    return WebhookSink(str(config.url), config.timeout_s)


def safe_name(name: str) -> str:
    """A file name for a report id that stays in the folder and names no other id.

    Lower-case ASCII letters, digits, '-' and '_' are kept; every other character (upper case
    too, for case-insensitive shares) becomes '=' and its UTF-8 bytes in hex. '=' is only ever
    an escape, so two ids never share a name. Ids come from authenticated devices, but a name
    must never escape the folder either."""
    if not name:
        raise SinkError("a report id cannot be empty")
    cleaned = "".join(
        char if char in _KEPT else "".join(f"={b:02x}" for b in char.encode("utf-8"))
        for char in name
    )
    if len(cleaned) > _MAX_STEM:
        raise SinkError(f"report id {name[:40]!r}... is too long for a file name")
    return cleaned


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fh.fileno(), 0o600)  # a stale temp file from an older run keeps its mode
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
