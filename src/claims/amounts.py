"""The amount grammar: find and parse counts and sums of money in Chinese text.

`parse_amount("约48.5万块")` → Amount(value=485000, unit="块", approx=True, …).
Numerals are converted by cn2an (Chinese, Arabic and mixed forms); this module adds
what cn2an leaves out: hedges, ranges, currencies, counting classifiers, English scale
words, thousands separators and vague amounts. All vocabulary comes from
`models/units.json`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import Any

import regex

from .normalize import normalize
from .resources import load_json

Number = int | float

_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CHINESE_DIGITS = "零〇一二两三四五六七八九十百千壹贰叁肆伍陆柒捌玖拾佰仟"
_CHINESE = rf"[{_CHINESE_DIGITS}]+(?:点[零〇一二三四五六七八九]+)?"
_BIG = r"(?:万亿|亿|万)"
_SMALL_SCALE = r"(?:千|百)"


@dataclass(frozen=True, slots=True)
class Amount:
    """A parsed amount. `value` is None for vague amounts (数十万); `currency` is an
    ISO 4217 code for money and None for counts; `low`/`high` hold range bounds and
    one-sided hedges (超过 → low, 最多 → high)."""

    value: Number | None
    unit: str | None
    currency: str | None
    approx: bool = False
    low: Number | None = None
    high: Number | None = None

    @property
    def is_money(self) -> bool:
        return self.currency is not None

    @property
    def is_count(self) -> bool:
        return self.currency is None and self.unit is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "currency": self.currency,
            "approx": self.approx,
            "low": self.low,
            "high": self.high,
        }


# never changed once made, but not frozen: a frozen class's __init__ sets each field
# through object.__setattr__, five times slower, and tens of thousands are made per MB
@dataclass(slots=True, unsafe_hash=True)
class AmountMatch:
    """An amount found in a text, with its [start, end) offsets."""

    start: int
    end: int
    amount: Amount


def _alternation(words: list[str] | dict[str, Any]) -> str:
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


class AmountGrammar:
    """Compiled amount patterns built from `models/units.json`."""

    def __init__(self, units: dict[str, Any]) -> None:
        self.units = units
        self.scales: dict[str, int] = units["scales"]
        self.english_scales: dict[str, int] = units["english_scales"]
        self.classifiers: dict[str, str] = units["classifiers"]
        self.currencies: dict[str, str] = units["currencies"]
        self.hedge_kind = {
            word: kind
            for side in ("hedges_before", "hedges_after")
            for kind, words in units[side].items()
            for word in words
        }
        number = (
            rf"(?:{_ARABIC}|{_CHINESE})(?:多|余)?"
            rf"(?:{_BIG}(?:零?(?:{_ARABIC}|{_CHINESE})(?:{_BIG})?)*|十万|百万|千万|{_SMALL_SCALE})?(?:多|余)?"
        )
        vague = "|".join(units["vague_patterns"])
        english = rf"(?:{_ARABIC})\s?(?:{_alternation(self.english_scales)})(?![A-Za-z])"
        unit = rf"(?:{_alternation(self.currencies)}|{_alternation(self.classifiers)})"
        prefix_currency = _alternation(units["currency_prefixes"])
        separators = _alternation(units["range_separators"])
        before = _alternation(
            units["hedges_before"]["approx"]
            + units["hedges_before"]["lower"]
            + units["hedges_before"]["upper"]
        )
        after = _alternation(
            units["hedges_after"]["approx"]
            + units["hedges_after"]["lower"]
            + units["hedges_after"]["upper"]
        )
        # every character an amount can begin with: a cheap test that lets the engine
        # skip the other positions before trying the full pattern
        first = {w[0] for w in regex.split(r"(?<!\\)\|", before) + units["currency_prefixes"]}
        first |= set(regex.sub(r"[^\p{Han}]", "", "".join(units["vague_patterns"])))
        first |= set(_CHINESE_DIGITS)
        lead = "".join(sorted(first))
        # stdlib `re` (the pattern needs nothing of `regex`) matches it twice as fast
        self.pattern = re.compile(
            rf"""
            (?=[\d{regex.escape(lead, special_only=True)}])
            (?P<hedge>{before})?
            (?P<precur>{prefix_currency})?\s?
            (?:
               (?P<vague>{vague})
             | (?P<first>{english}|{number})
               (?:\s?(?:(?P<lowunit>{unit})\s?)?(?:{separators})\s?(?P<num>{english}|{number}))?
            )
            \s?(?P<unit>{unit})?
            (?P<after>{after})?
            """,
            re.VERBOSE,
        )
        # an amount for a claim carries a unit or a currency: text without any of them
        # (most sentences of a news story) needs no scan with the full pattern
        self.anchor = re.compile(
            rf"{_alternation(self.currencies)}|{_alternation(self.classifiers)}|{prefix_currency}"
        )
        self.english_number = regex.compile(rf"({_ARABIC})({_alternation(self.english_scales)})")
        self.phone = regex.compile("|".join(units["phone_patterns"]))
        self.ordinals = tuple(units["ordinal_prefixes"])

    # -- numbers -----------------------------------------------------------------
    def number_value(self, text: str) -> tuple[Number | None, bool]:
        """Convert one numeral (any script, with scales); return (value, had 多/余)."""
        text = text.replace(",", "").replace(" ", "")
        english = self.english_number.fullmatch(text)
        if english:
            return _tidy(float(english.group(1)) * self.english_scales[english.group(2)]), False
        loose = "多" in text or "余" in text
        text = text.replace("多", "").replace("余", "")
        return _cn_number(text), loose

    # -- amounts -----------------------------------------------------------------
    def from_match(self, m: re.Match[str]) -> Amount | None:
        unit = m.group("unit") or m.group("lowunit")
        precur = m.group("precur")
        currency = self.currencies.get(precur) if precur else None
        if unit in self.currencies:
            currency = currency or self.currencies[unit]
            if unit == "亿元":
                unit = "元"
        elif unit and currency is None and unit not in self.classifiers:
            unit = None
        hedge = m.group("hedge")
        after = m.group("after")
        if m.group("vague"):
            return Amount(None, unit or precur, currency, approx=True)
        high_text = m.group("num")  # a range's second number (its first is the low end)
        value, loose = self.number_value(high_text or m.group("first"))
        if not value:  # None, or 零 read as a numeral (零组件, 零件)
            return None
        if high_text:
            low_text = m.group("first")
            low, _ = self.number_value(low_text)
            if low is None:
                return None
            low = self._share_scale(low, value, low_text, m.group("num"))
            return Amount(low, unit or precur, currency, approx=True, low=low, high=value)
        kinds = {self.hedge_kind.get(h) for h in (hedge, after) if h} - {"emphasis"}
        if loose:
            kinds.add("lower")
        low = value if "lower" in kinds else None
        high = value if "upper" in kinds else None
        return Amount(value, unit or precur, currency, approx=bool(kinds), low=low, high=high)

    def _share_scale(self, low: Number, high: Number, low_text: str, high_text: str) -> Number:
        """`3到5万块`: a bare lower bound borrows the upper bound's scale."""
        if regex.search(r"[万亿千百]|[a-z]", low_text):
            return low
        for word, factor in sorted(self.scales.items(), key=lambda kv: -len(kv[0])):
            if high_text.endswith(word) and low * factor <= high:
                return _tidy(low * factor)
        for word, factor in self.english_scales.items():
            if high_text.endswith(word) and low * factor <= high:
                return _tidy(low * factor)
        return low

    def candidates(
        self, text: str, with_unit: bool = False
    ) -> Iterator[tuple[re.Match[str], Amount]]:
        """Every well-bounded amount in *text*: phone numbers masked; numbers glued to
        digits, to Latin letters (H100) or after an ordinal (第3块) skipped. With
        *with_unit*, bare numbers are dropped before they are parsed (the fast path)."""
        masked = self.phone.sub(lambda m: "#" * len(m.group()), text)
        for m in self.pattern.finditer(masked):
            start = m.start()
            if start == m.end():
                continue
            if with_unit and not (m.group("unit") or m.group("lowunit") or m.group("precur")):
                continue
            before = masked[start - 1] if start > 0 else ""
            if before and (before.isdigit() or before in ".,#点" or before in self.ordinals):
                continue
            if before.isascii() and before.isalpha() and masked[start].isdigit():
                continue  # model numbers such as H100 are not amounts (Anthropic约40万颗 is)
            amount = self.from_match(m)
            if amount is not None:
                yield m, amount

    def yuan_currency(self, text: str) -> str:
        """What a bare 元 means in this document: renminbi, unless the document names
        exactly one other 元 currency (新台币, 港元) and never renminbi."""
        named = {
            code
            for code, words in self.units["bare_yuan"]["explicit"].items()
            if any(word in text for word in words)
        }
        others = named - {"CNY"}
        return others.pop() if len(others) == 1 and "CNY" not in named else "CNY"

    def with_yuan_as(self, matches: list[AmountMatch], text: str, code: str) -> list[AmountMatch]:
        """Re-read the bare-元 amounts of *matches* as *code* (see `yuan_currency`)."""
        if code == "CNY":
            return matches
        explicit = self.units["bare_yuan"]["explicit"]["CNY"]
        result = []
        for m in matches:
            a = m.amount
            surface = text[m.start : m.end]
            if (
                a.currency == "CNY"
                and a.unit in ("元", "亿元")
                and not any(word in surface for word in explicit)
            ):
                m = AmountMatch(m.start, m.end, replace(a, currency=code))
            result.append(m)
        return result

    def find_each(self, text: str, spans: Sequence[tuple[int, int]]) -> list[list[AmountMatch]]:
        """`find` for each of the sorted, disjoint *spans* (the sentences of a text), with
        one scan of the whole text for unit and currency words: a span holding none
        (most sentences) is decided without a search of its own."""
        anchors = [(m.start(), m.end()) for m in self.anchor.finditer(text)]
        found: list[list[AmountMatch]] = []
        i = 0
        for start, end in spans:
            while i < len(anchors) and anchors[i][1] <= start:
                i += 1
            # an anchor inside the span, or one reaching across its edge (then the
            # span's own search decides, as `find` would)
            if i < len(anchors) and anchors[i][0] < end:
                # an anchor inside: no need for `find` to look for one again
                inside = anchors[i][0] >= start and anchors[i][1] <= end
                found.append(self.find(text, start, end, anchored=not inside))
            else:
                found.append([])
        return found

    def find(
        self, text: str, start: int = 0, end: int | None = None, anchored: bool = True
    ) -> list[AmountMatch]:
        """All amounts in text[start:end] (normalised form) that carry a unit or
        currency, with offsets into *text*; bare numbers are not amounts for claims.
        Text without a unit or currency word is skipped unless *anchored* is False."""
        end = len(text) if end is None else end
        if anchored and not self.anchor.search(text, start, end):
            return []
        part = text if (start, end) == (0, len(text)) else text[start:end]
        return [
            AmountMatch(m.start() + start, m.end() + start, amount)
            for m, amount in self.candidates(part, with_unit=True)
        ]


