"""Guards against Whisper's known failure modes: repetition loops and text made up from noise."""

from __future__ import annotations

import re

MAX_REPEATS = 3
"""An n-gram repeated back to back more often than this is a decoding loop, not speech."""

_MAX_N = 6


def kept_indices(words: list[str], *, max_repeats: int = MAX_REPEATS) -> list[int]:
    """Indices of `words` left after trimming each over-repeated n-gram run to one occurrence."""
    keep = list(range(len(words)))
    for n in range(1, _MAX_N + 1):
        norm = [_norm(words[k]) for k in keep]
        out: list[int] = []
        i = 0
        while i < len(keep):
            gram = norm[i:i + n]
            j, count = i + n, 1
            while len(gram) == n and norm[j:j + n] == gram:
                count += 1
                j += n
            if count > max_repeats:
                out.extend(keep[i:i + n])
                i = j
            else:
                out.append(keep[i])
                i += 1
        keep = out
    return keep


def collapse_repetitions(text: str, *, max_repeats: int = MAX_REPEATS) -> str:
    """The text with each word n-gram repeated more than `max_repeats` times kept once."""
    words = text.split()
    return " ".join(words[i] for i in kept_indices(words, max_repeats=max_repeats))


def is_loop(words: list[str], *, max_repeats: int = MAX_REPEATS) -> bool:
    """True when the words are mostly one repeated n-gram (less than a third would be kept)."""
    return len(words) >= 8 and len(kept_indices(words, max_repeats=max_repeats)) * 3 < len(words)


def looping_runs(texts: list[str], *, max_repeats: int = MAX_REPEATS) -> set[int]:
    """Indices of the texts in runs of more than `max_repeats` equal texts back to back: a loop
    the model spread over segments of one short sentence each (seen: "Ik weet niet." 24 times
    over the last 27 s of a conversation, where something else was said)."""
    norm = [_norm(text) for text in texts]
    out: set[int] = set()
    i = 0
    while i < len(norm):
        j = i + 1
        while j < len(norm) and norm[j] == norm[i]:
            j += 1
        if j - i > max_repeats and norm[i]:
            out.update(range(i, j))
        i = j
    return out


def _norm(word: str) -> str:
    return re.sub(r"[^\w]", "", word.lower())
