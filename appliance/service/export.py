"""Exit strategy: export everything an OCMW keeps from a box, in open formats.

`spreekkamer export --out DIR` writes validated reports (JSON + PDF), the audit log (CSV + JSON),
the templates (their TOML and a JSON rendering) and `manifest.json` + `SHA256SUMS` with the
SHA-256 of every file. Audio, transcripts and drafts are never exported: they are not records,
and the client consented to their use on this box only.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from appliance.box.config import AppConfig, load_config
from appliance.store.db import Store

EXPORT_FORMAT = "spreekkamer-export/1"
_AUDIT_COLUMNS = ("seq", "at", "event", "contact_id", "actor", "details", "prev_hash", "hash")


class ExportError(Exception):
    """The export cannot be written (e.g. the target folder is not empty)."""


@dataclass
class ExportResult:
    """What was exported, and what could not be rendered (the JSON is there regardless)."""

    folder: Path
    reports: int = 0
    audit_entries: int = 0
    templates: int = 0
    files: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def export_all(store: Store, config: AppConfig, out: Path) -> ExportResult:
    """Write the export into `out` (a new or empty folder)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out} is not an empty folder; nothing was written")
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    result = ExportResult(out)
    _export_reports(store, result)
    _export_audit(store, result)
    _export_templates(config, result)
    manifest = {
        "format": EXPORT_FORMAT,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "org": config.device.org,
        "device_id": config.device.device_id,
        "counts": {"reports": result.reports, "audit_entries": result.audit_entries,
                   "templates": result.templates},
        "not_exported": "audio, transcripts and drafts (never leave the box)",
        "problems": result.problems,
        "sha256": dict(sorted(result.files.items())),
    }
    _write(result, "manifest.json", _json(manifest), record=False)
    sums = "".join(f"{digest}  {name}\n" for name, digest in sorted(result.files.items()))
    _write(result, "SHA256SUMS", sums.encode(), record=False)
    return result


def _export_reports(store: Store, result: ExportResult) -> None:
    from appliance.review.render import render_pdf

    rows = store.query("SELECT id, version, report_json FROM reports ORDER BY validated_at, id, version")
    for row in rows:
        stem = f"reports/{_safe(row['id'])}.v{int(row['version'])}"
        raw = bytes(row["report_json"])
        _write(result, f"{stem}.json", raw)  # byte-exact: its hash is the report's content hash
        result.reports += 1
        try:
            _write(result, f"{stem}.pdf", render_pdf(json.loads(raw)))
        except ValueError as exc:
            result.problems.append(f"{stem}.pdf not made: {exc}")


def _export_audit(store: Store, result: ExportResult) -> None:
    rows = store.query("SELECT seq, at, event, contact_id, actor, details, prev_hash, hash"
                       " FROM audit_log ORDER BY seq")
    entries = [{c: row[c] for c in _AUDIT_COLUMNS} for row in rows]
    for entry in entries:
        entry["details"] = json.loads(entry["details"])
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(_AUDIT_COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in _AUDIT_COLUMNS])
    _write(result, "audit/audit-log.csv", text.getvalue().encode())
    _write(result, "audit/audit-log.json", _json(entries))
    result.audit_entries = len(entries)


def _export_templates(config: AppConfig, result: ExportResult) -> None:
    from appliance.drafting.templates import BUNDLED_DIR, list_templates

    extra = config.drafting.templates_dir
    for template in list_templates(extra):
        folders = [f for f in (extra, BUNDLED_DIR) if f is not None]
        source = next(f / f"{template.id}.toml" for f in folders if (f / f"{template.id}.toml").is_file())
        _write(result, f"templates/{template.id}.toml", source.read_bytes())
        _write(result, f"templates/{template.id}.json", _json(template.model_dump(mode="json")))
        result.templates += 1


def _write(result: ExportResult, name: str, data: bytes, *, record: bool = True) -> None:
    path = result.folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if record:
        result.files[name] = hashlib.sha256(data).hexdigest()


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def cmd_export(args: argparse.Namespace) -> int:
    """`spreekkamer export --out DIR`: print what was exported; exit 1 if anything was left out."""
    from appliance.box.keys import open_store
    from appliance.box.secrets import SecretError
    from appliance.store.errors import StoreError

    config = load_config(Path(args.config) if args.config else None)
    try:
        store, _ = open_store(config)
    except (SecretError, StoreError, ValueError) as exc:
        print(f"error: cannot open the store: {exc}", file=sys.stderr)
        return 1
    try:
        result = export_all(store, config, Path(args.out))
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"exported {result.reports} report(s), {result.audit_entries} audit entries and "
          f"{result.templates} template(s) to {result.folder}; checksums in manifest.json")
    for line in result.problems:
        print(f"problem: {line}", file=sys.stderr)
    return 1 if result.problems else 0


def register(subparsers: Any) -> None:
    """Add `export` to the `spreekkamer` command."""
    p = subparsers.add_parser("export", help="export reports, audit log and templates (open formats)")
    p.add_argument("--out", required=True, help="new or empty folder for the export")
    p.add_argument("--config", help="TOML config file (default: embedded dev profile)")
    p.set_defaults(handler=cmd_export)