def _tidy(value: float) -> Number:
    rounded = round(value, 6)
    return int(rounded) if float(rounded).is_integer() else rounded


_PLAIN_NUMBER = regex.compile(r"[0-9]+(?:\.[0-9]+)?")


@lru_cache(maxsize=8192)
def _cn_number(text: str) -> Number | None:
    """cn2an for one numeral; scales after a decimal (1.2万亿, 零点五亿) and bare leading
    scales (千亿, 百万) are split off first, since cn2an rejects them."""
    if not text:
        return None
    if _PLAIN_NUMBER.fullmatch(text):
        # Arabic digits need no numeral library (and most texts then never import
        # cn2an, whose patterns take 0.2 s to compile: a fifth of a cold start)
        return _tidy(float(text))
    scaled = regex.fullmatch(r"(.*?)((?:万亿|千亿|百亿|十亿|千万|百万|十万|亿|万|千|百)+)", text)
    if scaled and (
        not scaled.group(1)
        or regex.search(r"[.点]", scaled.group(1))
        or _PLAIN_NUMBER.fullmatch(scaled.group(1))  # 48万, 3千万: digits times the scale
    ):
        head = _cn_number(scaled.group(1)) if scaled.group(1) else 1
        factor = _scale_factor(scaled.group(2))
        if head is None or factor is None:
            return None
        return _tidy(head * factor)
    import cn2an

    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError):
        return None
    return _tidy(float(value))


