"""The batch's memory: one SQLite file in the output folder (DIR/state.sqlite).

It holds the items seen (id/URL, content hash, the extracted text), each item's claims,
the feeds' validators (ETag, Last-Modified), the runs with their statistics, and the days
whose output files are out of date (so a night rewrites only the days it touched, not
the whole history).

Resumability rests on one rule: an item's "seen" mark and its claims are written in one
transaction (`commit_article`), with its day marked out of date. A run killed at any
point leaves every item either fully recorded or not at all; the next run extracts
exactly the items that are missing, and rewrites every day still marked from this
database.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .feeds import Article

SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    source TEXT PRIMARY KEY, location TEXT, etag TEXT, last_modified TEXT, checked_at TEXT
);
CREATE TABLE IF NOT EXISTS items (
    source TEXT NOT NULL, guid TEXT NOT NULL, url TEXT, outlet TEXT, title TEXT,
    published TEXT, day TEXT NOT NULL, content_hash TEXT NOT NULL, text TEXT NOT NULL,
    encoding TEXT, first_seen TEXT NOT NULL, processed_at TEXT NOT NULL, run_id INTEGER,
    claims INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source, guid)
);
CREATE INDEX IF NOT EXISTS items_url ON items (source, url);
CREATE INDEX IF NOT EXISTS items_day ON items (day);
CREATE TABLE IF NOT EXISTS claims (
    source TEXT NOT NULL, guid TEXT NOT NULL, seq INTEGER NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (source, guid, seq)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL,
    options TEXT, stats TEXT
);
CREATE TABLE IF NOT EXISTS run_sources (
    run_id INTEGER NOT NULL, source TEXT NOT NULL, stats TEXT NOT NULL,
    PRIMARY KEY (run_id, source)
);
CREATE TABLE IF NOT EXISTS dirty_days (day TEXT PRIMARY KEY);
"""

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class StoredItem:
    source: str
    guid: str
    url: str | None
    outlet: str
    title: str | None
    published: str | None
    day: str
    content_hash: str
    text: str
    encoding: str | None
    first_seen: str


