"""Tag organisations, products and sources in a document's normalised text.

Lexicon hits and model-number patterns are resolved longest-first; adjacent product
mentions are then merged into product phrases ("英伟达Hopper芯片", "GB200和GB300芯片",
"CANN生态设备") so that a claim names the most specific product and its vendor.
Latin names introduced by a descriptor ("沙特AI企业HUMAIN") become organisations for
the whole document even when the lexicon does not know them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import chain

import regex

from .amounts import grammar
from .lexicon import Entry, Hit, Lexicon, is_cjk_only
from .normalize import fold_case
from .resources import load_json
from .segment import Tokens

PRODUCT_JOINERS = ("", " ", "和", "及", "与", "、", "/", "以及")
VENDOR_TYPES = frozenset({"chip_vendor", "automaker"})


@dataclass(slots=True)
class Mention:
    """An organisation, product (phrase) or source in the text, with its entry."""

    kind: str  # "org" | "product" | "source"
    start: int
    end: int
    entry: Entry
    rule: str
    vendor: str | None = None
    name: str = ""
    parts: list[Entry] = field(default_factory=list)
    # the mentions a phrase was merged from (GB200和GB300芯片), for 前者/后者
    members: list[Mention] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.name:
            self.name = self.entry.name
        if self.vendor is None:
            self.vendor = self.entry.vendor

    @property
    def id(self) -> str | None:
        return self.entry.id

    @property
    def level(self) -> int:
        return max([self.entry.level, *(p.level for p in self.parts)])

    @property
    def cls(self) -> str | None:
        return self.entry.cls


@dataclass(slots=True)
class Tagged:
    """All mentions of one document, sorted by position."""

    orgs: list[Mention]
    products: list[Mention]
    sources: list[Mention]
    # start offsets of each kind, for bisection: a long document has many mentions and
    # every sentence asks for its own
    _starts: dict[str, list[int]] = field(default_factory=dict, init=False, repr=False)

    def _pool(self, kind: str) -> tuple[list[Mention], list[int]]:
        pool = self.orgs if kind == "org" else self.products if kind == "product" else self.sources
        starts = self._starts.get(kind)
        if starts is None or len(starts) != len(pool):
            pool.sort(key=lambda m: m.start)
            starts = self._starts[kind] = [m.start for m in pool]
        return pool, starts

    def within(self, kind: str, start: int, end: int) -> list[Mention]:
        """Mentions of *kind* lying inside text[start:end], in order."""
        pool, starts = self._pool(kind)
        lo = bisect_left(starts, start)
        hi = bisect_left(starts, end, lo)
        return [m for m in pool[lo:hi] if m.end <= end]

    def window(self, lo: int, hi: int) -> Tagged:
        """The mentions starting in text[lo:hi]: what linking one sentence may look at,
        so that its cost does not grow with the length of the document."""
        parts, bounds = [], {}
        for kind in ("org", "product", "source"):
            pool, starts = self._pool(kind)
            first, last = bisect_left(starts, lo), bisect_left(starts, hi)
            parts.append(pool[first:last])
            bounds[kind] = starts[first:last]
        window = Tagged(*parts)
        window._starts = bounds  # already sorted: no need to sort the slices again
        return window

    def last_before(self, kind: str, position: int) -> Mention | None:
        """The last mention of *kind* ending at or before *position* (mentions barely
        overlap, so the walk back from the bisection point is short)."""
        pool, starts = self._pool(kind)
        for index in range(bisect_left(starts, position) - 1, -1, -1):
            if pool[index].end <= position:
                return pool[index]
        return None


@cache
def _cue_data() -> dict:
    return load_json("cues.json")


@cache
def _descriptor_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    cues = _cue_data()
    descriptors = "|".join(map(re.escape, sorted(cues["org_descriptors"], key=len, reverse=True)))
    suffixes = "|".join(map(re.escape, sorted(cues["org_suffixes"], key=len, reverse=True)))
    name = r"([A-Z][A-Za-z0-9&\-]*[A-Za-z0-9]|[A-Z]{2,})"
    # stdlib `re`: three times faster than `regex` on these plain patterns, run over
    # every document
    before = re.compile(rf"(?:{descriptors})\s?{name}(?![A-Za-z0-9])")
    after = re.compile(rf"(?<![A-Za-z0-9]){name}\s?(?:{suffixes})")
    return before, after


def descriptor_orgs(text: str, lexicon: Lexicon) -> set[str]:
    """Latin names that the text itself introduces as organisations."""
    stop = _latin_non_names()
    before, after = _descriptor_patterns()
    names: set[str] = set()
    for m in chain(before.finditer(text), _at_capitals(after, text)):
        name = m.group(1)
        if name.casefold() in stop or len(name) < 2:
            continue
        if any(True for _ in lexicon.scan_patterns(name)):
            continue
        names.add(name)
    return names


@cache
def _latin_non_names() -> frozenset[str]:
    return frozenset(w.casefold() for w in _cue_data()["latin_non_names"])


_CAPITAL = re.compile("[A-Z]")


def _at_capitals(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)` for a pattern that opens with a capital not preceded by
    a Latin letter or digit, tried only at such capitals (four times faster: the engine
    cannot skip ahead to them on its own)."""
    resume = 0
    for capital in _CAPITAL.finditer(text):
        at = capital.start()
        if at < resume or (at and text[at - 1].isascii() and text[at - 1].isalnum()):
            continue
        m = pattern.match(text, at)
        if m:
            yield m
            resume = m.end()


