"""The lexicon: organisations, products and sources from `models/lexicon/`, matched
with one Aho–Corasick automaton over normalised, case-folded aliases, plus compiled
model-number patterns for products the lexicon does not list yet."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import ahocorasick_rs
import regex

from .normalize import fold_case, normalize
from .resources import load_json, load_jsonl

LEVELS = {"model": 3, "family": 2, "class": 1}


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon entry: an organisation, a product or a source."""

    category: str  # "org" | "product" | "source"
    id: str | None
    name: str
    type: str | None = None  # org type, source type or product kind
    vendor: str | None = None
    cls: str | None = None
    en: str | None = None

    @property
    def level(self) -> int:
        return LEVELS.get(self.type or "", 0) if self.category == "product" else 0


# never changed once made, but not frozen: a frozen class's __init__ sets each field
# through object.__setattr__, five times slower, and tens of thousands are made per MB
@dataclass(slots=True, unsafe_hash=True)
class Hit:
    """A lexicon or pattern match in normalised text."""

    start: int
    end: int
    entries: tuple[Entry, ...]
    rule: str


def _is_ascii_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "_")


def is_cjk_only(text: str) -> bool:
    return _CJK_ONLY.fullmatch(text) is not None


_CJK_ONLY = re.compile("[\u3400-\u9fff]*")


class Lexicon:
    """All named entities the pipeline knows, with a fast matcher."""

    def __init__(
        self,
        organizations: tuple[dict[str, Any], ...],
        products: tuple[dict[str, Any], ...],
        sources: tuple[dict[str, Any], ...],
        patterns: dict[str, Any],
        exclude: Iterable[str] = (),
    ) -> None:
        """*exclude* lists entry ids to leave out: the held-out names of the NER
        evaluation (`models/ner/heldout.json`) must be unknown to the lexicon."""
        excluded = frozenset(exclude)
        self.excluded = excluded
        self.by_id: dict[tuple[str, str], Entry] = {}
        keys: dict[str, list[Entry]] = {}
        self.aliases: set[str] = set()
        for category, rows in (("org", organizations), ("product", products), ("source", sources)):
            for row in rows:
                if row.get("id") in excluded:
                    continue
                entry = Entry(
                    category=category,
                    id=row.get("id"),
                    name=row["name"],
                    type=row.get("type") or row.get("kind"),
                    vendor=row.get("vendor"),
                    cls=row.get("class"),
                    en=row.get("en"),
                )
                if entry.id:
                    self.by_id[(category, entry.id)] = entry
                for alias in {row["name"], *row.get("aliases", [])}:
                    key = fold_case(normalize(alias.strip()))
                    if len(key) < 2 and not key.isascii():
                        continue
                    if not key:
                        continue
                    keys.setdefault(key, []).append(entry)
                    self.aliases.add(normalize(alias.strip()))
        self._keys = list(keys)
        self._entries = [tuple(keys[key]) for key in self._keys]
        self._latin_head = [_is_ascii_word(key[0]) for key in self._keys]
        self._latin_tail = [_is_ascii_word(key[-1]) for key in self._keys]
        # all matches, overlapping, in one call into Rust (4x faster than pyahocorasick's
        # per-match iteration); `tag` resolves the overlaps
        self.automaton = ahocorasick_rs.AhoCorasick(self._keys)
        self.patterns = [
            (regex.compile(p["pattern"]), p.get("vendor"), p.get("class"), p.get("kind", "model"))
            for p in patterns.get("patterns", [])
        ]

    def entry(self, category: str, entry_id: str | None) -> Entry | None:
        return self.by_id.get((category, entry_id)) if entry_id else None

    def vendor_name(self, vendor_id: str | None) -> str | None:
        entry = self.entry("org", vendor_id)
        return entry.name if entry else None

    def scan(self, folded: str, start: int = 0, end: int | None = None) -> Iterator[Hit]:
        """All alias matches in folded[start:end] with clean ASCII boundaries."""
        end = len(folded) if end is None else end
        region = folded if (start, end) == (0, len(folded)) else folded[start:end]
        latin_head, latin_tail, entries = self._latin_head, self._latin_tail, self._entries
        for index, first, stop in self.automaton.find_matches_as_indexes(region, overlapping=True):
            first, stop = first + start, stop + start
            # a Latin alias must not be part of a longer Latin word (AMD in AMDX)
            if latin_head[index] and first > 0 and _is_ascii_word(folded[first - 1]):
                continue
            if latin_tail[index] and stop < len(folded) and _is_ascii_word(folded[stop]):
                continue
            yield Hit(first, stop, entries[index], "lexicon")

    def scan_patterns(self, text: str, start: int = 0, end: int | None = None) -> Iterator[Hit]:
        """Model numbers (H100, MI325X, 昇腾910B …) found by the product patterns."""
        end = len(text) if end is None else end
        for compiled, vendor, cls, kind in self.patterns:
            for m in compiled.finditer(text, start, end):
                a, b = m.span()
                if a == b:
                    continue
                if a > 0 and _is_ascii_word(text[a - 1]) and _is_ascii_word(text[a]):
                    continue
                if b < len(text) and _is_ascii_word(text[b]) and _is_ascii_word(text[b - 1]):
                    continue
                name = " ".join(m.group().split())
                entry = Entry("product", None, name, kind, vendor, cls)
                yield Hit(a, b, (entry,), "pattern")


@cache
def load_lexicon(exclude: frozenset[str] = frozenset()) -> Lexicon:
    """The process-wide lexicon, loaded once from `models/lexicon/`; *exclude* (entry
    ids) gives a reduced lexicon for evaluating names the lexicon does not know."""
    return Lexicon(
        load_jsonl("lexicon/organizations.jsonl"),
        load_jsonl("lexicon/products.jsonl"),
        load_jsonl("lexicon/sources.jsonl"),
        load_json("lexicon/product_patterns.json"),
        exclude,
    )