def _scale_factor(words: str) -> int | None:
    """万亿 → 10**12, 百万 → 10**6: the product of the scale words, longest first."""
    scales: dict[str, int] = grammar().scales
    factor = 1
    rest = words
    while rest:
        for word in sorted(scales, key=len, reverse=True):
            if rest.startswith(word):
                factor *= scales[word]
                rest = rest[len(word) :]
                break
        else:
            return None
    return factor


@cache
def grammar() -> AmountGrammar:
    """The process-wide amount grammar (compiled once)."""
    return AmountGrammar(load_json("units.json"))


def find_amounts(text: str) -> list[AmountMatch]:
    """Find amounts in already-normalised text (see `claims.normalize`)."""
    return grammar().find(text)


def parse_amount(text: str) -> Amount | None:
    """Parse one amount expression such as '约48.5万块' or '60亿-90亿美元'.

    Traditional characters and full-width digits are accepted. Returns None when the
    text holds no amount; a vague amount (数十万块) has value None. In a longer text
    the amount with a unit or currency wins; a bare number counts only when it carries
    a scale (约130万, 40 billion) or is the whole text.
    """
    normal = normalize(text.strip())
    best: Amount | None = None
    best_rank = (-1, -1)
    for m, amount in grammar().candidates(normal):
        has_unit = bool(m.group("unit") or m.group("lowunit") or m.group("precur"))
        bare_ok = (
            m.group("vague")
            or regex.search(r"[万亿千百]|[a-z]", m.group())
            or (m.group().strip() == normal)
        )
        if not has_unit and not bare_ok:
            continue
        rank = (int(has_unit), m.end() - m.start())
        if rank > best_rank:
            best, best_rank = amount, rank
    return best
