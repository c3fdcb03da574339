"""Which template section an utterance belongs to: cue words per section, and the topic the
worker's last question set, which carries over to the answers that follow.
"""

from __future__ import annotations

import re

from appliance.drafting.templates import Template
from appliance.drafting.vocabulary import GENERAL_CUES

TOPIC_WEIGHT = 1.5
"""How much the worker's current topic counts against the answer's own cue words."""


class SectionCues:
    """Scores a text against each section's cue words (explainable: a count of cue hits)."""

    def __init__(self, template: Template) -> None:
        self._phrases: dict[str, list[str]] = {}
        self._words: dict[str, list[str]] = {}
        for section in template.sections:
            cues = [c.lower().strip() for c in (*section.cues, *GENERAL_CUES.get(section.id, ())) if c.strip()]
            self._phrases[section.id] = [c for c in cues if " " in c]
            self._words[section.id] = [c for c in cues if " " not in c]
        self._word_cache: dict[str, list[tuple[str, str]]] = {}
        self.section_ids = tuple(s.id for s in template.sections)

    def _cues_in(self, word: str) -> list[tuple[str, str]]:
        """(section, cue) pairs a word matches; cached, since a conversation reuses its words."""
        found = self._word_cache.get(word)
        if found is None:
            found = [(section_id, cue) for section_id, cues in self._words.items() for cue in cues
                     if word.startswith(cue) or (len(cue) >= 5 and cue in word)]
            self._word_cache[word] = found
        return found

    def score(self, text: str) -> dict[str, float]:
        """Cue hits per section: a phrase counts 2, a word (or a word inside a compound) 1."""
        return {k: v for k, (v, _) in self._hits(text).items()}

    def _hits(self, text: str) -> dict[str, tuple[float, int]]:
        """Per section: (score, position of the first hit). Long compound cues count double."""
        lower = " " + re.sub(r"\s+", " ", text.lower()) + " "
        lower = lower.replace("maatschappelijk werker", " ")  # the worker's title is no topic
        words = re.findall(r"\w+", lower)
        hits: dict[str, tuple[float, int]] = {}
        for section_id, phrases in self._phrases.items():
            total, first = 0.0, len(lower)
            for phrase in phrases:
                at = lower.find(phrase)
                if at >= 0:
                    total, first = total + 2.0, min(first, at)
            if total:
                hits[section_id] = (total, first)
        counted: set[tuple[str, str]] = set()
        for w in words:
            for section_id, cue in self._cues_in(w):
                if (section_id, cue) in counted:
                    continue
                counted.add((section_id, cue))
                total, first = hits.get(section_id, (0.0, len(lower)))
                hits[section_id] = (total + (2.0 if len(cue) >= 9 else 1.0), min(first, lower.find(w)))
        return hits

    def first(self, text: str) -> str | None:
        """The section whose cue comes first in `text` (the focus of a question)."""
        hits = self._hits(text)
        return min(hits, key=lambda s: hits[s][1]) if hits else None

    def best(self, text: str, topic: str | None = None, topic_weight: float = TOPIC_WEIGHT) -> str | None:
        """The best section for `text`, the topic counting `topic_weight`; None when nothing fits."""
        scores = self.score(text)
        if topic is not None:
            scores[topic] = scores.get(topic, 0.0) + topic_weight
        if not scores:
            return None
        # Ties go to the topic, then to the earlier section in the template.
        return max(scores, key=lambda s: (scores[s], s == topic))


_FOLLOW_UP = re.compile(r"(?i)^(en|maar)\s+(de|het|uw|je|jouw)\s+[\w-]+( [\w-]+)?\s*\?$")


_HEDGE_PROBE = re.compile(r"(?i)^(meestal|soms|bijna|bijna altijd|niet altijd|min of meer|een beetje|nog niet helemaal)\s*\?$")
DIFFICULTIES = "knelpunten"
"""The section of what is difficult, where a template has one."""


def is_follow_up(question: str) -> bool:
    """'En de elektriciteit?': a question that names one more thing on the current topic."""
    return _FOLLOW_UP.match(question) is not None


def worker_topic(cues: SectionCues, sentences: list[str], current: str | None) -> str | None:
    """The topic after a worker utterance: its questions and last sentence weigh most; an
    elliptic follow-up after a recap ('580 euro, water inbegrepen. En de elektriciteit?')
    stays on the current topic."""
    if current is not None and len(sentences) > 1 and is_follow_up(sentences[-1]):
        return current
    if sentences and _HEDGE_PROBE.match(sentences[-1]) and DIFFICULTIES in cues.section_ids:
        return DIFFICULTIES  # "Meestal?": the worker asks what lies behind the reservation
    totals: dict[str, float] = {}
    for index, sentence in enumerate(sentences):
        weight = 2.0 if sentence.rstrip().endswith("?") else 1.0
        if index == len(sentences) - 1:
            weight += 1.0
        for section_id, value in cues.score(sentence).items():
            totals[section_id] = totals.get(section_id, 0.0) + weight * value
        focus = cues.first(sentence) if sentence.rstrip().endswith("?") else None
        if focus is not None:
            totals[focus] += 1.0
    if not totals:
        return current
    return max(totals, key=lambda s: totals[s])
