"""Speaker labels from channel energy; a segment that runs two turns together is split."""

from __future__ import annotations

import numpy as np

from appliance.transcript import Segment, Word
from appliance.transcription.speakers import label_speakers

RATE = 16000


def _stereo(spans: list[tuple[float, float, int]], seconds: float) -> np.ndarray:
    audio = np.zeros((int(seconds * RATE), 2), dtype=np.float32)
    rng = np.random.default_rng(0)
    for start, end, channel in spans:
        a, b = int(start * RATE), int(end * RATE)
        audio[a:b, channel] = rng.standard_normal(b - a) * 0.3
        audio[a:b, 1 - channel] = rng.standard_normal(b - a) * 0.05  # the other mic hears it, softer
    return audio


def _words(texts: list[str], start: float, step: float = 0.5) -> tuple[Word, ...]:
    return tuple(Word(start=start + i * step, end=start + (i + 1) * step - 0.05, word=f" {t}")
                 for i, t in enumerate(texts))


def test_a_segment_over_two_turns_is_split_and_renumbered() -> None:
    audio = _stereo([(0.0, 2.0, 0), (2.0, 4.0, 1)], 5.0)
    worker = _words(["hoeveel", "is", "de", "huur"], 0.0)
    client = _words(["zevenhonderd", "euro", "per", "maand"], 2.0)
    merged = Segment(id="s3", start=0.0, end=4.0, text="hoeveel is de huur zevenhonderd euro per maand",
                     words=worker + client)
    after = Segment(id="s4", start=4.2, end=4.9, text="ja", words=_words(["ja"], 4.2))
    out = label_speakers([merged, after], audio)
    assert [s.id for s in out] == ["s3", "s4", "s5"]
    assert [s.speaker for s in out[:2]] == ["worker", "client"]
    assert out[0].text == "hoeveel is de huur" and out[1].text == "zevenhonderd euro per maand"
    assert out[1].start == 2.0 and out[0].end < out[1].start


def test_a_few_words_of_crosstalk_do_not_split() -> None:
    audio = _stereo([(0.0, 2.0, 0), (2.0, 2.9, 1), (3.0, 5.0, 0)], 5.0)
    seg = Segment(id="s1", start=0.0, end=5.0, text="x",
                  words=_words(["a", "b", "c", "d", "ja", "e", "f", "g", "h", "i"], 0.0))
    out = label_speakers([seg], audio)
    assert len(out) == 1 and out[0].speaker == "worker" and out[0].id == "s1"
