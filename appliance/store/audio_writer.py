"""Streaming writer of encrypted audio chunks: a kill -9 loses at most the chunk still open."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from appliance.store.chunkfile import ChunkHeader, chunk_name, encode_chunk, write_atomic
from appliance.store.datakeys import DataKeys
from appliance.store.db import Store

SAMPLE_BYTES = 2
"""16-bit signed little-endian PCM."""


class AudioChunkWriter:
    """Buffers PCM and seals a chunk file every `chunk_seconds`; get one from `AudioChunks.writer`."""

    def __init__(
        self,
        store: Store,
        keys: DataKeys,
        folder: Path,
        contact_id: str,
        sample_rate: int,
        channels: int,
        chunk_seconds: float,
        next_seq: int,
    ) -> None:
        if not 8000 <= sample_rate <= 192000:
            raise ValueError(f"sample rate {sample_rate} Hz is out of range")
        if channels not in (1, 2):
            raise ValueError(f"channels must be 1 or 2, not {channels}")
        if not 0 < chunk_seconds <= 60:
            raise ValueError(f"chunk_seconds must be in (0, 60], not {chunk_seconds}")
        self._store, self._keys, self._folder = store, keys, folder
        self.contact_id = contact_id
        self.sample_rate, self.channels = sample_rate, channels
        self._frame_bytes = SAMPLE_BYTES * channels
        self._chunk_bytes = max(1, int(chunk_seconds * sample_rate)) * self._frame_bytes
        self._buffer = bytearray()
        self._next_seq = next_seq
        self._lock = threading.Lock()
        self._closed = False

    @property
    def next_seq(self) -> int:
        """Sequence number the next sealed chunk will get."""
        return self._next_seq

    def write(self, pcm: bytes) -> None:
        """Add PCM; every full chunk is sealed to disk before this returns."""
        with self._lock:
            self._check_open()
            self._buffer += pcm
            while len(self._buffer) >= self._chunk_bytes:
                self._seal(bytes(self._buffer[: self._chunk_bytes]))
                del self._buffer[: self._chunk_bytes]

    def flush(self) -> None:
        """Seal the whole frames buffered so far as a (shorter) chunk."""
        with self._lock:
            self._check_open()
            whole = len(self._buffer) - len(self._buffer) % self._frame_bytes
            if whole:
                self._seal(bytes(self._buffer[:whole]))
                del self._buffer[:whole]

    def close(self) -> None:
        """Flush and stop; a dangling half frame (odd byte count) is dropped and said so."""
        if self._closed:
            return
        self.flush()
        with self._lock:
            self._closed = True
            if self._buffer:
                left = len(self._buffer)
                self._buffer.clear()
                raise ValueError(f"{left} trailing byte(s) do not form a whole audio frame; dropped")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError(f"audio writer for contact {self.contact_id} is closed")

    def _seal(self, pcm: bytes) -> None:
        # The key is fetched per chunk so a revocation (shred) stops further writes at once.
        key = self._keys.get(self.contact_id)
        seq = self._next_seq
        frames = len(pcm) // self._frame_bytes
        header = ChunkHeader(seq, self.sample_rate, self.channels, frames)
        name = chunk_name(seq)
        write_atomic(self._folder, name, encode_chunk(key, self.contact_id, header, pcm))
        self._store.execute(
            "INSERT INTO audio_chunks (contact_id, seq, file_name, frames, sample_rate, channels,"
            " sealed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (self.contact_id, seq, name, frames, self.sample_rate, self.channels,
             datetime.now(UTC).isoformat(timespec="milliseconds")),
        )
        self._next_seq = seq + 1
