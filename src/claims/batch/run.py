"""`claims batch`: read every source, extract claims from what is new, rebuild outputs.

    claims batch --sources sources.toml --out DIR [--workers N] [--scheduler ADDRESS]
                 [--since DATE] [--quiet] [--debug]

Order of work, chosen so that a run killed at any moment loses nothing and duplicates
nothing: (1) fetch/read each source and keep the items not seen with this content;
(2) extract them on the workers, committing each item with its claims in one SQLite
transaction; (3) store a feed's ETag/Last-Modified only once all its items are
committed; (4) rebuild the day files, consolidated.jsonl and the report from SQLite,
each written atomically.
"""

from __future__ import annotations

import fcntl
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from ..output import atomic_writer, jsonl_line
from .consolidate import DEFAULT_TOLERANCE, consolidate
from .feeds import Article, FeedError, Parsed, parse_feed, parse_jsonl, read_folder
from .fetch import FetchError, fetch
from .sources import Source, UsageError, load_sources
from .state import CHANGED, NEW, State, StoredItem, now

STATE_FILE = "state.sqlite"
LOCK_FILE = ".lock"


@dataclass
class SourceStats:
    source: Source
    status: str = "ok"  # ok | not_modified | failed
    error: str | None = None
    items: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    duplicates: int = 0
    before_since: int = 0
    extracted: int = 0
    claims: int = 0
    errors: int = 0
    attempts: int = 0
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    validators: tuple[str, str | None, str | None] | None = None
    outstanding: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.source.name,
            "kind": self.source.kind,
            "location": self.source.location,
            "status": self.status,
            "error": self.error,
            "items": self.items,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "before_since": self.before_since,
            "extracted": self.extracted,
            "claims": self.claims,
            "errors": self.errors,
            "attempts": self.attempts,
            "warnings": self.warnings,
            "notes": self.notes,
        }


@dataclass
class Summary:
    out: Path
    run_id: int
    seconds: float
    sources: list[SourceStats]
    extracted: int
    claims_new: int
    claims_total: int
    consolidated: int
    failures: list[str]

    @property
    def warnings(self) -> list[str]:
        """Inputs read only in part (a broken JSONL line, a malformed feed)."""
        return [w for s in self.sources for w in s.warnings]

    def line(self) -> str:
        n = lambda attr: sum(getattr(s, attr) for s in self.sources)  # noqa: E731
        failed = sum(1 for s in self.sources if s.status == "failed")
        return (
            f"claims batch: {len(self.sources)} sources ({failed} failed), {n('items')} items "
            f"({n('new')} new, {n('changed')} changed, {n('unchanged')} unchanged), "
            f"{self.extracted} extracted, {self.claims_new} new claims "
            f"({self.claims_total} in total, {self.consolidated} consolidated), "
            f"{self.seconds:.1f} s → {self.out}"
        )


def run_batch(
    sources_path: str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    since: date | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    quiet: bool = True,
) -> Summary:
    """One batch run (see the module doc); UsageError for a bad sources file or --out,
    or when another run holds the folder."""
    sources = load_sources(sources_path)
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot create the folder ({exc.strerror or exc})") from exc
    lock = _lock(out)
    try:
        return _run_locked(sources, sources_path, out, workers, scheduler, since, tolerance, quiet)
    finally:
        lock.close()  # closing the file releases the lock


def _lock(out: Path) -> IO[bytes]:
    """Only one run per output folder at a time: a second one (a cron job overlapping a
    slow night) is refused instead of extracting the same items twice."""
    handle = open(out / LOCK_FILE, "wb")  # noqa: SIM115 - held for the whole run
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        handle.close()
        raise UsageError(f"--out {out}: another batch run is using this folder") from exc
    return handle


