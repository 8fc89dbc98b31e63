"""Cue words from `models/cues.json`, compiled once, found with token awareness.

Single-character cues (买, 未, 各, 将, 其) count only where the segmenter made them a
word of their own, so 未 in 未来 or 各 in 各地 never fires.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import regex

from .resources import load_json
from .segment import Tokens


@dataclass(frozen=True, slots=True)
class Cue:
    start: int
    end: int
    word: str
    label: str


class CueSet:
    """One family of cue words (e.g. negations), optionally labelled per word."""

    def __init__(self, labelled: dict[str, str]) -> None:
        self.labels = labelled
        words = sorted(labelled, key=len, reverse=True)
        self.pattern = regex.compile("|".join(map(regex.escape, words))) if words else None

    def find(self, text: str, lo: int, hi: int, tokens: Tokens | None = None) -> list[Cue]:
        if self.pattern is None or hi <= lo:
            return []
        found = []
        for m in self.pattern.finditer(text, lo, hi, overlapped=False):
            if len(m.group()) == 1 and tokens is not None and not tokens.aligned(m.start(), m.end()):
                continue
            found.append(Cue(m.start(), m.end(), m.group(), self.labels[m.group()]))
        return found

    def first(self, text: str, lo: int, hi: int, tokens: Tokens | None = None) -> Cue | None:
        found = self.find(text, lo, hi, tokens)
        return found[0] if found else None


def _flat(words: list[str], label: str = "") -> dict[str, str]:
    return {w: label or w for w in words}


def _grouped(groups: dict[str, list[str]]) -> dict[str, str]:
    return {w: label for label, words in groups.items() for w in words}


@dataclass(frozen=True)
class Cues:
    """Every cue family the linker uses."""

    predicates: CueSet
    plan: CueSet
    value_nouns: CueSet
    anaphoric_purchase: CueSet
    breakdown: CueSet
    demonstratives: CueSet
    exclusions: CueSet
    per_unit: CueSet
    negations: CueSet
    hypotheticals: CueSet
    sellers: CueSet
    counterparties: CueSet
    counterparty_verbs: CueSet
    recipients: CueSet
    distributive: CueSet
    joint: CueSet
    pronouns: CueSet
    unnamed_heads: CueSet
    self_made: CueSet
    recipient_frames: tuple[tuple[str, str], ...]
    coordinators: tuple[str, ...]
    raw: dict[str, Any]


@cache
def load_cues() -> Cues:
    data = load_json("cues.json")
    return Cues(
        predicates=CueSet(_grouped(data["predicates"])),
        plan=CueSet(_flat(data["plan_markers"], "plan")),
        value_nouns=CueSet(_flat(data["value_nouns"], "value")),
        anaphoric_purchase=CueSet(_flat(data["anaphoric_purchase"], "anaphoric")),
        breakdown=CueSet(_flat(data["breakdown_markers"], "breakdown")),
        demonstratives=CueSet(_flat(data["demonstratives"], "demonstrative")),
        exclusions=CueSet(_grouped(data["exclusions"])),
        per_unit=CueSet(_flat(data["per_unit_markers"], "per_unit")),
        negations=CueSet(_flat(data["negations"], "negation")),
        hypotheticals=CueSet(_flat(data["hypotheticals"], "hypothetical")),
        sellers=CueSet(_flat(data["seller_markers"], "seller")),
        counterparties=CueSet(_flat(data["counterparty_markers"], "counterparty")),
        counterparty_verbs=CueSet(_flat(data["counterparty_verbs"], "counterparty_verb")),
        recipients=CueSet(_flat(data["recipient_markers"], "recipient")),
        distributive=CueSet(_flat(data["distributive"], "distributive")),
        joint=CueSet(_flat(data["joint"], "joint")),
        pronouns=CueSet(_flat(data["pronouns"], "pronoun")),
        unnamed_heads=CueSet(_flat(data["unnamed_buyer_heads"], "unnamed")),
        self_made=CueSet(_flat(data.get("self_made", ["自研", "自家", "自主研发", "自行研发", "自有"]),
                               "self_made")),
        recipient_frames=tuple(tuple(pair) for pair in data["recipient_frames"]),  # type: ignore[misc]
        coordinators=tuple(data["coordinators"]),
        raw=data,
    )
