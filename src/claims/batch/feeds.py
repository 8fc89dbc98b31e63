"""Feeds (RSS 0.9x/1.0/2.0, Atom), JSONL dumps and folders of text files → `Article`s.

An article's `text` is what the extractor reads and what claim offsets index into: the
title, a blank line, then the body (the feed's longest content, else its summary; HTML
turned into text by `html.py`). It is kept in the state and written to the day's
articles.jsonl, with its SHA-1 in every claim (`source.text_sha1`), so a reader can check
every span.

Problems with one item (a broken JSONL line, an unreadable file) are warnings and the
other items go on; a source that yields nothing readable at all raises FeedError.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ..reader import ReadError, decode_reporting, expand_inputs, read_path
from .html import html_to_text, looks_like_html
from .sources import Source

HTML_TYPES = ("text/html", "application/xhtml+xml")


class FeedError(Exception):
    """A source whose content could not be parsed at all."""


@dataclass(frozen=True, slots=True)
class Article:
    """One news item, ready for extraction."""

    source: str
    outlet: str
    guid: str
    url: str | None
    title: str | None
    published: str | None  # ISO 8601
    text: str
    encoding: str | None = None

    @property
    def doc(self) -> str:
        """The claim's `source.doc`: the article URL, else its id."""
        return self.url or self.guid

    @property
    def text_sha1(self) -> str:
        return sha1(self.text)

    @property
    def published_date(self) -> date | None:
        return date.fromisoformat(self.published[:10]) if self.published else None


@dataclass(slots=True)
class Parsed:
    articles: list[Article] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # input lost: the run exits 1
    notes: list[str] = field(default_factory=list)  # nothing lost (an item with no text)


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def compose(title: str | None, body: str) -> str:
    """Title, blank line, body: headlines carry claims too. The title is not repeated
    when the body already starts with it."""
    title = (title or "").strip()
    body = body.strip()
    if not title or body.startswith(title):
        return body
    return f"{title}\n\n{body}" if body else title


# ------------------------------------------------------------------------- feeds
def parse_feed(
    data: bytes, source: Source, base_url: str | None = None, content_type: str | None = None
) -> Parsed:
    """Articles of an RSS/Atom document (any encoding its XML declaration names)."""
    import feedparser

    headers: dict[str, str] = {}
    if content_type:
        headers["content-type"] = content_type
    if base_url:
        headers["content-location"] = base_url
    feed = feedparser.parse(data, response_headers=headers, sanitize_html=True)
    parsed = Parsed()
    if not feed.entries:
        if feed.bozo:
            raise FeedError(f"not a readable feed: {_bozo(feed)}")
        if not feed.get("version"):
            raise FeedError("not an RSS or Atom feed")
        return parsed
    if feed.bozo:
        where = f"{source.name} ({source.location})"
        parsed.warnings.append(f"{where}: malformed feed, read leniently: {_bozo(feed)}")
    encoding = feed.get("encoding") or None
    for number, entry in enumerate(feed.entries, 1):
        where = f"{source.name} ({source.location}): item {number}"
        try:
            title = _plain(entry.get("title_detail") or {"value": entry.get("title", "")})
            body = _entry_body(entry)
        except Exception as exc:  # one hostile item must not fail the feed or the run
            parsed.warnings.append(f"{where}: unreadable ({type(exc).__name__})")
            continue
        text = compose(title, body)
        if not text:
            parsed.notes.append(f"{where} has no text")
            continue
        url = entry.get("link") or None
        guid = entry.get("id") or url or sha1(text)
        parsed.articles.append(
            Article(
                source.name,
                source.outlet,
                guid,
                url,
                title or None,
                _struct_time(entry),
                text,
                encoding,
            )
        )
    return parsed


def _bozo(feed: Any) -> str:
    exc = feed.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}" if exc else "malformed"


def _entry_body(entry: Any) -> str:
    contents = [c for c in entry.get("content", []) if c.get("value")]
    if contents:
        best = max(contents, key=lambda c: len(c["value"]))
        return _plain(best)
    detail = entry.get("summary_detail")
    if detail:
        return _plain(detail)
    return _plain({"value": entry.get("summary", "")})


