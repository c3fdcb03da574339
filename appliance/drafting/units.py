"""A draft sentence in the making: its text, the segments it cites, its section and fact."""

from __future__ import annotations

from dataclasses import dataclass, field

from appliance.draft import Fact
from appliance.transcript import Segment


@dataclass
class Unit:
    """What one or more segments state, before it is verified and placed."""

    text: str
    segments: list[Segment]
    role: str
    section: str | None
    flags: list[str] = field(default_factory=list)
    fact: Fact | None = None
    form: bool = False
    """Whether `text` is the fixed sentence form of `fact`."""
