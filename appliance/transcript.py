"""Transcript values: what transcription produces and drafting cites.

JSON shape (shared with the evaluation scorer):
`{"segments": [{"id": "s1", "start": 0.25, "end": 6.04, "speaker": "worker", "text": "..."}]}`
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Speaker = Literal["worker", "client", "unknown"]


class Word(BaseModel):
    """One recognised word with its time span (the review screen highlights cited words)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    start: float
    end: float
    word: str
    probability: float = 1.0


class Segment(BaseModel):
    """One utterance; `id` is stable for the life of the contact and is what citations name."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    text: str
    speaker: Speaker = "unknown"
    words: tuple[Word, ...] = ()
    avg_logprob: float | None = None
    no_speech_prob: float | None = None


class ModelStamp(BaseModel):
    """Which model made a transcript: cited by the report's transparency statement."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    version: str
    sha256: str
    device: str = "cpu"
    compute_type: str = "int8"


class Transcript(BaseModel):
    """All segments of one contact, in time order."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    segments: tuple[Segment, ...] = ()
    language: str = "nl"
    model: ModelStamp | None = None
    audio_seconds: float | None = None

    def segment(self, segment_id: str) -> Segment:
        """The segment with this id; KeyError when absent."""
        for seg in self.segments:
            if seg.id == segment_id:
                return seg
        raise KeyError(segment_id)
