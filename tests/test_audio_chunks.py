"""Encrypted audio chunks on disk: round trip, no plaintext, crash damage reported, shredding."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from appliance.store.audio import AudioChunks, audio_root
from appliance.store.datakeys import DataKeys
from appliance.store.db import Store
from appliance.store.errors import KeyShredded, NoAudio
from appliance.store.sealing import KEY_BYTES

RATE = 16000
REPO = Path(__file__).resolve().parent.parent


def tone(seconds: float, freq: float = 440.0, rate: int = RATE) -> bytes:
    """A 16-bit mono sine tone (never all zeros, so a plaintext run would be recognisable)."""
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * freq * t) * 12000).astype("<i2").tobytes()


@pytest.fixture
def db_key() -> bytes:
    return os.urandom(KEY_BYTES)


@pytest.fixture
def store(tmp_path: Path, db_key: bytes) -> Iterator[Store]:
    s = Store.open(tmp_path / "data" / "spreekkamer.db", db_key)
    yield s
    s.close()


@pytest.fixture
def keys(store: Store) -> DataKeys:
    return DataKeys(store)


@pytest.fixture
def chunks(store: Store, keys: DataKeys) -> AudioChunks:
    return AudioChunks(store, keys, audio_root(store.data_dir))


def record(chunks: AudioChunks, contact: str, pcm: bytes, frame_ms: int = 30) -> None:
    """Feed PCM the way the recorder does: 30 ms frames, then close."""
    step = RATE * frame_ms // 1000 * 2
    with chunks.writer(contact, RATE, 1, chunk_seconds=2.0) as w:
        for i in range(0, len(pcm), step):
            w.write(pcm[i : i + step])


def chunk_files(chunks: AudioChunks, contact: str) -> list[Path]:
    return sorted(chunks.folder(contact).glob("*.chunk"))


def test_round_trip_of_seven_seconds(chunks: AudioChunks, keys: DataKeys) -> None:
    keys.create("c1")
    pcm = tone(7.0)
    record(chunks, "c1", pcm)
    files = chunk_files(chunks, "c1")
    assert [f.name for f in files] == ["000000.chunk", "000001.chunk", "000002.chunk", "000003.chunk"]
    clip = chunks.read("c1")
    assert clip.damaged == []
    assert (clip.sample_rate, clip.channels) == (RATE, 1)
    assert clip.pcm == pcm
    assert chunks.seconds("c1") == pytest.approx(7.0)
    assert clip.seconds == pytest.approx(7.0)
    assert chunks.folder("c1").stat().st_mode & 0o077 == 0
    assert all(f.stat().st_mode & 0o077 == 0 for f in files)


def test_chunk_files_hold_no_plaintext_pcm(chunks: AudioChunks, keys: DataKeys) -> None:
    keys.create("c1")
    pcm = tone(5.0, freq=300.0)
    record(chunks, "c1", pcm)
    on_disk = b"".join(f.read_bytes() for f in chunk_files(chunks, "c1"))
    rng = random.Random(7)
    for _ in range(300):
        at = rng.randrange(0, len(pcm) - 16)
        assert pcm[at : at + 16] not in on_disk
    assert not list(chunks.folder("c1").glob(".*")), "no temp files left behind"


def test_read_span_follows_the_recording_timeline(chunks: AudioChunks, keys: DataKeys) -> None:
    keys.create("c1")
    pcm = tone(7.0)
    record(chunks, "c1", pcm)
    span = chunks.read_span("c1", 2.5, 4.5)
    assert span.pcm == pcm[int(2.5 * RATE) * 2 : int(4.5 * RATE) * 2]
    assert chunks.read_span("c1", 6.5, 100.0).pcm == pcm[int(6.5 * RATE) * 2 :]
    with pytest.raises(ValueError):
        chunks.read_span("c1", 3.0, 1.0)


def test_truncated_last_chunk_is_reported_and_earlier_ones_read(
    chunks: AudioChunks, keys: DataKeys
) -> None:
    keys.create("c1")
    pcm = tone(7.0)
    record(chunks, "c1", pcm)
    last = chunk_files(chunks, "c1")[-1]
    last.write_bytes(last.read_bytes()[:500])
    clip = chunks.read("c1")
    assert len(clip.damaged) == 1 and clip.damaged[0].startswith("000003.chunk")
    assert clip.pcm == pcm[: 6 * RATE * 2]


def test_damage_in_the_middle_keeps_later_audio_on_its_timeline(
    chunks: AudioChunks, keys: DataKeys
) -> None:
    keys.create("c1")
    pcm = tone(7.0)
    record(chunks, "c1", pcm)
    middle = chunk_files(chunks, "c1")[1]
    data = bytearray(middle.read_bytes())
    data[100] ^= 0x40
    middle.write_bytes(bytes(data))
    clip = chunks.read("c1")
    assert [d.split(":")[0] for d in clip.damaged] == ["000001.chunk"]
    assert clip.pcm == pcm[: 2 * RATE * 2] + pcm[4 * RATE * 2 :]
    assert chunks.read_span("c1", 5.0, 6.0).pcm == pcm[5 * RATE * 2 : 6 * RATE * 2]


def test_a_span_decrypts_only_the_chunks_it_covers(chunks: AudioChunks, keys: DataKeys) -> None:
    # Hearing a cited passage of a long contact must not decrypt the whole recording: a damaged
    # chunk elsewhere is neither read nor reported, and one inside the span is.
    keys.create("c1")
    pcm = tone(7.0)
    record(chunks, "c1", pcm)
    first = chunk_files(chunks, "c1")[0]
    data = bytearray(first.read_bytes())
    data[100] ^= 0x40
    first.write_bytes(bytes(data))
    span = chunks.read_span("c1", 4.5, 5.5)
    assert span.damaged == []
    assert span.pcm == pcm[int(4.5 * RATE) * 2 : int(5.5 * RATE) * 2]
    assert [d.split(":")[0] for d in chunks.read_span("c1", 1.0, 3.0).damaged] == ["000000.chunk"]


def test_swapped_or_moved_chunks_fail_authentication(
    store: Store, chunks: AudioChunks, keys: DataKeys
) -> None:
    keys.create("c1")
    record(chunks, "c1", tone(7.0))
    a, b = chunk_files(chunks, "c1")[:2]
    a_bytes, b_bytes = a.read_bytes(), b.read_bytes()
    a.write_bytes(b_bytes)
    b.write_bytes(a_bytes)
    assert len(chunks.read("c1").damaged) == 2
    # Same key, other contact: the contact id is bound into every chunk.
    keys.create("c2")
    store.execute(  # give c2 the same key to prove the binding, not the key, refuses it
        "UPDATE data_keys SET key = (SELECT key FROM data_keys WHERE contact_id = 'c1')"
        " WHERE contact_id = 'c2'"
    )
    record(chunks, "c2", tone(1.0))
    target = chunk_files(chunks, "c2")[0]
    target.write_bytes(chunk_files(chunks, "c1")[2].read_bytes())
    assert chunks.read("c2").damaged


def test_leftover_temp_file_is_reported_then_cleared_on_resume(
    chunks: AudioChunks, keys: DataKeys
) -> None:
    keys.create("c1")
    pcm = tone(3.0)
    record(chunks, "c1", pcm)
    (chunks.folder("c1") / ".000002.chunk.tmp").write_bytes(b"\x00" * 100)
    clip = chunks.read("c1")
    assert clip.pcm == pcm
    assert any(".000002.chunk.tmp" in d and "lost" in d for d in clip.damaged)
    with chunks.writer("c1", RATE, 1) as w:
        assert w.next_seq == 2
    assert chunks.read("c1").damaged == []


def test_file_whose_row_was_lost_is_kept_and_adopted(
    store: Store, chunks: AudioChunks, keys: DataKeys
) -> None:
    keys.create("c1")
    pcm = tone(5.0)
    record(chunks, "c1", pcm)
    store.execute("DELETE FROM audio_chunks WHERE contact_id = 'c1' AND seq = 2")
    assert chunks.read("c1").pcm == pcm, "a whole chunk file is valid even without its row"
    w = chunks.writer("c1", RATE, 1)
    assert w.next_seq == 3
    w.close()
    assert store.query("SELECT count(*) AS n FROM audio_chunks WHERE contact_id = 'c1'")[0]["n"] == 3
    assert chunks.seconds("c1") == pytest.approx(5.0)


def test_resume_continues_and_refuses_another_format(chunks: AudioChunks, keys: DataKeys) -> None:
    keys.create("c1")
    first, second = tone(3.0, 440.0), tone(2.5, 660.0)
    record(chunks, "c1", first)
    record(chunks, "c1", second)
    assert chunks.read("c1").pcm == first + second
    with pytest.raises(ValueError, match="cannot continue"):
        chunks.writer("c1", 48000, 1)


def test_bad_input_is_refused_clearly(chunks: AudioChunks, keys: DataKeys) -> None:
    keys.create("c1")
    with pytest.raises(ValueError, match="safe folder name"):
        chunks.writer("../etc", RATE, 1)
    with pytest.raises(ValueError, match="channels"):
        chunks.writer("c1", RATE, 3)
    w = chunks.writer("c1", RATE, 1)
    w.write(tone(0.5) + b"\x01")
    with pytest.raises(ValueError, match="whole audio frame"):
        w.close()
    assert chunks.read("c1").pcm == tone(0.5), "the whole frames were kept"
    with pytest.raises(ValueError, match="closed"):
        w.write(b"\x00\x00")
    with pytest.raises(KeyShredded):
        chunks.writer("no-key", RATE, 1)
    with pytest.raises(NoAudio):
        chunks.read("c1-never-recorded")


def test_shred_makes_chunks_undecryptable(store: Store, chunks: AudioChunks, keys: DataKeys) -> None:
    keys.create("c1")
    w = chunks.writer("c1", RATE, 1)
    w.write(tone(4.5))  # two chunks sealed, half a second still open
    keys.shred("c1")
    store.checkpoint()
    with pytest.raises(KeyShredded):
        w.flush()  # a revocation stops the open writer: nothing more is written
    with pytest.raises(KeyShredded):
        chunks.read("c1")
    keys.create("c1")  # even a new key for the same contact cannot open the old chunks
    clip = chunks.read("c1")
    assert clip.pcm == b"" and len(clip.damaged) == 2


def test_delete_removes_files_and_rows(store: Store, chunks: AudioChunks, keys: DataKeys) -> None:
    keys.create("c1")
    record(chunks, "c1", tone(3.0))
    assert chunks.contacts_on_disk() == ["c1"]
    chunks.delete("c1")
    assert chunks.contacts_on_disk() == []
    assert not chunks.folder("c1").exists()
    assert not store.query("SELECT 1 FROM audio_chunks WHERE contact_id = 'c1'")
    with pytest.raises(NoAudio):
        chunks.read("c1")
    chunks.delete("c1")  # idempotent


CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from appliance.store.audio import AudioChunks, audio_root
    from appliance.store.datakeys import DataKeys
    from appliance.store.db import Store
    store = Store.open(Path(sys.argv[2]), bytes.fromhex(sys.argv[3]))
    keys = DataKeys(store)
    keys.create("c1")
    w = AudioChunks(store, keys, audio_root(store.data_dir)).writer("c1", 16000, 1, chunk_seconds=0.5)
    frame = bytes(range(256)) * 3 + bytes(192)  # 30 ms at 16 kHz = 960 bytes
    while True:
        w.write(frame)
        print(w.next_seq, flush=True)
        time.sleep(0.002)
    """
)


def test_kill_9_loses_at_most_the_open_chunk(tmp_path: Path) -> None:
    db_path, key = tmp_path / "data" / "db.sqlite", os.urandom(KEY_BYTES)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(REPO), str(db_path), key.hex()],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        sealed = 0
        assert child.stdout is not None
        for line in child.stdout:
            sealed = int(line)
            if sealed >= 6:
                break
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=10)
    assert sealed >= 6, "the child never got going"
    store = Store.open(db_path, key)
    try:
        chunks = AudioChunks(store, DataKeys(store), audio_root(store.data_dir))
        clip = chunks.read("c1")
        assert [d for d in clip.damaged if ".tmp" not in d] == []
        assert len(clip.pcm) >= sealed * 8000 * 2, "every chunk reported sealed must survive"
        assert clip.pcm[:960] == bytes(range(256)) * 3 + bytes(192)
        with chunks.writer("c1", 16000, 1) as w:
            assert w.next_seq * 8000 * 2 == len(clip.pcm)
    finally:
        store.close()
