"""Hand freed heap memory back to the system after each decoded window.

Each window allocates and frees tens of megabytes (spectrogram, encoder output, beams, word
alignment). glibc keeps what was freed in its arenas for reuse, and over a 90-minute
conversation that retention, not anything still held, grew the process by ~45 MB.
`malloc_trim(0)` returns the free pages; it takes a few milliseconds, once per window.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (musl, macOS): nothing to trim this way
        return None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim  # type: ignore[no-any-return]


_TRIM = _malloc_trim()


def release_freed_memory() -> bool:
    """Return free heap pages to the system; False where the C library cannot."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True
