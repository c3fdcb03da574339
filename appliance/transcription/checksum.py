"""SHA-256 of model files, cached by (path, size, mtime) so a big model is hashed once per change."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

_CHUNK = 4 * 1024 * 1024
_cache: dict[tuple[str, int, int], str] = {}
_lock = threading.Lock()


def sha256_file(path: Path, *, use_cache: bool = True) -> str:
    """Hex SHA-256 of a file; reuses the last result while size and mtime are unchanged."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if use_cache:
        with _lock:
            hit = _cache.get(key)
        if hit is not None:
            return hit
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    value = digest.hexdigest()
    with _lock:
        _cache[key] = value
    return value
