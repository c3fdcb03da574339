"""Encrypted audio of each contact: `<data_dir>/audio/<contact_id>/<seq:06d>.chunk` plus `audio_chunks` rows.

Every chunk is sealed with the contact's data key, so shredding that key makes the audio
unreadable even where the files survive. Reading never hides damage: a chunk that is missing,
truncated or fails authentication is skipped and named in `AudioClip.damaged`.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from appliance.store.audio_writer import SAMPLE_BYTES, AudioChunkWriter
from appliance.store.chunkfile import (
    TMP_SUFFIX,
    ChunkError,
    ChunkHeader,
    check_contact_id,
    decode_chunk,
    fsync_dir,
)
from appliance.store.datakeys import DataKeys
from appliance.store.db import Store
from appliance.store.errors import NoAudio
from appliance.store.sealing import SealError

__all__ = ["AudioChunkWriter", "AudioChunks", "AudioClip", "audio_root"]

log = logging.getLogger(__name__)


def audio_root(data_dir: Path) -> Path:
    """The folder `AudioChunks` expects as its root, inside the store's data folder."""
    return data_dir / "audio"


@dataclass(frozen=True)
class AudioClip:
    """Decrypted 16-bit PCM of (part of) a contact's recording."""

    pcm: bytes
    sample_rate: int
    channels: int
    damaged: list[str] = field(default_factory=list)
    """One line per chunk that could not be read (file name and why); empty = all good."""

    @property
    def seconds(self) -> float:
        """Duration of `pcm`."""
        return len(self.pcm) / (SAMPLE_BYTES * self.channels * self.sample_rate)


@dataclass(frozen=True)
class _ChunkRef:
    seq: int
    file_name: str
    row: ChunkHeader | None  # what the database says, when it has a row


