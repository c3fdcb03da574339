"""Dossier references as the organisation numbers them, one spelling per dossier.

The standing choice of a dossier is found by its reference, so a variant spelling (full-width
digits, a zero-width or bidi character pasted from a mail) must either become the same reference
or be refused: it must never quietly miss the client's standing "no"."""

from __future__ import annotations

import re
import unicodedata


class DossierRefError(ValueError):
    """The reference cannot be used; the message says why, for the worker."""


def normalise_dossier_ref(raw: str, pattern: str) -> str:
    """NFKC, trimmed, upper case, and matching the organisation's `pattern`; else refused."""
    text = unicodedata.normalize("NFKC", raw).strip()
    hidden = sorted({f"U+{ord(c):04X}" for c in text if unicodedata.category(c)[0] == "C"
                     or unicodedata.category(c) in ("Zl", "Zp")})
    if hidden:
        raise DossierRefError(f"the dossier reference holds invisible or control characters ({', '.join(hidden)}); type it again")
    ref = text.upper()
    if not ref or len(ref) > 64:
        raise DossierRefError("dossier reference must be 1 to 64 characters")
    if not re.fullmatch(pattern, ref):
        raise DossierRefError(f"dossier reference {ref!r} does not follow this organisation's numbering")
    return ref