def tag(
    text: str,
    lexicon: Lexicon,
    tokens_at: Callable[[int], Tokens | None] | None = None,
    model_hits: Sequence[Hit] = (),
    hits: list[Hit] | None = None,
    verdicts: dict[int, bool] | None = None,
) -> Tagged:
    """Tag the normalised *text* of one document.

    *tokens_at(offset)* returns the token boundaries of the sentence holding *offset*
    when that sentence was segmented; CJK-only names must align with them.
    *model_hits* (the NER model's spans) are added where no lexicon hit overlaps them.
    *hits*, when given, are this text's `lexicon_hits` from an earlier pass, and
    *verdicts* remembers their word-edge tests from one pass to the next.
    """
    if hits is None:
        hits = lexicon_hits(text, lexicon)
    on_edges = None if tokens_at is None else _edge_test(text, tokens_at, verdicts)
    if model_hits:
        from .ner import merge

        if tokens_at is not None and on_edges is not None:
            # the model's spans, too, must start and end on word boundaries (东南亚航司 is
            # no "亚航司", 印度航空公司掀订单潮 no "印度航空公司掀"); the lexicon hits they
            # meet decide what the model may add, so those are tested now
            model_hits = [h for h in model_hits if _on_word_edges(h, tokens_at)]
            hits = [h for h in hits if not _meets(h, model_hits) or on_edges(h)]
        hits = merge(hits, model_hits)
    kept = _resolve_overlaps(hits, on_edges)
    orgs, products, sources = [], [], []
    for hit in kept:
        by_category = {e.category: e for e in reversed(hit.entries)}
        if "product" in by_category:
            products.append(
                Mention("product", hit.start, hit.end, by_category["product"], hit.rule)
            )
        elif "org" in by_category:
            orgs.append(Mention("org", hit.start, hit.end, by_category["org"], hit.rule))
            if "source" in by_category:
                sources.append(
                    Mention("source", hit.start, hit.end, by_category["source"], hit.rule)
                )
        else:
            sources.append(Mention("source", hit.start, hit.end, by_category["source"], hit.rule))
    orgs = _without_appositions(text, [_government_body(text, o) for o in orgs])
    products = _product_phrases(text, products, orgs, lexicon)
    # a vendor inside a product phrase (英伟达Hopper芯片) is part of the product; phrases
    # do not overlap, so the one starting last before an organisation is the only candidate
    phrase_starts = [p.start for p in products]

    def in_phrase(org: Mention) -> bool:
        index = bisect_right(phrase_starts, org.start) - 1
        return index >= 0 and org.end <= products[index].end

    orgs = [o for o in orgs if not in_phrase(o)]
    return Tagged(orgs, products, sources)


def lexicon_hits(text: str, lexicon: Lexicon) -> list[Hit]:
    """The lexicon's names, model numbers and descriptor-introduced names in *text*,
    overlapping (`tag` keeps those on word edges and resolves the overlaps)."""
    folded = fold_case(text)
    hits = list(lexicon.scan(folded)) + list(lexicon.scan_patterns(text))
    for name in descriptor_orgs(text, lexicon):
        entry = Entry("org", None, name, "company")
        for m in regex.finditer(rf"(?<![A-Za-z0-9]){regex.escape(name)}(?![A-Za-z0-9])", text):
            hits.append(Hit(m.start(), m.end(), (entry,), "descriptor"))
    return hits


# characters a ministry's name may hold between a country and its suffix (韩国科学技术信息通信部)
_BODY_NAME_CHARS = 10