class AudioChunks:
    """All contacts' encrypted audio under `root` (normally `audio_root(store.data_dir)`)."""

    def __init__(self, store: Store, keys: DataKeys, root: Path) -> None:
        self._store, self._keys, self._root = store, keys, Path(root)

    def folder(self, contact_id: str) -> Path:
        """The contact's chunk folder (may not exist yet)."""
        return self._root / check_contact_id(contact_id)

    def writer(
        self, contact_id: str, sample_rate: int, channels: int, chunk_seconds: float = 2.0
    ) -> AudioChunkWriter:
        """A writer that continues after the contact's last chunk (also after a restart)."""
        folder = self.folder(contact_id)
        self._keys.get(contact_id)  # refuse early (KeyShredded) rather than at the first chunk
        if not self._root.exists():
            self._root.mkdir(parents=True, mode=0o700)
        folder.mkdir(exist_ok=True, mode=0o700)
        self._adopt_orphans(contact_id, folder)
        refs = self._index(contact_id)
        for ref in refs:
            if ref.row and (ref.row.sample_rate, ref.row.channels) != (sample_rate, channels):
                raise ValueError(
                    f"contact {contact_id}: earlier audio is {ref.row.sample_rate} Hz x "
                    f"{ref.row.channels}, cannot continue with {sample_rate} Hz x {channels}"
                )
        next_seq = max((r.seq for r in refs), default=-1) + 1
        return AudioChunkWriter(
            self._store, self._keys, folder, contact_id, sample_rate, channels, chunk_seconds, next_seq
        )

    def read(self, contact_id: str) -> AudioClip:
        """The whole recording, every chunk verified; `NoAudio` when there is none."""
        return self.read_span(contact_id, 0.0, math.inf)

    def read_span(self, contact_id: str, start_s: float, end_s: float) -> AudioClip:
        """The audio between `start_s` and `end_s` on the recording's own timeline."""
        if start_s < 0 or end_s < start_s:
            raise ValueError(f"bad span {start_s}..{end_s} s")
        folder = self.folder(contact_id)
        refs = self._index(contact_id)
        leftovers = sorted(p.name for p in folder.glob(f".*{TMP_SUFFIX}")) if folder.exists() else []
        if not refs and not leftovers:
            raise NoAudio(f"contact {contact_id}: no audio recorded")
        key = self._keys.get(contact_id)
        damaged = [f"{name}: unfinished write interrupted by a crash; lost" for name in leftovers]
        fmt = next(((r.row.sample_rate, r.row.channels) for r in refs if r.row), None)
        loaded: dict[int, tuple[ChunkHeader, bytes]] = {}
        if fmt is None:  # no chunk rows (a crash between file and row): the files must say
            for ref in refs:
                self._try_load(key, contact_id, folder, ref, loaded, damaged)
            fmt = next(((h.sample_rate, h.channels) for h, _ in loaded.values()), None)
        if fmt is None:
            return AudioClip(b"", 16000, 1, damaged)
        rate, channels = fmt
        frame_bytes = SAMPLE_BYTES * channels
        lo = math.floor(start_s * rate)
        hi = math.inf if math.isinf(end_s) else math.ceil(end_s * rate)
        out, offset = bytearray(), 0
        for ref in refs:
            if ref.row is not None and not (offset + ref.row.frames > lo and offset < hi):
                offset += ref.row.frames  # outside the span: never decrypted
                continue
            got = loaded.get(ref.seq) or self._try_load(key, contact_id, folder, ref, loaded, damaged)
            if got is None:  # damaged: keep its place on the timeline when its length is known
                offset += ref.row.frames if ref.row else 0
                continue
            hdr, pcm = got
            if (hdr.sample_rate, hdr.channels) != (rate, channels):
                damaged.append(f"{ref.file_name}: format differs from the first chunk; skipped")
            elif offset + hdr.frames > lo and offset < hi:
                a = max(lo - offset, 0)
                b = hdr.frames if math.isinf(hi) else min(int(hi) - offset, hdr.frames)
                out += pcm[a * frame_bytes : b * frame_bytes]
            offset += hdr.frames
        for line in damaged:
            log.warning("contact %s audio damaged: %s", contact_id, line)
        return AudioClip(bytes(out), rate, channels, damaged)

    def _try_load(self, key: bytes, contact_id: str, folder: Path, ref: _ChunkRef,
                  loaded: dict[int, tuple[ChunkHeader, bytes]], damaged: list[str]) -> tuple[ChunkHeader, bytes] | None:
        """Decrypt and verify one chunk, noting it as damaged when it cannot be read."""
        try:
            loaded[ref.seq] = self._load(key, contact_id, folder, ref)
        except (OSError, ChunkError, SealError) as exc:
            damaged.append(f"{ref.file_name}: {exc}")
            return None
        return loaded[ref.seq]

    def seconds(self, contact_id: str) -> float:
        """Recorded duration according to the chunk rows (no decryption)."""
        rows = self._store.query(
            "SELECT frames, sample_rate FROM audio_chunks WHERE contact_id = ?", (contact_id,)
        )
        return float(sum(r["frames"] / r["sample_rate"] for r in rows))

    def contacts_on_disk(self) -> list[str]:
        """Contact ids with a chunk folder; at start-up, folders of contacts without a key can go."""
        if not self._root.exists():
            return []
        return sorted(p.name for p in self._root.iterdir() if p.is_dir())

    def delete(self, contact_id: str) -> None:
        """Remove the contact's chunk files and rows (files first: a crash leaves rows, never files)."""
        folder = self.folder(contact_id)
        if folder.exists():
            shutil.rmtree(folder)
            fsync_dir(self._root)
        self._store.execute("DELETE FROM audio_chunks WHERE contact_id = ?", (contact_id,))

    def _index(self, contact_id: str) -> list[_ChunkRef]:
        """Chunks known from rows or files, by seq (a file without a row is a crash survivor)."""
        refs: dict[int, _ChunkRef] = {}
        for r in self._store.query(
            "SELECT seq, file_name, frames, sample_rate, channels FROM audio_chunks"
            " WHERE contact_id = ? ORDER BY seq",
            (contact_id,),
        ):
            hdr = ChunkHeader(r["seq"], r["sample_rate"], r["channels"], r["frames"])
            refs[r["seq"]] = _ChunkRef(r["seq"], r["file_name"], hdr)
        folder = self.folder(contact_id)
        if folder.exists():
            for path in folder.glob("*.chunk"):
                seq = int(path.stem) if path.stem.isdigit() else None
                if seq is not None and seq not in refs:
                    refs[seq] = _ChunkRef(seq, path.name, None)
        return [refs[s] for s in sorted(refs)]

    def _load(self, key: bytes, contact_id: str, folder: Path, ref: _ChunkRef) -> tuple[ChunkHeader, bytes]:
        path = folder / ref.file_name
        if not path.exists():
            raise ChunkError("file missing")
        hdr, pcm = decode_chunk(key, contact_id, path.read_bytes())
        if hdr.seq != ref.seq or (ref.row is not None and hdr != ref.row):
            raise ChunkError(f"chunk header {hdr} does not match its record {ref.row or ref.seq}")
        return hdr, pcm

    def _adopt_orphans(self, contact_id: str, folder: Path) -> None:
        """Record chunks whose file was renamed into place but whose row was lost in a crash."""
        key = self._keys.get(contact_id)
        for ref in self._index(contact_id):
            if ref.row is not None:
                continue
            try:
                hdr, _ = decode_chunk(key, contact_id, (folder / ref.file_name).read_bytes())
            except (OSError, ChunkError, SealError) as exc:
                log.warning("contact %s: chunk %s not adopted: %s", contact_id, ref.file_name, exc)
                continue
            self._store.execute(
                "INSERT INTO audio_chunks (contact_id, seq, file_name, frames, sample_rate,"
                " channels, sealed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (contact_id, hdr.seq, ref.file_name, hdr.frames, hdr.sample_rate, hdr.channels,
                 datetime.fromtimestamp(os.path.getmtime(folder / ref.file_name), UTC).isoformat()),
            )
        for tmp in folder.glob(f".*{TMP_SUFFIX}"):
            log.warning("contact %s: removing unfinished chunk %s left by a crash", contact_id, tmp.name)
            tmp.unlink()