def _run_locked(
    sources: list[Source],
    sources_path: str | Path,
    out: Path,
    workers: int | None,
    scheduler: str | None,
    since: date | None,
    tolerance: float,
    quiet: bool,
) -> Summary:
    started = time.monotonic()
    options = {
        "sources": str(sources_path),
        "workers": workers,
        "scheduler": scheduler,
        "since": since.isoformat() if since else None,
    }
    with State(out / STATE_FILE) as state:
        run_id = state.start_run(options)
        started_at = now()
        stats = [SourceStats(source) for source in sources]
        todo: list[Article] = []
        queued: set[tuple[str, str]] = set()
        for entry in stats:
            for article in _collect(entry, state):
                if since and article.published_date and article.published_date < since:
                    entry.before_since += 1
                    continue
                key = (article.source, article.guid)
                if key in queued:
                    entry.duplicates += 1
                    continue
                status = state.status(article)
                setattr(entry, status, getattr(entry, status) + 1)
                if status in (NEW, CHANGED):
                    queued.add(key)
                    todo.append(article)
                    entry.outstanding += 1
        by_name = {entry.source.name: entry for entry in stats}
        extracted, claims_new, article_failures, used = _extract(
            state, run_id, todo, by_name, workers, scheduler, quiet
        )
        for entry in stats:
            complete = entry.outstanding == 0 and entry.errors == 0 and not entry.before_since
            if entry.validators and complete:
                state.save_validators(entry.source.name, *entry.validators)
            state.record_source(run_id, entry.source.name, entry.to_dict())
        failures = [f"{e.source.name}: {e.error}" for e in stats if e.status == "failed"]
        failures += article_failures
        seconds = round(time.monotonic() - started, 2)
        run_info = {
            "id": run_id,
            "started": started_at,
            "finished": now(),
            "seconds": seconds,
            "workers": used,
            "scheduler": scheduler,
            "since": since.isoformat() if since else None,
            "extracted": extracted,
            "claims_new": claims_new,
            "failures": failures,
        }
        totals = rebuild_outputs(state, out, run_info, stats, tolerance)
        state.finish_run(run_id, "failed" if failures else "done", {**run_info, "totals": totals})
    return Summary(
        out,
        run_id,
        seconds,
        stats,
        extracted,
        claims_new,
        totals["claims"],
        totals["consolidated"],
        failures,
    )


def _collect(entry: SourceStats, state: State) -> list[Article]:
    """The source's articles; a failure is recorded on *entry* and yields none."""
    source = entry.source
    try:
        parsed = _read(entry, state)
    except FetchError as exc:
        entry.status, entry.error, entry.attempts = "failed", str(exc), exc.attempts
        return []
    except (FeedError, OSError) as exc:
        entry.status, entry.error = "failed", str(exc)
        return []
    except Exception as exc:  # last line of defence: one source must not stop the run
        entry.status, entry.error = "failed", f"{type(exc).__name__}: {exc}"
        return []
    if parsed is None:
        entry.status = "not_modified"
        return []
    entry.warnings.extend(parsed.warnings)
    entry.notes.extend(parsed.notes)
    entry.items = len(parsed.articles)
    if source.kind != "folder" and not parsed.articles and not parsed.warnings:
        entry.notes.append(f"{source.name}: no items")  # a quiet day is no failure
    return parsed.articles


def _read(entry: SourceStats, state: State) -> Parsed | None:
    """Parsed source, or None when the server says it has not changed (304)."""
    source = entry.source
    if source.kind == "folder":
        return read_folder(source)
    if source.is_url:
        etag, modified = state.validators(source.name, source.location)
        result = fetch(
            source.location,
            etag=etag,
            last_modified=modified,
            timeout=source.timeout,
            retries=source.retries,
            backoff=source.backoff,
        )
        entry.attempts = result.attempts
        if result.not_modified:
            return None
        entry.validators = (source.location, result.etag, result.last_modified)
        data, base, content_type = result.body, result.url, result.content_type
    else:
        data, base, content_type = Path(source.location).read_bytes(), None, None
    if source.kind == "jsonl":
        return parse_jsonl(data, source)
    return parse_feed(data, source, base, content_type)


def _payload(article: Article) -> dict[str, Any]:
    published = article.published_date
    return {
        "key": [article.source, article.guid],
        "text": article.text,
        "doc": article.doc,
        "encoding": article.encoding,
        "published": published.isoformat() if published else None,
    }


def enrich(record: dict[str, Any], article: Article) -> dict[str, Any]:
    """The claim record plus where the article came from: id, URL, title, published
    time, feed, outlet and the SHA-1 of the text the offsets index into."""
    source = record["source"]
    record["source"] = {
        "doc": article.doc,
        "id": article.guid,
        "url": article.url,
        "title": article.title,
        "published": article.published,
        "feed": article.source,
        "outlet": article.outlet,
        "text_sha1": article.text_sha1,
        **{k: v for k, v in source.items() if k != "doc"},
    }
    return record