@cache
def _body_pattern() -> regex.Pattern[str]:
    suffixes = sorted(_cue_data()["government_body_suffixes"], key=len, reverse=True)
    stop = _cue_data()["government_body_stop_chars"]
    return regex.compile(
        rf"[\p{{Han}}--[{stop}]]{{0,{_BODY_NAME_CHARS}}}?"
        rf"(?:{'|'.join(map(regex.escape, suffixes))})",
        regex.VERSION1,
    )


def possible_org_ends(hits: Sequence[Hit]) -> set[int]:
    """Every offset where an organisation tagged from *hits* may end: an organisation
    hit's end, and for a government, any point its ministry's name may reach
    (`_government_body`). A superset, for decisions taken before tagging."""
    reach = _BODY_NAME_CHARS + max(map(len, _cue_data()["government_body_suffixes"]))
    ends: set[int] = set()
    for hit in hits:
        for entry in hit.entries:
            if entry.category == "org":
                ends.add(hit.end)
                if entry.type == "government":
                    ends.update(range(hit.end, hit.end + reach + 1))
    return ends


def _government_body(text: str, org: Mention) -> Mention:
    """韩国 + 科学技术信息通信部: a country name opening a ministry's name becomes
    that ministry (a government buyer or speaker the lexicon need not list)."""
    if org.entry.type != "government" or org.entry.name.endswith(("政府", "部", "局")):
        return org
    m = _body_pattern().match(text, org.end)
    if not m or m.end() == org.end:
        return org
    name = org.entry.name + text[org.end : m.end()]
    entry = Entry("org", None, name, "government", en=None)
    return Mention("org", org.start, m.end(), entry, "government-body")


def _without_appositions(text: str, orgs: list[Mention]) -> list[Mention]:
    """空中巴士（Airbus）/ 九龙巴士（九巴）: a name in brackets right after another
    is the same organisation's other name, not a second party."""
    kept: list[Mention] = []
    for org in orgs:
        previous = kept[-1] if kept else None
        if (
            previous is not None
            and text[previous.end : org.start] in ("（", "(")
            and text[org.end : org.end + 1] in ("）", ")")
        ):
            continue
        kept.append(org)
    return kept


def retag(
    first: Tagged,
    text: str,
    lexicon: Lexicon,
    tokens_at: Callable[[int], Tokens | None] | None,
    model_hits: Sequence[Hit],
    hits: list[Hit],
    verdicts: dict[int, bool] | None = None,
) -> Tagged:
    """`tag` with the model's hits, given the lexicon pass's mentions (*first*): only the
    lines the model's hits fall on are tagged again. Everything `tag` joins (overlaps,
    product phrases, appositions, a country and its ministry) lies within one line, so
    the other lines keep their mentions; a line is widened over any hit or mention that
    reaches past it."""
    spans = [(h.start, h.end) for h in hits] + [
        (m.start, m.end) for pool in (first.orgs, first.products, first.sources) for m in pool
    ]
    ranges = _merged(
        [(text.rfind("\n", 0, h.start) + 1, _line_end(text, h.end)) for h in model_hits]
    )
    while True:  # widen over spans crossing a range's edge
        starts = [lo for lo, _ in ranges]
        crossing = [(a, b) for a, b in spans if _crosses(a, b, starts, ranges)]
        if not crossing:
            break
        ranges = _merged(ranges + crossing)

    def inside(position: int) -> bool:
        index = bisect_right(starts, position) - 1
        return index >= 0 and position < ranges[index][1]

    local_hits = [h for h in hits if inside(h.start)]
    local = tag(text, lexicon, tokens_at, model_hits, local_hits, verdicts)
    kept = (
        sorted([m for m in pool if not inside(m.start)] + new, key=lambda m: m.start)
        for pool, new in (
            (first.orgs, local.orgs),
            (first.products, local.products),
            (first.sources, local.sources),
        )
    )
    return Tagged(*kept)


def _crosses(a: int, b: int, starts: list[int], ranges: list[tuple[int, int]]) -> bool:
    """Does [a, b) overlap one of the sorted, disjoint *ranges* without lying inside it?"""
    index = bisect_right(starts, a) - 1  # the range starting at or before a
    if index >= 0 and a < ranges[index][1]:
        return b > ranges[index][1]  # starts inside it: crosses if it ends past it
    following = index + 1  # a lies between ranges: crosses if it reaches the next one
    return following < len(ranges) and b > ranges[following][0]


