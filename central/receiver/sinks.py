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
            self.folder.mkdir(parents=True, exist_ok=True)
            stem = f"{_safe(report.report_id)}.v{report.version}"
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


def _safe(name: str) -> str:
    # Report ids come from authenticated devices, but a file name must never escape the folder.
    cleaned = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
    return cleaned or "_"


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
