"""The directory forward: owner-only files, and one file name per report id."""

from __future__ import annotations

import os
from pathlib import Path

from central.receiver.sinks import DirectorySink, safe_name
from tests.test_central_store import ORG, report


def test_directory_sink_writes_owner_only_files(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        folder = tmp_path / "dossier" / "inbox"
        DirectorySink(folder).deliver(report("r_perm"), org=ORG)
    finally:
        os.umask(old)
    assert folder.stat().st_mode & 0o777 == 0o700
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["r_perm.v1.json", "r_perm.v1.pdf"]
    assert {(folder / f).stat().st_mode & 0o777 for f in files} == {0o600}


def test_sink_file_names_never_collide_and_stay_in_the_folder() -> None:
    ids = ["r_a", "r-a", "r/a", "r?a", "r.a", "r a", "R_a", "r=5fa", "r_5fa", "r=2fa", "ré", "r\u00e9",
           "r\u0065\u0301", "..", "../../etc/passwd", "r=a"]
    names = [safe_name(i) for i in ids]
    assert len(set(names)) == len(set(ids))
    for name in names:
        assert "/" not in name and name not in (".", "..") and not name.startswith(".")
        assert set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789-_=")
    assert safe_name("r_0123abcd") == "r_0123abcd"  # the boxes' ids stay readable
