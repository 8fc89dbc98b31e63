"""claims: who bought how much of what, according to whom, from Chinese news.

    >>> from claims import extract, parse_amount
    >>> parse_amount("约48.5万块").value
    485000

Importing is cheap: the lexicon, segmenter and numeral converter load on first use.
"""

from __future__ import annotations

from importlib import metadata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import date

    from .amounts import Amount
    from .extractor import Extractor
    from .records import Claim

try:
    __version__ = metadata.version("claims")
except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0.0.0"

__all__ = ["Amount", "Claim", "Extractor", "__version__", "extract", "parse_amount"]

_default: Extractor | None = None


def extract(text: str, doc: str | None = None, published: date | None = None) -> list[Claim]:
    """Claims in *text*, using one shared Extractor (loaded on the first call);
    *published*, the document date, resolves 今年/去年 to years."""
    global _default
    if _default is None:
        from .extractor import Extractor

        _default = Extractor()
    return _default.extract(text, doc, published=published)


def parse_amount(text: str) -> Amount | None:
    """Parse one amount expression ('48.5万块', '310亿美元'); None if there is none."""
    from .amounts import parse_amount as _parse

    return _parse(text)


def __getattr__(name: str) -> Any:
    if name == "Extractor":
        from .extractor import Extractor

        return Extractor
    if name == "Amount":
        from .amounts import Amount

        return Amount
    if name == "Claim":
        from .records import Claim

        return Claim
    raise AttributeError(f"module 'claims' has no attribute {name!r}")
