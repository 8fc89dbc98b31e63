"""The period a claim is about: 今年, 去年, 2024年, 第三季度, FY2025, 未来五年 …

Found in the amount's sentence (the nearest expression before the amount, else the
nearest after it) and resolved to a calendar year when the document date is known
(今年 in a story published 2025-03-02 → 2025). All vocabulary is in
`models/periods.json`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import regex

from .resources import load_json


@dataclass(frozen=True, slots=True)
class Period:
    """A time expression in the normalised text and the year it names, if known."""

    start: int
    end: int
    year: int | None
    relative: bool


@cache
def _patterns() -> tuple[regex.Pattern[str], dict[str, int]]:
    data = load_json("periods.json")
    relative = data["relative"]
    words = "|".join(regex.escape(w) for w in sorted(relative, key=len, reverse=True))
    alternatives = [
        *data["absolute"],
        rf"(?P<rel>{words}){data['relative_suffixes']}",
        *data["rolling"],
        *data["bare"],
    ]
    pattern = "|".join(f"(?:{a})" for a in alternatives)
    # group names repeat across alternatives
    return regex.compile(pattern, regex.VERSION1), relative


def find_periods(text: str, lo: int, hi: int, published: date | None = None) -> list[Period]:
    """Every period expression in text[lo:hi] (normalised text)."""
    compiled, relative = _patterns()
    found = []
    for m in compiled.finditer(text, lo, hi):
        if m.start() > 0 and text[m.start() - 1].isdigit():
            continue
        year: int | None = None
        is_relative = False
        if m.group("year"):
            year = int(m.group("year"))
        elif m.group("short"):
            year = 2000 + int(m.group("short"))
        elif m.group("rel"):
            is_relative = True
            year = published.year + relative[m.group("rel")] if published else None
        found.append(Period(m.start(), m.end(), year, is_relative))
    return found


def period_for(
    text: str, lo: int, hi: int, anchor: int, published: date | None = None
) -> Period | None:
    """The period of an amount at *anchor* in the sentence text[lo:hi]."""
    periods = find_periods(text, lo, hi, published)
    before = [p for p in periods if p.end <= anchor]
    if before:
        return before[-1]
    after = [p for p in periods if p.start >= anchor]
    return after[0] if after else None
