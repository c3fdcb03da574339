"""Dutch number words: read them ("zevenhonderdvijftig" -> 750) and write them as digits.

Reading follows the evaluation scorer's rules so the engine and the scorer agree on what a
turn said. Writing leaves alone what digits would make less exact: the article "een",
clock times ("om vier uur" may be 4 or 16 h) and small ordinals ("de tweede afspraak").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

UNITS = {
    "nul": 0, "een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6,
    "zeven": 7, "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12, "dertien": 13,
    "veertien": 14, "vijftien": 15, "zestien": 16, "zeventien": 17, "achttien": 18,
    "negentien": 19,
}
TENS = {
    "twintig": 20, "dertig": 30, "veertig": 40, "vijftig": 50, "zestig": 60,
    "zeventig": 70, "tachtig": 80, "negentig": 90,
}
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")
WORD_RE = re.compile(r"[0-9A-Za-zÀ-ÿ]+")
_CLOCK_BEFORE = {"om", "tot", "vanaf", "rond", "tegen", "half", "kwart", "na", "voor"}


@lru_cache(maxsize=8192)
def cardinal(word: str) -> int | None:
    """A Dutch cardinal number word ("drieëntwintig", "twaalfhonderdtachtig") as an int, else None."""
    word = word.lower()
    if word in UNITS:
        return UNITS[word]
    if word in TENS:
        return TENS[word]
    for big, factor in (("duizend", 1000), ("honderd", 100)):
        head, sep, tail = word.partition(big)
        if sep:
            left = 1 if head == "" else cardinal(head)
            right = 0 if tail == "" else cardinal(tail)
            if left is None or right is None or (tail and right >= factor):
                return None
            return left * factor + right
    for joiner in ("ën", "en"):
        for tens_word, tens_value in TENS.items():
            if word.endswith(joiner + tens_word):
                unit = word[: -len(joiner + tens_word)]
                if unit in UNITS and 1 <= UNITS[unit] <= 9:
                    return tens_value + UNITS[unit]
    return None


@lru_cache(maxsize=8192)
def ordinal(word: str) -> int | None:
    """A Dutch ordinal ("achtentwintigste", "derde") as an int, else None."""
    word = word.lower()
    special = {"eerste": 1, "derde": 3, "achtste": 8}
    if word in special:
        return special[word]
    for suffix in ("ste", "de"):
        if word.endswith(suffix):
            value = cardinal(word[: -len(suffix)])
            if value is not None:
                return value
    return None


def _combine(previous: int, value: int, token: str) -> int | None:
    """The value of two adjacent number words read as one number, or None if they are two."""
    if token in ("honderd", "duizend") and previous < value:
        return previous * value  # "twee duizend"
    if previous % 100 == 0 and previous >= 100 and value < previous and value < 1000 \
            and (previous % 1000 == 0 or value < 100):
        return previous + value  # "tweeduizend drieëntwintig", "duizend vijftig"
    return None


def numbers_in(text: str) -> set[int]:
    """Every number a text says, in words or digits ("2.670" and "tweeduizend zeshonderdzeventig" alike).

    "een" counts as 1: a source that says "een" may have meant the number.
    """
    text = unicodedata.normalize("NFC", text.lower())
    text = re.sub(r"(?<=\d)[.,](?=\d{3}\b)", "", text)
    found: set[int] = set()
    previous: int | None = None
    last_end = 0
    for match in WORD_RE.finditer(text):
        token = match.group()
        adjacent = text[last_end:match.start()].isspace()
        last_end = match.end()
        value = int(token) if token.isdigit() else cardinal(token)
        if value is None:
            value = ordinal(token)
            if value is None and (digits := re.fullmatch(r"(\d+)(ste|de|e|u|h)", token)):
                value = int(digits.group(1))
        if value is None:
            previous = None
            continue
        if previous is not None and adjacent:
            joined = _combine(previous, value, token)
            if joined is not None:
                found.discard(previous)
                found.add(joined)
                previous = joined
                continue
        found.add(value)
        previous = value
    return found


def _keep_as_words(tokens: list[str], index: int, end: int) -> bool:
    """Number words that stay words: 'een' the article, clock times, and 'één' outside dates."""
    word = tokens[index].lower()
    after = tokens[end + 1].lower() if end + 1 < len(tokens) else ""
    before = tokens[index - 1].lower() if index > 0 else ""
    if word in ("een", "één") and index == end:
        return after not in MONTHS
    if after == "uur" and before in _CLOCK_BEFORE:
        return True
    return before == "half"


def to_digits(text: str) -> str:
    """Write cardinal number words as digits: "tweeduizend zeshonderdzeventig euro" -> "2670 euro"."""
    matches = list(WORD_RE.finditer(text))
    tokens = [m.group() for m in matches]
    pieces: list[str] = []
    cursor = 0
    i = 0
    while i < len(matches):
        value = cardinal(tokens[i])
        if value is None:
            value_ord = ordinal(tokens[i])
            if value_ord is not None and value_ord >= 20:
                pieces.append(text[cursor:matches[i].start()])
                pieces.append(f"{value_ord}ste")
                cursor = matches[i].end()
            i += 1
            continue
        end = i
        total = value
        while end + 1 < len(matches) and text[matches[end].end():matches[end + 1].start()].isspace():
            nxt = cardinal(tokens[end + 1])
            if nxt is None:
                break
            joined = _combine(total, nxt, tokens[end + 1].lower())
            if joined is None:
                break
            total, end = joined, end + 1
        if not _keep_as_words(tokens, i, end):
            pieces.append(text[cursor:matches[i].start()])
            pieces.append(str(total))
            cursor = matches[end].end()
        i = end + 1
    pieces.append(text[cursor:])
    return "".join(pieces)