def _extract(
    state: State,
    run_id: int,
    todo: list[Article],
    by_name: dict[str, SourceStats],
    workers: int | None,
    scheduler: str | None,
    quiet: bool,
) -> tuple[int, int, list[str], int]:
    """Extract *todo* on the workers; commit each article with its claims as it returns.
    Nothing to do starts no worker and loads no pipeline. A pool that breaks (a worker
    OOM-killed or crashed: BrokenProcessPool, Dask's KilledWorker) ends extraction, not
    the run: the articles not yet committed are failures, retried by the next run, and
    the outputs are still rebuilt from what was committed."""
    if not todo:
        return 0, 0, [], 0
    from tqdm import tqdm

    from .workers import DaskPool, LocalPool, Pool, default_workers

    articles = {(a.source, a.guid): a for a in todo}
    done: set[tuple[str, str]] = set()
    extracted = claims_new = 0
    failures: list[str] = []
    pool: Pool | None = None
    progress = tqdm(
        total=len(todo),
        unit="article",
        file=sys.stderr,
        desc="claims batch",
        disable=quiet or not sys.stderr.isatty(),
    )
    try:
        if scheduler:
            pool = DaskPool(scheduler, workers or 0)
            used = pool.slots
        else:
            used = workers or default_workers(len(todo))
            pool = LocalPool(used)
        results = pool.run(_payload(a) for a in todo)
        while True:
            try:
                result = next(results)
            except StopIteration:
                break
            except Exception as exc:  # the pool itself failed; commits below may not
                lost = [key for key in articles if key not in done]
                for key in lost:
                    by_name[key[0]].errors += 1
                failures.append(
                    f"extraction stopped, a worker failed ({type(exc).__name__}: {exc}); "
                    f"{len(lost)} article(s) not extracted, retried by the next run"
                )
                break
            key = (result["key"][0], result["key"][1])
            done.add(key)
            article = articles[key]
            entry = by_name[article.source]
            if result["error"]:
                entry.errors += 1
                failures.append(
                    f"{article.source}: {article.doc}: extraction failed: {result['error']}"
                )
            else:
                records = [enrich(r, article) for r in result["claims"]]
                state.commit_article(run_id, article, records)
                entry.outstanding -= 1
                entry.extracted += 1
                entry.claims += len(records)
                extracted += 1
                claims_new += len(records)
            progress.update()
    finally:
        progress.close()
        if pool is not None:
            pool.close()
    return extracted, claims_new, failures, used


def rebuild_outputs(
    state: State,
    out: Path,
    run: dict[str, Any],
    stats: list[SourceStats],
    tolerance: float,
) -> dict[str, int]:
    """Day files, consolidated.jsonl, report.json and report.html, all from the state;
    a file whose content is unchanged is not rewritten. Day files are written for the
    days marked out of date (and any whose files are missing) only: the articles of a
    year of nights are not read again every night."""
    from .report import build_report, dumps, render_html

    claims = list(state.claims())
    by_day: dict[str, list[str]] = {}
    for day, record in claims:
        by_day.setdefault(day, []).append(jsonl_line(record))
    days = set(state.days())
    missing = {d for d in days if not (out / d / "claims.jsonl").is_file()}
    dirty = state.dirty_days()
    for day in sorted(dirty | missing):
        articles = [jsonl_line(_article_record(item)) for item in state.items(day)]
        if day in days:
            write_if_changed(out / day / "claims.jsonl", "".join(by_day.get(day, [])))
            write_if_changed(out / day / "articles.jsonl", "".join(articles))
        else:  # its last item moved to another day
            for name in ("claims.jsonl", "articles.jsonl"):
                (out / day / name).unlink(missing_ok=True)
    state.mark_written(dirty)
    merged = consolidate(claims, tolerance)
    write_if_changed(out / "consolidated.jsonl", "".join(jsonl_line(r) for r in merged))
    warnings = [w for s in stats for w in s.warnings]
    report = build_report(run, [s.to_dict() for s in stats], claims, merged, warnings)
    write_if_changed(out / "report.json", dumps(report))
    write_if_changed(out / "report.html", render_html(report, claims))
    return {
        "claims": len(claims),
        "consolidated": len(merged),
        "days": len(days),
        "items": state.counts()["items"],
    }


def _article_record(item: StoredItem) -> dict[str, Any]:
    return {
        "id": item.guid,
        "url": item.url,
        "doc": item.url or item.guid,
        "title": item.title,
        "published": item.published,
        "feed": item.source,
        "outlet": item.outlet,
        "encoding": item.encoding,
        "text_sha1": item.content_hash,
        "text": item.text,
    }


def write_if_changed(path: Path, content: str) -> None:
    """Atomic write (temporary file + rename), skipped when the file already says this."""
    try:
        if path.read_text(encoding="utf-8") == content:
            return
    except (OSError, UnicodeDecodeError):
        pass
    with atomic_writer(path) as handle:
        handle.write(content)