class State:
    """Open (or create) the state database of one output folder."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        tracked = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dirty_days'"
        ).fetchone()
        self.db.executescript(SCHEMA)
        if not tracked:  # a state written before days were tracked: every day is suspect
            self.db.execute("INSERT OR IGNORE INTO dirty_days SELECT DISTINCT day FROM items")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> State:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------- runs
    def start_run(self, options: dict[str, Any]) -> int:
        """A new run; runs left 'running' by a killed process become 'interrupted'."""
        self.db.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
        cursor = self.db.execute(
            "INSERT INTO runs (started, status, options) VALUES (?, 'running', ?)",
            (now(), json.dumps(options, ensure_ascii=False, sort_keys=True)),
        )
        return int(cursor.lastrowid or 0)

    def record_source(self, run_id: int, source: str, stats: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO run_sources VALUES (?, ?, ?)",
            (run_id, source, json.dumps(stats, ensure_ascii=False, sort_keys=True)),
        )

    def finish_run(self, run_id: int, status: str, stats: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE runs SET finished = ?, status = ?, stats = ? WHERE id = ?",
            (now(), status, json.dumps(stats, ensure_ascii=False, sort_keys=True), run_id),
        )

    def runs(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT id, started, finished, status, stats FROM runs ORDER BY id"
        ).fetchall()
        return [
            {
                "id": r[0],
                "started": r[1],
                "finished": r[2],
                "status": r[3],
                "stats": json.loads(r[4]) if r[4] else None,
            }
            for r in rows
        ]

    # ------------------------------------------------------------------ feeds
    def validators(self, source: str, location: str) -> tuple[str | None, str | None]:
        """ETag and Last-Modified from the last complete fetch of this very location."""
        row = self.db.execute(
            "SELECT etag, last_modified FROM feeds WHERE source = ? AND location = ?",
            (source, location),
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def save_validators(
        self, source: str, location: str, etag: str | None, last_modified: str | None
    ) -> None:
        """Called only once every item of the fetched document is committed: a run
        killed before that fetches the whole document again next time."""
        self.db.execute(
            "INSERT OR REPLACE INTO feeds VALUES (?, ?, ?, ?, ?)",
            (source, location, etag, last_modified, now()),
        )

    # ------------------------------------------------------------------ items
    def status(self, article: Article) -> str:
        """new, changed (same id, other text) or unchanged. Identity is (source, guid):
        many items may share one URL (live pages, section fronts). The URL matches only
        a row stored without an id (its guid is its URL), for a feed that added ids."""
        row = self.db.execute(
            "SELECT content_hash FROM items WHERE source = ? AND guid = ?",
            (article.source, article.guid),
        ).fetchone()
        if row is None and article.url:
            row = self.db.execute(
                "SELECT content_hash FROM items WHERE source = ? AND url = ? AND guid = url",
                (article.source, article.url),
            ).fetchone()
        if row is None:
            return NEW
        return UNCHANGED if row[0] == article.text_sha1 else CHANGED

    def commit_article(self, run_id: int, article: Article, records: list[dict[str, Any]]) -> None:
        """The item and its claims, replacing an earlier version, in one transaction."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            # the same id, or the URL-keyed row of an item stored before the feed had
            # ids; never another item's row that merely shares the URL
            old = db.execute(
                "SELECT guid, first_seen, day FROM items WHERE source = ? AND (guid = ? OR "
                "(url IS NOT NULL AND url = ? AND guid = url)) ORDER BY guid = ? DESC",
                (article.source, article.guid, article.url, article.guid),
            ).fetchall()
            first_seen = old[0][1] if old else now()
            for guid, _, _ in old:
                db.execute(
                    "DELETE FROM items WHERE source = ? AND guid = ?", (article.source, guid)
                )
                db.execute(
                    "DELETE FROM claims WHERE source = ? AND guid = ?", (article.source, guid)
                )
            day = (article.published or first_seen)[:10]
            db.execute(
                "INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article.source,
                    article.guid,
                    article.url,
                    article.outlet,
                    article.title,
                    article.published,
                    day,
                    article.text_sha1,
                    article.text,
                    article.encoding,
                    first_seen,
                    now(),
                    run_id,
                    len(records),
                ),
            )
            db.executemany(
                "INSERT INTO claims VALUES (?, ?, ?, ?)",
                [
                    (article.source, article.guid, seq, json.dumps(r, ensure_ascii=False))
                    for seq, r in enumerate(records)
                ],
            )
            db.executemany(
                "INSERT OR IGNORE INTO dirty_days VALUES (?)",
                [(d,) for d in {day, *(row[2] for row in old)}],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def counts(self) -> dict[str, int]:
        items = self.db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        claims = self.db.execute("SELECT COUNT(*) FROM claims").fetchone()[0]
        return {"items": int(items), "claims": int(claims)}

    def items(self, day: str | None = None) -> Iterator[StoredItem]:
        """Every item (of one *day*), in output order: day, published time, source, id."""
        where, args = ("WHERE day = ?", (day,)) if day is not None else ("", ())
        for row in self.db.execute(
            "SELECT source, guid, url, outlet, title, published, day, content_hash, text, "
            f"encoding, first_seen FROM items {where} ORDER BY day, published, source, guid",
            args,
        ):
            yield StoredItem(*row)

    def claims(self, day: str | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
        """(day, record) for every claim (of one *day*), in output order."""
        where, args = ("WHERE i.day = ?", (day,)) if day is not None else ("", ())
        for found_day, record in self.db.execute(
            "SELECT i.day, c.record FROM claims c JOIN items i "
            f"ON i.source = c.source AND i.guid = c.guid {where} "
            "ORDER BY i.day, i.published, i.source, i.guid, c.seq",
            args,
        ):
            yield found_day, json.loads(record)

    def days(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT day FROM items ORDER BY day")]

    def dirty_days(self) -> set[str]:
        """Days whose output files may be out of date (an item committed since)."""
        return {r[0] for r in self.db.execute("SELECT day FROM dirty_days")}

    def mark_written(self, days: set[str]) -> None:
        self.db.executemany("DELETE FROM dirty_days WHERE day = ?", [(d,) for d in days])
