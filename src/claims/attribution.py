"""Attribution: who the text credits for a figure (据 Omdia 估计, 知情人士称, X表示).

An attribution covers the rest of its sentence (across commas and semicolons) and,
when it trails a clause, the amounts before it. A following sentence inherits it only
when it says it continues the report (报告还…, 该机构同时…). Speakers are named from
the source lexicon first, then anonymous sources (知情人士), organisations, quoted
names, anaphora (该机构 → the last source named) and short person names (马斯克).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import regex

from .resources import load_json
from .segment import Tokens
from .sentences import CLAUSE_BREAKS
from .tagger import Mention, Tagged

_QUOTED = regex.compile(r"[“「『《\"]([^”」』》\"]{1,30})[”」』》\"]")
_TIME_WORDS = regex.compile(
    r"(?:\d+月)?\d+日|周[一二三四五六日天]|星期.|今年|去年|今天|昨天|日前|近日|随后|此前|当天|当日|同日|"
    r"同步|还|也|亦|又|则|曾|已|同时|再次|进一步|早前|更早之前|晚间|上午|下午|在.{0,12}上"
)
_MAX_PERSON = 8
_PERSON = regex.compile(r"[\p{Han}A-Za-z·\. ]+")
_LOCATIVE = regex.compile(r"在[^，,：:]{1,24}?(?:上|中|期间|时|里|内|前|后)")


@dataclass(slots=True)
class Attribution:
    """One attribution in a sentence: the credited name, its phrase, and its reach."""

    name: str | None
    text: str
    start: int
    end: int
    kind: str  # "prefix" | "verb" | "reported" | "rumour" | "carried"
    speaker_orgs: list[Mention] = field(default_factory=list)


@cache
def _cues() -> dict:
    return load_json("cues.json")["attribution"]


def _alternation(words: list[str]) -> str:
    return "|".join(map(regex.escape, sorted(words, key=len, reverse=True)))


@cache
def _patterns() -> dict[str, regex.Pattern[str] | re.Pattern[str]]:
    cues = _cues()
    return {
        "prefix": regex.compile(rf"\s*(?:{_alternation(cues['prefixes'])})"),
        "tail": regex.compile(rf"(?:{_alternation(cues['prefix_tails'])})\s*$"),
        "verb": re.compile(_alternation(cues["verbs"])),
        "anonymous": re.compile(_alternation(cues["anonymous"])),
        "anaphora": re.compile(_alternation(cues["anaphora"])),
        # （钜亨网记者台北报导）: a dateline names the outlet, not the source of a figure
        "dateline": regex.compile(
            rf"\s*[（(【\[][^）)】\]]{{0,30}}(?:{_alternation(cues['dateline_words'])})"
            r"[^）)】\]]{0,8}[）)】\]]"
        ),
        "reported": re.compile(_alternation(cues["reported"])),
        "rumour": re.compile(_alternation(cues["rumour"])),
        "continuation": regex.compile(rf"\s*(?:{_alternation(cues['continuation'])})"),
        # any word that can open an attribution: sentences without one skip the search
        # (plain alternations of words run on stdlib `re`, twice as fast as `regex` here)
        "trigger": re.compile(
            _alternation(cues["prefixes"] + cues["verbs"] + cues["reported"] + cues["rumour"])
        ),
    }


def _clause_start(text: str, lo: int, pos: int) -> int:
    i = pos
    while i > lo and text[i - 1] not in CLAUSE_BREAKS:
        i -= 1
    return i


_CLAUSE_BREAK = re.compile("[" + re.escape("".join(sorted(CLAUSE_BREAKS))) + "]")


def _clause_end(text: str, pos: int, hi: int) -> int:
    """The first clause break in text[pos:hi], or hi (one search, not a loop in Python)."""
    if pos >= hi:
        return pos
    found = _CLAUSE_BREAK.search(text, pos, hi)
    return found.start() if found else hi


class Attributor:
    """Finds attributions sentence by sentence, remembering the last named source."""

    def __init__(self, text: str, tagged: Tagged) -> None:
        self.text = text
        self.tagged = tagged
        self.last_name: str | None = None
        self.last_end = 0  # where the last named attribution ended
        self.previous: list[Attribution] = []

    def sentence(self, start: int, end: int, tokens: Tokens | None) -> list[Attribution]:
        """All attributions of the sentence text[start:end], in order."""
        p = _patterns()
        text = self.text
        found: list[Attribution] = []
        if p["trigger"].search(text, start, end):
            self._search(start, end, tokens, found)
        found.sort(key=lambda a: a.start)
        if not found and self.previous and p["continuation"].match(text, start, end):
            last = self.previous[-1]
            found = [Attribution(last.name, last.text, start, start, "carried", last.speaker_orgs)]
        for a in found:
            if a.name:
                self.last_name = a.name
                self.last_end = a.end
        self.previous = found or self.previous
        return found

    def _search(
        self, start: int, end: int, tokens: Tokens | None, found: list[Attribution]
    ) -> None:
        """Reported speech, rumours, 据…prefixes and speaker verbs in text[start:end]."""
        p = _patterns()
        text = self.text
        for m in p["reported"].finditer(text, start, end):
            found.append(Attribution(None, m.group(), m.start(), m.end(), "reported"))
        for m in p["rumour"].finditer(text, start, end):
            found.append(Attribution(m.group(), m.group(), m.start(), m.end(), "rumour"))
        clause_start = start
        while clause_start < end:
            clause_end = _clause_end(text, clause_start, end)
            prefix = p["prefix"].match(text, clause_start, clause_end)
            if prefix:
                chunk = (prefix.end(), clause_end)
                tail = p["tail"].search(text, *chunk)
                named = self._name(chunk[0], tail.start() if tail else chunk[1], person=False)
                if named is not None and not any(a.start <= prefix.start() < a.end for a in found):
                    name, orgs = named
                    found.append(
                        Attribution(
                            name,
                            text[clause_start:clause_end],
                            prefix.start(),
                            clause_end,
                            "prefix",
                            orgs,
                        )
                    )
            clause_start = clause_end + 1
        needing = set(_cues()["verbs_needing_punctuation"])
        for m in p["verb"].finditer(text, start, end):
            verb = m.group()
            after = text[m.end() : m.end() + 1]
            if verb in needing and after not in '，,：:“「"':
                continue
            if len(verb) == 1 and tokens is not None and not tokens.aligned(m.start(), m.end()):
                continue
            if any(a.start <= m.start() < a.end for a in found):
                continue
            chunk_start = _clause_start(text, start, m.start())
            named = self._name(chunk_start, m.start(), person=True)
            if named is None:
                continue
            name, orgs = named
            found.append(
                Attribution(name, text[chunk_start : m.end()], chunk_start, m.end(), "verb", orgs)
            )

    def _name(self, lo: int, hi: int, person: bool) -> tuple[str | None, list[Mention]] | None:
        """Name the speaker in text[lo:hi]; None when nobody is named there."""
        if hi <= lo:
            return None
        text = self.text
        p = _patterns()
        dateline = p["dateline"].match(text, lo, hi)
        if dateline:
            lo = dateline.end()
        at = _LOCATIVE.search(text, lo, hi)
        if at and _TIME_WORDS.sub("", text[lo : at.start()]).strip():
            hi = at.start()  # 马斯克在特斯拉股东大会上表示: the speaker stands before 在
        orgs = self.tagged.within("org", lo, hi)
        sources = self.tagged.within("source", lo, hi)
        orgs = [o for o in orgs if o.entry.type != "government"] + [
            o for o in orgs if o.entry.type == "government"
        ]
        if sources:
            return sources[0].entry.name, orgs
        anonymous = p["anonymous"].search(text, lo, hi)
        if anonymous:
            return anonymous.group(), orgs
        if orgs:
            return orgs[0].entry.name, orgs
        anaphora = p["anaphora"].search(text, lo, hi)
        if anaphora:
            earlier = self.tagged.last_before("source", lo)
            # 该报告/公告 refers back within its paragraph, never across a line break
            named = self.last_name if "\n" not in text[self.last_end : lo] else None
            if earlier is not None and "\n" in text[earlier.end : lo]:
                earlier = None
            named = named or (earlier.entry.name if earlier else None)
            return (named, orgs) if named else None
        quoted = _QUOTED.search(text, lo, hi)
        if quoted:
            return quoted.group(1), orgs
        if person:
            rest = _TIME_WORDS.sub("", text[lo:hi]).strip()
            if 2 <= len(rest) <= _MAX_PERSON and _PERSON.fullmatch(rest):
                return rest, orgs
        return None


def attribution_for(position: int, attributions: list[Attribution]) -> Attribution | None:
    """The attribution covering an amount at *position* within one sentence."""
    before = [a for a in attributions if a.start <= position]
    if before:
        return before[-1]
    return attributions[0] if attributions else None
