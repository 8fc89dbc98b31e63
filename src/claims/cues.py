"""Cue words from `models/cues.json`, compiled once, found with token awareness.

Single-character cues (买, 未, 各, 将, 其) count only where the segmenter made them a
word of their own, so 未 in 未来 or 各 in 各地 never fires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from .resources import load_json
from .segment import Tokens


# never changed once made, but not frozen: a frozen class's __init__ sets each field
# through object.__setattr__, five times slower, and tens of thousands are made per MB
@dataclass(slots=True, unsafe_hash=True)
class Cue:
    start: int
    end: int
    word: str
    label: str


class CueSet:
    """One family of cue words (e.g. negations), optionally labelled per word."""

    def __init__(
        self, labelled: dict[str, str], single: str = "whole", words_start: bool = False
    ) -> None:
        self.labels = labelled
        self.single = single
        self.words_start = words_start
        words = sorted(labelled, key=len, reverse=True)
        # stdlib `re`: a third faster than `regex` on these literal alternations
        self.pattern = re.compile("|".join(map(re.escape, words))) if words else None

    def find(self, text: str, lo: int, hi: int, tokens: Tokens | None = None) -> list[Cue]:
        if self.pattern is None or hi <= lo or not self.pattern.search(text, lo, hi):
            return []  # the common case (most clauses hold no cue), without an iterator
        found = []
        for m in self.pattern.finditer(text, lo, hi):
            if tokens is not None and not self._aligned(m.start(), m.end(), tokens):
                continue
            found.append(Cue(m.start(), m.end(), m.group(), self.labels[m.group()]))
        return found

    def _aligned(self, start: int, end: int, tokens: Tokens) -> bool:
        """Single characters must be words of their own, or (by family policy) begin
        ("各有") or end ("先买") a word; longer cues, where the family asks, must start a
        word (单价 is no per-unit price inside 订单价值)."""
        if end - start > 1:
            return not self.words_start or tokens.is_start(start)
        if self.single == "head":
            return tokens.is_start(start)
        if self.single == "tail":
            return tokens.is_end(end)
        return tokens.aligned(start, end)

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
    awarded_orders: CueSet
    distributive: CueSet
    joint: CueSet
    pronouns: CueSet
    unnamed_heads: CueSet
    unnamed_modified: CueSet
    self_made: CueSet
    denials: CueSet
    comparisons: CueSet
    changes: CueSet
    passive: CueSet
    former_latter: CueSet
    recipient_frames: tuple[tuple[str, str], ...]
    coordinators: tuple[str, ...]
    raw: dict[str, Any]


@cache
def load_cues() -> Cues:
    data = load_json("cues.json")
    return Cues(
        predicates=CueSet(_grouped(data["predicates"]), single="tail"),
        plan=CueSet(_flat(data["plan_markers"], "plan")),
        value_nouns=CueSet(_flat(data["value_nouns"], "value")),
        anaphoric_purchase=CueSet(_flat(data["anaphoric_purchase"], "anaphoric")),
        breakdown=CueSet(_flat(data["breakdown_markers"], "breakdown")),
        demonstratives=CueSet(_flat(data["demonstratives"], "demonstrative")),
        exclusions=CueSet(_grouped(data["exclusions"])),
        per_unit=CueSet(_flat(data["per_unit_markers"], "per_unit"), words_start=True),
        negations=CueSet(_flat(data["negations"], "negation")),
        hypotheticals=CueSet(_flat(data["hypotheticals"], "hypothetical")),
        sellers=CueSet(_flat(data["seller_markers"], "seller"), single="tail"),
        counterparties=CueSet(_flat(data["counterparty_markers"], "counterparty"), single="tail"),
        counterparty_verbs=CueSet(_flat(data["counterparty_verbs"], "counterparty_verb")),
        recipients=CueSet(_flat(data["recipient_markers"], "recipient")),
        awarded_orders=CueSet(_flat(data["awarded_order_nouns"], "order")),
        distributive=CueSet(_flat(data["distributive"], "distributive"), single="head"),
        joint=CueSet(_flat(data["joint"], "joint")),
        pronouns=CueSet(_flat(data["pronouns"], "pronoun")),
        unnamed_heads=CueSet(_flat(data["unnamed_buyer_heads"], "unnamed")),
        unnamed_modified=CueSet(
            {
                m + h: "unnamed"
                for m in data["unnamed_modifiers"]
                for h in data["unnamed_modified_heads"]
            }
        ),
        self_made=CueSet(_flat(data["self_made"], "self_made")),
        denials=CueSet(_flat(data["denials"], "denial")),
        comparisons=CueSet(_flat(data["comparison_markers"], "comparison"), single="head"),
        changes=CueSet(_flat(data["change_words"], "change")),
        passive=CueSet(_flat(data["passive_markers"], "passive"), single="head"),
        former_latter=CueSet(data["former_latter"]),
        recipient_frames=tuple(tuple(pair) for pair in data["recipient_frames"]),  # type: ignore[misc]
        coordinators=tuple(data["coordinators"]),
        raw=data,
    )
