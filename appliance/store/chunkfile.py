"""The on-disk form of one encrypted audio chunk, and its crash-safe write.

File layout: a 17-byte clear header (magic, seq, sample rate, channels, frames) followed by the
sealed PCM. The header is authenticated as AAD together with the contact id, so a chunk cannot
be moved to another contact, renumbered or re-labelled without failing to open.
"""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from appliance.store.sealing import seal, unseal

MAGIC = b"SKA1"
_HEADER = struct.Struct(">4sIIBI")
HEADER_BYTES = _HEADER.size
_AAD_PREFIX = b"spreekkamer/audio-chunk/v1\x00"
_CONTACT_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
TMP_SUFFIX = ".tmp"


class ChunkError(Exception):
    """A chunk file that is not what it claims to be (bad header, wrong seq, wrong format)."""


@dataclass(frozen=True)
class ChunkHeader:
    """The authenticated clear header of a chunk file."""

    seq: int
    sample_rate: int
    channels: int
    frames: int


def chunk_name(seq: int) -> str:
    """File name of chunk `seq` inside its contact's folder."""
    return f"{seq:06d}.chunk"


def check_contact_id(contact_id: str) -> str:
    """Contact ids become folder names: only letters, digits, '-' and '_' are allowed."""
    if not _CONTACT_ID.match(contact_id):
        raise ValueError(f"contact id {contact_id!r} is not a safe folder name")
    return contact_id


def encode_chunk(key: bytes, contact_id: str, header: ChunkHeader, pcm: bytes) -> bytes:
    """Header plus sealed PCM, ready to write."""
    raw = _HEADER.pack(MAGIC, header.seq, header.sample_rate, header.channels, header.frames)
    return raw + seal(key, pcm, _aad(contact_id, raw))


def parse_header(data: bytes) -> ChunkHeader:
    """Read the clear header (not yet authenticated: `decode_chunk` does that)."""
    if len(data) < HEADER_BYTES:
        raise ChunkError(f"file too short for a chunk header ({len(data)} bytes): truncated")
    magic, seq, rate, channels, frames = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise ChunkError("not a Spreekkamer audio chunk (bad magic)")
    return ChunkHeader(seq, rate, channels, frames)


def decode_chunk(key: bytes, contact_id: str, data: bytes) -> tuple[ChunkHeader, bytes]:
    """Authenticate and decrypt a chunk file's bytes; raises `ChunkError` or `SealError`."""
    header = parse_header(data)
    pcm = unseal(key, data[HEADER_BYTES:], _aad(contact_id, data[:HEADER_BYTES]))
    if len(pcm) != header.frames * header.channels * 2:
        raise ChunkError(f"chunk holds {len(pcm)} bytes, header promises {header.frames} frames")
    return header, pcm


def write_atomic(folder: Path, name: str, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename, fsync the folder: the chunk is whole or absent."""
    tmp = folder / f".{name}{TMP_SUFFIX}"
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(tmp, folder / name)
    fsync_dir(folder)


def fsync_dir(folder: Path) -> None:
    """Make a rename or unlink in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _aad(contact_id: str, raw_header: bytes) -> bytes:
    return _AAD_PREFIX + contact_id.encode() + b"\x00" + raw_header
