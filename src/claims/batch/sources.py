"""The sources file (TOML): which feeds, dumps and folders a batch reads.

    [defaults]                 # optional; every key may be set per source too
    timeout = 20               # seconds per HTTP request
    retries = 3                # extra attempts after a failure (5xx, 429, timeout, reset)
    backoff = 1.0              # seconds before the first retry, doubled each time

    [[source]]
    name = "xinhua"            # unique; the key of this source in the state
    url = "https://…/rss.xml"  # or: path = "feeds/xinhua.xml" (relative to this file)
    kind = "feed"              # feed | jsonl | folder; guessed from the path when omitted
    outlet = "新华社"          # who published it (consolidation counts outlets); default: name
    glob = "*.txt"             # folders only

A mistake in this file is a usage error (exit 2), found before anything is fetched.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KINDS = ("feed", "jsonl", "folder")
DEFAULTS: dict[str, Any] = {"timeout": 20.0, "retries": 3, "backoff": 1.0}
_KEYS = {"name", "url", "path", "kind", "outlet", "glob", "timeout", "retries", "backoff"}


class UsageError(ValueError):
    """A mistake in how the batch was asked for (exit 2)."""


class SourcesError(UsageError):
    """The sources file is missing or wrong; the message says where."""


@dataclass(frozen=True, slots=True)
class Source:
    """One configured source. `location` is a URL when `is_url`, else a local path."""

    name: str
    kind: str
    location: str
    is_url: bool
    outlet: str
    glob: str = "*.txt"
    timeout: float = 20.0
    retries: int = 3
    backoff: float = 1.0


def load_sources(path: str | Path) -> list[Source]:
    """Parse and check the sources file; raise SourcesError naming the problem."""
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourcesError(f"{file}: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{file}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{file}: not valid TOML: {exc}") from exc
    defaults = {**DEFAULTS, **_table(data.get("defaults", {}), f"{file}: [defaults]")}
    entries = data.get("source", [])
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"{file}: no [[source]] entries")
    sources: list[Source] = []
    names: set[str] = set()
    for number, entry in enumerate(entries, 1):
        where = f"{file}: source #{number}"
        entry = _table(entry, where)
        unknown = set(entry) - _KEYS
        if unknown:
            raise SourcesError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        source = _source({**defaults, **entry}, file.parent, where)
        if source.name in names:
            raise SourcesError(f"{where}: duplicate name {source.name!r}")
        names.add(source.name)
        sources.append(source)
    return sources


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SourcesError(f"{where}: expected a table")
    return value


def _source(entry: dict[str, Any], base: Path, where: str) -> Source:
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SourcesError(f"{where}: 'name' is required (a non-empty string)")
    where = f"{where} ({name})"
    url, path = entry.get("url"), entry.get("path")
    if (url is None) == (path is None):
        raise SourcesError(f"{where}: give exactly one of 'url' or 'path'")
    if url is not None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise SourcesError(f"{where}: 'url' must be an http(s) URL")
        location, is_url = url, True
    else:
        if not isinstance(path, str):
            raise SourcesError(f"{where}: 'path' must be a string")
        location, is_url = str((base / path).resolve()), False
    kind = entry.get("kind") or _guess_kind(location, is_url)
    if kind not in KINDS:
        raise SourcesError(f"{where}: 'kind' must be one of {', '.join(KINDS)}")
    if kind == "folder" and is_url:
        raise SourcesError(f"{where}: a folder source needs a 'path'")
    try:
        timeout, retries, backoff = (
            float(entry["timeout"]),
            int(entry["retries"]),
            float(entry["backoff"]),
        )
    except (TypeError, ValueError) as exc:
        raise SourcesError(f"{where}: timeout/retries/backoff must be numbers") from exc
    if timeout <= 0 or retries < 0 or backoff < 0:
        raise SourcesError(f"{where}: timeout must be > 0, retries and backoff >= 0")
    outlet = entry.get("outlet") or name
    glob = entry.get("glob") or "*.txt"
    if not isinstance(outlet, str) or not isinstance(glob, str):
        raise SourcesError(f"{where}: 'outlet' and 'glob' must be strings")
    return Source(name, kind, location, is_url, outlet, glob, timeout, retries, backoff)


def _guess_kind(location: str, is_url: bool) -> str:
    if not is_url and Path(location).is_dir():
        return "folder"
    if location.split("?")[0].lower().endswith((".jsonl", ".ndjson")):
        return "jsonl"
    return "feed"