def _line_end(text: str, position: int) -> int:
    end = text.find("\n", position)
    return len(text) if end < 0 else end


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _edge_test(
    text: str, tokens_at: Callable[[int], Tokens | None], verdicts: dict[int, bool] | None
) -> Callable[[Hit], bool]:
    """Does a hit stand on word edges (`_aligned`)? Asked of nearly every hit of a
    document, most of them in sentences never segmented, so the answers are remembered
    in *verdicts* (by hit id: the hits live on from one pass to the next) and the
    common answers are given without a further call."""
    verdicts = {} if verdicts is None else verdicts

    def on_edges(hit: Hit) -> bool:
        if hit.rule != "lexicon":
            return True
        verdict = verdicts.get(id(hit))
        if verdict is None:
            tokens = tokens_at(hit.start)
            verdict = verdicts[id(hit)] = (
                tokens is None
                or not is_cjk_only(text[hit.start : hit.end])
                or _aligned_in(hit, text, tokens)
            )
        return verdict

    return on_edges


def _meets(hit: Hit, others: Sequence[Hit]) -> bool:
    return any(o.start < hit.end and hit.start < o.end for o in others)


def _on_word_edges(hit: Hit, tokens_at: Callable[[int], Tokens | None]) -> bool:
    tokens = tokens_at(hit.start)
    return tokens is None or tokens.aligned(hit.start, hit.end)


def _aligned_in(hit: Hit, text: str, tokens: Tokens) -> bool:
    """Does a CJK-only lexicon name start and end on word boundaries of its sentence?"""
    if tokens.aligned(hit.start, hit.end):
        return True
    # jieba glues a classifier to its noun (20|架飞机, 1万|台服务器): the name still
    # stands when only classifiers precede it inside its word
    if not tokens.is_end(hit.end):
        return False
    lead = hit.start
    while lead > 0 and text[lead - 1] in grammar().classifiers and not tokens.is_start(lead):
        lead -= 1
    return lead < hit.start and tokens.is_start(lead)


def _resolve_overlaps(hits: list[Hit], on_edges: Callable[[Hit], bool] | None = None) -> list[Hit]:
    """Keep the longest hits; on equal length prefer lexicon entries over patterns.
    With *on_edges*, a hit must also pass it; it is asked only of hits that no longer
    hit has covered (so the costly word-edge test runs for the hits that can win)."""
    rank = {"lexicon": 0, "pattern": 1, "descriptor": 2, "model": 3}
    ordered = sorted(hits, key=lambda h: (-(h.end - h.start), rank[h.rule], h.start))
    taken = bytearray(max((h.end for h in hits), default=0))
    kept = []
    for hit in ordered:
        if any(taken[hit.start : hit.end]):
            continue
        if on_edges is not None and not on_edges(hit):
            continue
        taken[hit.start : hit.end] = b"\x01" * (hit.end - hit.start)
        kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


_LATIN_MODIFIER = regex.compile(r"([A-Za-z][A-Za-z0-9\-]*)\s?(?:生态|架构|系列|平台)?$")


def _product_phrases(
    text: str, products: list[Mention], orgs: list[Mention], lexicon: Lexicon
) -> list[Mention]:
    """Merge adjacent product mentions (and a vendor right before them) into phrases."""
    phrases: list[list[Mention]] = []
    for mention in products:
        if phrases:
            last = phrases[-1][-1]
            gap = text[last.end : mention.start]
            if gap in PRODUCT_JOINERS and not (gap and last.level == 1 and mention.level == 1):
                phrases[-1].append(mention)
                continue
        phrases.append([mention])
    org_by_end = {o.end: o for o in orgs}
    merged = []
    for group in phrases:
        head = max(group, key=lambda m: (m.level, -m.start))
        start, end = group[0].start, group[-1].end
        vendor = head.vendor or next((m.vendor for m in group if m.vendor), None)
        name = head.name
        before = start - 1 if text[start - 1 : start] == " " else start
        vendor_org = org_by_end.get(start) or org_by_end.get(before)
        if vendor_org is not None and (
            vendor_org.id == vendor or (head.level == 1 and vendor_org.entry.type in VENDOR_TYPES)
        ):
            start = vendor_org.start
            vendor = vendor or vendor_org.id
            if head.level == 1:
                name = vendor_org.name + head.name
        elif head.level == 1:
            m = _LATIN_MODIFIER.search(text, max(0, start - 20), start)
            if m and m.end() == start:
                start = m.start()
                name = text[start:end]
            elif vendor:
                name = (lexicon.vendor_name(vendor) or "") + head.name
        parts = [m.entry for m in group]
        merged.append(
            Mention("product", start, end, head.entry, head.rule, vendor, name, parts, group)
        )
    return merged
