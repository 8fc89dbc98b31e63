"""Normalise text for matching while keeping every offset valid in the original.

Every transformation here maps one character to exactly one character (full-width to
half-width, traditional to simplified, odd spaces to a plain space, ASCII case folding),
so position *i* of the normalised text is position *i* of the original. That identity
is what keeps every span grounded; `normalize()` asserts it.
"""

from __future__ import annotations

import logging
import re
from functools import cache

from .resources import load_json

log = logging.getLogger(__name__)

_SPACES = dict.fromkeys(map(ord, "\u00a0\u2002\u2003\u2009\u200a\u202f\u205f\u3000\t"), " ")
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# Keep full-width CJK punctuation that carries structure; map only ASCII look-alikes.
for _keep in "，；：！？（）":
    _FULLWIDTH.pop(ord(_keep), None)
_TABLE = {**_FULLWIDTH, **_SPACES}
# str.translate looks every character up in the table; news text holds few of these
# characters, so finding them with `re` and replacing only those is ~10x faster
_TO_REPLACE = re.compile("[" + re.escape("".join(map(chr, _TABLE))) + "]")
_REPLACEMENT = {chr(k): v if isinstance(v, str) else chr(v) for k, v in _TABLE.items()}
_ASCII_UPPER = re.compile("[A-Z]+")


@cache
def _converter():  # type: ignore[no-untyped-def]
    import opencc  # heavy-ish native module: load on first use

    return opencc.OpenCC("t2s")


@cache
def _may_convert() -> re.Pattern[str] | None:
    """Finds a character that can make the conversion change a text (a traditional
    one, or one of the few simplified ones OpenCC's phrases rewrite: 坏, 沈, 覆 …);
    listed from OpenCC's own dictionaries in `models/t2s_triggers.json`. Characters
    beyond the BMP count as one range (all of them): `re` tests a class of BMP
    characters with a bitmap, but a class listing astral ones character by character.
    None (every text is converted) when the list is missing or was built from another
    OpenCC release, whose dictionaries may change other characters."""
    import opencc

    try:
        table = load_json("t2s_triggers.json")
    except FileNotFoundError:
        log.warning("claims: no t2s_triggers.json among the models: every text goes through OpenCC")
        return None
    if table.get("opencc") != opencc.__version__:
        log.warning(
            "claims: t2s_triggers.json lists OpenCC %s's dictionaries, not %s's: every text "
            "goes through OpenCC (rebuild: python -m claims.training.opencc_triggers)",
            table.get("opencc"),
            opencc.__version__,
        )
        return None
    bmp = "".join(c for c in table["characters"] if ord(c) <= 0xFFFF)
    return re.compile(f"[{re.escape(bmp)}\U00010000-\U0010ffff]")


def to_simplified(text: str) -> str:
    """Traditional to simplified, never changing the length.

    OpenCC's phrase tables can change length (rarely); where a line does, it is
    converted character by character instead, which is always one-to-one.
    """
    may_convert = _may_convert()
    if may_convert is not None and not may_convert.search(text):
        return text  # nothing OpenCC would change (most mainland news)
    converter = _converter()
    converted = converter.convert(text)
    if list(map(len, converted.split("\n"))) == list(map(len, text.split("\n"))):
        return converted  # the common case: every line kept its length
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        converted = converter.convert(line)
        if len(converted) != len(line):
            converted = "".join(c2 if len(c2 := converter.convert(ch)) == 1 else ch for ch in line)
        out.append(converted)
    return "".join(out)


def normalize(text: str) -> str:
    """Return the matching form of *text*: same length, half-width, simplified."""
    result = to_simplified(_TO_REPLACE.sub(lambda m: _REPLACEMENT[m.group()], text))
    if len(result) != len(text):  # pragma: no cover - guarded by construction
        raise AssertionError("normalisation changed the text length")
    return result


def fold_case(text: str) -> str:
    """Lower-case ASCII letters only (one-to-one, unlike str.lower on all of Unicode)."""
    return _ASCII_UPPER.sub(lambda m: m.group().lower(), text)
