"""Jittered exponential back-off for republishing reports and reconnecting to the broker."""

from __future__ import annotations

import random


def retry_delay(attempt: int, *, base_s: float, max_s: float, rng: random.Random) -> float:
    """Seconds to wait before retry number `attempt` (0 = first retry).

    "Equal jitter": half the exponential step is fixed, half random, so a fleet of boxes that
    lost the network together does not come back in lockstep, yet no retry is immediate.
    """
    if attempt < 0:
        raise ValueError("attempt must be >= 0")
    step = min(max_s, base_s * 2.0 ** min(attempt, 32))
    return step / 2 + rng.uniform(0, step / 2)