def _plain(detail: Any) -> str:
    value = detail.get("value") or ""
    kind = detail.get("type") or ""
    if kind in HTML_TYPES or looks_like_html(value):
        return html_to_text(value)
    return value.strip()


def _struct_time(entry: Any) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime(*parsed[:6], tzinfo=UTC).isoformat()


# ------------------------------------------------------------------------- JSONL
def parse_jsonl(data: bytes, source: Source) -> Parsed:
    """One article per line: id, url, title, published, and text or html. A line that
    cannot be read (bad JSON, nesting too deep, hostile HTML) is a warning."""
    try:
        content, encoding, damaged = decode_reporting(data, source.location)
    except ReadError as exc:
        raise FeedError(str(exc)) from exc
    parsed = Parsed()
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{source.name} ({source.location}): line {number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            parsed.warnings.append(f"{where}: invalid JSON ({exc.msg})")
            continue
        except (ValueError, RecursionError) as exc:  # e.g. "[[[[…" nested past the limit
            parsed.warnings.append(f"{where}: invalid JSON ({type(exc).__name__})")
            continue
        if not isinstance(row, dict):
            parsed.warnings.append(f"{where}: not a JSON object")
            continue
        try:
            parsed.articles.append(_jsonl_article(row, source, encoding))
        except ValueError as exc:
            parsed.warnings.append(f"{where}: {exc}")
    if not parsed.articles and parsed.warnings:
        raise FeedError(f"no readable line ({parsed.warnings[0]})")
    if damaged:  # read only in part: the run must say so (and exit 1)
        parsed.warnings.insert(0, f"{source.name}: {damaged}")
    return parsed


def _jsonl_article(row: dict[str, Any], source: Source, encoding: str) -> Article:
    ident, url = _opt_str(row, "id"), _opt_str(row, "url")
    if not ident and not url:
        raise ValueError("neither 'id' nor 'url'")
    title = _opt_str(row, "title")
    try:
        if isinstance(row.get("text"), str) and row["text"].strip():
            body = row["text"]
            body = html_to_text(body) if looks_like_html(body) else body.strip()
        elif isinstance(row.get("html"), str):
            body = html_to_text(row["html"])
        else:
            raise ValueError("no 'text' or 'html'")
    except ValueError:
        raise
    except Exception as exc:  # hostile HTML must cost one line, not the run
        raise ValueError(f"unreadable body ({type(exc).__name__})") from exc
    text = compose(title, body)
    if not text:
        raise ValueError("empty text")
    return Article(
        source.name,
        source.outlet,
        ident or url or "",
        url,
        title,
        _iso(row.get("published")),
        text,
        encoding,
    )


def _opt_str(row: dict[str, Any], key: str) -> str | None:
    value = row.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str | int):
        raise ValueError(f"'{key}' must be a string")
    return str(value)


def _iso(value: Any) -> str | None:
    """Normalise a published time: ISO date or datetime (naive is taken as UTC)."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError("'published' must be an ISO 8601 string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"'published' is not ISO 8601: {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # UTC like the feed path: day files are UTC days, and times compare as strings
    return moment.astimezone(UTC).isoformat()


# ------------------------------------------------------------------------ folders
def read_folder(source: Source) -> Parsed:
    """Every matching text file; the id is the path inside the folder, the published time
    the file's modification time (stable from run to run)."""
    root = Path(source.location)
    if not root.is_dir():
        raise FeedError(f"{root}: no such folder")
    parsed = Parsed()
    for item in expand_inputs([str(root)], source.glob):
        if isinstance(item, str):
            parsed.warnings.append(f"{source.name}: {item}")
            continue
        try:
            document = read_path(Path(item))
            mtime = Path(item).stat().st_mtime
        except (ReadError, OSError) as exc:
            parsed.warnings.append(f"{source.name}: {exc}")
            continue
        if document.warning:  # damaged bytes replaced: read only in part
            parsed.warnings.append(f"{source.name}: {document.warning}")
        ident = Path(item).relative_to(root).as_posix()
        published = datetime.fromtimestamp(int(mtime), tz=UTC).isoformat()
        first = document.text.strip().split("\n", 1)[0].strip()
        parsed.articles.append(
            Article(
                source.name,
                source.outlet,
                ident,
                None,
                first[:200] or None,
                published,
                document.text,
                document.encoding,
            )
        )
    return parsed
