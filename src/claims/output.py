"""Writers for claims: JSON Lines for machines, an aligned table for people, and an
atomic file writer so that an output file is never left half-written."""

from __future__ import annotations

import json
import os
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

TABLE_COLUMNS = (
    ("buyer", 16),
    ("product", 22),
    ("amount", 16),
    ("predicate", 9),
    ("attributed to", 14),
    ("conf", 5),
    ("doc", 24),
)


def jsonl_line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    out, used = "", 0
    for ch in text:
        w = _width(ch)
        if used + w > width:
            return out[:-1] + "…" + " " * (width - used) if out else ""
        out, used = out + ch, used + w
    return out + " " * (width - used)


def table_header() -> str:
    return "  ".join(_fit(name, width) for name, width in TABLE_COLUMNS).rstrip() + "\n"


def table_row(record: dict[str, Any]) -> str:
    amount = record["amount"]
    value = amount["text"]
    cells = (
        record["buyer"]["name"] or record["buyer"]["text"],
        record["product"]["name"] or record["product"]["text"],
        value,
        record["predicate"],
        record["source"]["attributed_to"] or "-",
        f"{record['confidence']:.2f}",
        os.path.basename(record["source"]["doc"] or "-"),
    )
    return (
        "  ".join(_fit(str(c), w) for c, (_, w) in zip(cells, TABLE_COLUMNS, strict=True)).rstrip()
        + "\n"
    )


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


@contextmanager
def atomic_writer(path: str | Path) -> Iterator[IO[str]]:
    """Write to a temporary file beside *path*, then rename it into place."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        # mkstemp makes the file private (0600); an output file gets the usual mode
        os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
