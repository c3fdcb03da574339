"""Freed heap memory goes back to the system (what keeps a 90-minute stream's memory flat)."""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

import pytest

from appliance.transcription.heap import release_freed_memory

BLOCK = 64 * 1024  # below glibc's mmap threshold, so these come from the heap


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_freed_heap_goes_back_to_the_system() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        pytest.skip("not glibc")
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.restype, libc.free.argtypes = None, [ctypes.c_void_p]
    blocks = [libc.malloc(BLOCK) for _ in range(2000)]  # 125 MB, like a few decoded windows
    assert all(blocks)
    for block in blocks:
        ctypes.memset(block, 1, BLOCK)  # make the pages resident
    last = blocks.pop()  # still in use, on top of the heap: glibc will not trim by itself
    try:
        for block in blocks:
            libc.free(block)
        held = _rss_mb()
        assert release_freed_memory()
        assert held - _rss_mb() > 100
    finally:
        libc.free(last)
