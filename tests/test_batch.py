"""`claims batch` over feeds served by a loopback HTTP server: RSS 2.0/1.0/0.91, Atom,
GBK, JSONL with a broken line, folders; 500s then success, a timeout, a redirect,
broken XML, a 404, conditional GET (304); rerun doing nothing; the report's marks."""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
import time
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from claims.batch import run as batch_run
from claims.batch import workers
from claims.batch.consolidate import consolidate
from claims.batch.feeds import parse_feed, parse_jsonl, read_folder
from claims.batch.html import html_to_text
from claims.batch.run import run_batch
from claims.batch.sources import Source, SourcesError, load_sources
from conftest import DATA, batch_command

FEEDS = DATA / "feeds"
ETAG = '"rss2-v1"'
LAST_MODIFIED = "Wed, 12 Mar 2025 08:00:00 GMT"


# ------------------------------------------------------------------ the server
class FeedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, int, dict[str, str]]] = []
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: FeedServer

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        path = self.path
        with self.server.lock:
            self.server.hits[path] += 1
            hit = self.server.hits[path]
        status = self._serve(path, hit)
        with self.server.lock:
            self.server.requests.append((path, status, dict(self.headers.items())))

    def _send(self, status: int, body: bytes = b"", **headers: str) -> int:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # client gave up
            self.wfile.write(body)
        return status

    def _serve(self, path: str, hit: int) -> int:
        xml = "application/rss+xml"
        if path == "/rss2.xml":
            if self.headers.get("If-None-Match") == ETAG:
                return self._send(304, ETag=ETAG)
            return self._send(200, (FEEDS / "rss2.xml").read_bytes(), Content_Type=xml, ETag=ETAG)
        if path == "/atom.xml":
            if self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                return self._send(304)
            body = (FEEDS / "atom.xml").read_bytes()
            return self._send(
                200, body, Content_Type="application/atom+xml", Last_Modified=LAST_MODIFIED
            )
        if path == "/flaky.rdf":  # two 500s, then the feed: every run needs its retries
            if hit % 3:
                return self._send(500, b"try again")
            return self._send(200, (FEEDS / "rss1.rdf").read_bytes(), Content_Type=xml)
        if path == "/slow.xml":
            time.sleep(1.5)
            return self._send(200, (FEEDS / "rss2.xml").read_bytes(), Content_Type=xml)
        if path == "/moved.xml":
            return self._send(301, Location="/gbk.xml")
        if path == "/gbk.xml":
            return self._send(200, (FEEDS / "gbk.xml").read_bytes(), Content_Type=xml)
        if path == "/broken.xml":
            return self._send(200, (FEEDS / "broken.xml").read_bytes(), Content_Type=xml)
        if path == "/dump.jsonl":
            return self._send(
                200, (FEEDS / "dump.jsonl").read_bytes(), Content_Type="application/x-ndjson"
            )
        return self._send(404, b"no such feed")


@pytest.fixture(scope="module")
def server():
    srv = FeedServer()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def http_sources(tmp: Path, base: str) -> Path:
    names = {
        "rss2": "/rss2.xml",
        "atom": "/atom.xml",
        "flaky": "/flaky.rdf",
        "slow": "/slow.xml",
        "moved": "/moved.xml",
        "broken": "/broken.xml",
        "dump": "/dump.jsonl",
        "missing": "/missing.xml",
    }
    lines = ["[defaults]", "timeout = 0.4", "retries = 2", "backoff = 0.01", ""]
    for name, path in names.items():
        lines += ["[[source]]", f'name = "{name}"', f'url = "{base}{path}"', ""]
    lines += ["[[source]]", 'name = "texts"', f'path = "{FEEDS / "texts"}"', ""]
    target = tmp / "sources.toml"
    target.write_text("\n".join(lines), encoding="utf-8")
    return target


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def day_files(out: Path, name: str) -> dict[str, bytes]:
    return {p.parent.name: p.read_bytes() for p in sorted(out.glob(f"*/{name}"))}


# ----------------------------------------------------------------- the big run
@pytest.fixture(scope="module")
def http_run(server, tmp_path_factory):
    """One CLI run (local worker processes) over the HTTP sources."""
    tmp = tmp_path_factory.mktemp("http")
    sources = http_sources(tmp, server.base)
    out = tmp / "out"
    result = subprocess.run(
        batch_command(sources, out, "--workers", "2"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return sources, out, result


def test_cli_run_records_failures_and_goes_on(http_run, server):
    _, out, result = http_run
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    summary = [line for line in result.stderr.splitlines() if "sources (" in line]
    assert len(summary) == 1 and "9 sources (3 failed)" in summary[0]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    status = {s["name"]: s for s in report["sources"]}
    assert status["slow"]["status"] == "failed" and "timed out" in status["slow"]["error"]
    assert status["broken"]["status"] == "failed" and "feed" in status["broken"]["error"]
    assert status["missing"]["status"] == "failed" and "404" in status["missing"]["error"]
    assert status["missing"]["attempts"] == 1 and server.hits["/missing.xml"] == 1  # no retry
    assert status["slow"]["attempts"] == 3  # timed out, retried twice
    assert status["flaky"]["status"] == "ok" and status["flaky"]["attempts"] == 3
    assert status["flaky"]["new"] == 3
    assert status["moved"]["new"] == 2  # followed the redirect
    assert status["dump"]["new"] == 4 and len(status["dump"]["warnings"]) == 2
    assert any("line 3: invalid JSON" in w for w in report["warnings"])
    for name in ("rss2", "atom", "texts"):
        assert status[name]["status"] == "ok" and status[name]["claims"] > 0
    agents = {h["User-Agent"] for _, _, h in server.requests}
    assert all(a.startswith("claims/") and "(+https://" in a for a in agents)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'class="failed" data-source="slow"' in html


def test_claims_are_grounded_in_the_stored_article_text(http_run):
    from jsonschema import Draft202012Validator

    from claims.records import schema

    _, out, _ = http_run
    validator = Draft202012Validator(schema())
    articles = {}
    for path in out.glob("*/articles.jsonl"):
        for row in read_jsonl(path):
            articles[row["doc"]] = row
    claims = [r for path in sorted(out.glob("*/claims.jsonl")) for r in read_jsonl(path)]
    assert len(claims) >= 25
    for record in claims:
        validator.validate(record)
        source = record["source"]
        article = articles[source["doc"]]
        assert source["text_sha1"] == article["text_sha1"]
        assert source["title"] == article["title"] and source["published"] == article["published"]
        text = article["text"]
        for role in ("buyer", "product", "amount"):
            span = record[role]
            assert text[span["start"] : span["end"]] == span["text"]
        assert text[source["sentence_start"] : source["sentence_end"]] == source["sentence"]
    gbk = [r for r in claims if r["source"]["feed"] == "moved"]
    assert gbk and all(r["source"]["encoding"] == "gbk" for r in gbk)
    assert {r["buyer"]["name"] for r in gbk} >= {"顺丰航空"}
    # HTML bodies became text: no markup, no script, entities decoded
    rss2 = [a for a in articles.values() if a["feed"] == "rss2"]
    assert rss2 and all("<" not in a["text"] and "track(" not in a["text"] for a in rss2)
    # the day files follow the published dates (UTC)
    assert {p.parent.name for p in out.glob("*/claims.jsonl")} >= {"2025-03-12", "2025-03-14"}


def test_rerun_fetches_conditionally_and_extracts_nothing(http_run, server, monkeypatch):
    sources, out, _ = http_run
    before = {name: day_files(out, name) for name in ("claims.jsonl", "articles.jsonl")}
    consolidated = (out / "consolidated.jsonl").read_bytes()
    start = len(server.requests)

    def no_pipeline(*args, **kwargs):
        raise AssertionError("the rerun loaded the extraction pipeline")

    monkeypatch.setattr(workers, "warm_extractor", no_pipeline)
    monkeypatch.setattr(workers, "LocalPool", no_pipeline)
    monkeypatch.setattr(workers, "_extractor", None)
    summary = run_batch(sources, out, workers=2)
    assert summary.extracted == 0 and summary.claims_new == 0
    stats = {s.source.name: s for s in summary.sources}
    assert stats["rss2"].status == "not_modified" and stats["atom"].status == "not_modified"
    assert stats["texts"].unchanged == 2 and stats["dump"].unchanged == 4
    assert stats["flaky"].unchanged == 3  # no validators from that server: hashes decide
    requests = server.requests[start:]
    rss2 = [h for p, s, h in requests if p == "/rss2.xml"]
    assert rss2 and rss2[0].get("If-None-Match") == ETAG
    atom = [(s, h) for p, s, h in requests if p == "/atom.xml"]
    assert atom[0][0] == 304 and atom[0][1].get("If-Modified-Since") == LAST_MODIFIED
    for name, files in before.items():
        assert day_files(out, name) == files
    assert (out / "consolidated.jsonl").read_bytes() == consolidated


def test_report_html_marks_match_the_jsonl(http_run):
    _, out, _ = http_run
    claims = [r for path in sorted(out.glob("*/claims.jsonl")) for r in read_jsonl(path)]
    page = ReportParser()
    page.feed((out / "report.html").read_text(encoding="utf-8"))
    assert len(page.claims) == len(claims)
    assert page.svgs >= 2 and page.scripts == 0 and not page.external
    assert page.hrefs and all(h.startswith(("http://", "https://")) for h in page.hrefs)
    by_key = {}
    for record in claims:
        key = (
            record["source"]["doc"],
            record["buyer"]["id"] or "",
            record["product"]["id"] or "",
            str(record["amount"]["value"]),
        )
        by_key.setdefault(key, []).append(record)
    marked = 0
    for attrs, marks in page.claims:
        key = (
            attrs["data-doc"],
            attrs["data-buyer-id"],
            attrs["data-product-id"],
            attrs["data-amount-value"],
        )
        records = by_key[key]
        assert any(
            all(
                r[role]["start"] == start and r[role]["end"] == end and r[role]["text"] == text
                for role, start, end, text in marks
            )
            for r in records
        ), (key, marks)
        roles = [m[0] for m in marks]
        assert len(roles) == len(set(roles))
        marked += len(marks)
    assert marked >= 2 * len(claims)  # most claims have their spans in the sentence


class ReportParser(HTMLParser):
    """Collects each claim's data attributes and its <mark>s (role, start, end, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.claims: list[tuple[dict[str, str], list[tuple[str, int, int, str]]]] = []
        self.svgs = self.scripts = 0
        self.external: list[str] = []
        self.hrefs: list[str] = []
        self._mark: dict[str, str] | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "article" and "claim" in attrs.get("class", ""):
            self.claims.append((attrs, []))
        elif tag == "mark":
            self._mark, self._text = attrs, ""
        elif tag == "svg":
            self.svgs += 1
        elif tag == "script":
            self.scripts += 1
        if "href" in attrs:
            self.hrefs.append(attrs["href"])
        if tag in ("link", "img", "script") and (attrs.get("src") or attrs.get("href")):
            self.external.append(attrs.get("src") or attrs.get("href"))

    def handle_data(self, data):
        if self._mark is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "mark" and self._mark is not None:
            m = self._mark
            self.claims[-1][1].append(
                (m["data-role"], int(m["data-start"]), int(m["data-end"]), self._text)
            )
            self._mark = None


# ------------------------------------------------------------------ usage errors
@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, [], "no such file"),
        ("[[source]\nname=", [], "not valid TOML"),
        ('[[source]]\nname = "a"\n', [], "exactly one of 'url' or 'path'"),
        ('[[source]]\nname = "a"\nurl = "ftp://x"\n', [], "http(s) URL"),
        ('[[source]]\nname = "a"\npath = "x.xml"\ncolour = 1\n', [], "unknown key"),
        (
            '[[source]]\nname = "a"\npath = "x"\n[[source]]\nname = "a"\npath = "y"\n',
            [],
            "duplicate name",
        ),
        ('[[source]]\nname = "a"\npath = "x"\n', ["--workers", "0"], "at least 1"),
        ('[[source]]\nname = "a"\npath = "x"\n', ["--since", "yesterday"], "not a date"),
    ],
)
def test_usage_errors_exit_2_without_traceback(tmp_path, content, args, message):
    sources = tmp_path / "sources.toml"
    if content is not None:
        sources.write_text(content, encoding="utf-8")
    result = subprocess.run(
        batch_command(sources, tmp_path / "out", *args),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "state.sqlite").exists()


def test_sources_paths_are_relative_to_the_file_and_kinds_guessed(tmp_path):
    (tmp_path / "feeds").mkdir()
    (tmp_path / "sources.toml").write_text(
        '[defaults]\ntimeout = 5\n[[source]]\nname = "d"\npath = "dump.jsonl"\n'
        '[[source]]\nname = "f"\npath = "feeds"\n[[source]]\nname = "u"\n'
        'url = "https://example.org/rss"\noutlet = "Example"\nretries = 0\n',
        encoding="utf-8",
    )
    d, f, u = load_sources(tmp_path / "sources.toml")
    assert (d.kind, d.location) == ("jsonl", str(tmp_path / "dump.jsonl"))
    assert (f.kind, f.outlet, f.timeout) == ("folder", "f", 5.0)
    assert (u.kind, u.is_url, u.outlet, u.retries) == ("feed", True, "Example", 0)
    with pytest.raises(SourcesError, match="no \\[\\[source\\]\\]"):
        (tmp_path / "empty.toml").write_text("", encoding="utf-8")
        load_sources(tmp_path / "empty.toml")


# ----------------------------------------------------------------- small parts
def test_html_to_text_keeps_blocks_and_drops_scripts():
    html = (
        "<div><p>据Omdia估计，<b>微软</b>今年购买了48.5万块&amp;英伟达<br>Hopper芯片。</p>"
        "<script>var x = '<p>';</script><style>p{}</style><ul><li>甲</li><li>乙</li></ul>"
        "尾&nbsp;&nbsp;部</div>"
    )
    assert html_to_text(html) == (
        "据Omdia估计，微软今年购买了48.5万块&英伟达\nHopper芯片。\n\n甲\n\n乙\n\n尾 部"
    )
    assert html_to_text("") == "" and html_to_text("纯文本") == "纯文本"


def test_feed_formats_give_articles_with_dates_and_text():
    def source(name: str) -> Source:
        return Source(name, "feed", str(FEEDS / name), False, name)

    found = {}
    for name in ("rss2.xml", "rss1.rdf", "atom.xml", "gbk.xml", "rss091.xml"):
        found[name] = parse_feed((FEEDS / name).read_bytes(), source(name)).articles
    assert [len(found[n]) for n in found] == [5, 3, 4, 2, 1]
    first = found["rss2.xml"][0]
    assert first.guid == first.url == "https://news.example.cn/2025/c001.html"
    assert first.published == "2025-03-12T00:00:00+00:00"  # 08:00 +08:00
    assert first.text.startswith(first.title + "\n\n") and "资料图" in first.text
    assert found["rss1.rdf"][0].published == "2025-03-12T01:00:00+00:00"
    assert found["atom.xml"][3].guid == "tag:atom.example.tw,2025:4"
    assert found["gbk.xml"][0].encoding == "gbk" and "阿贡国家实验室" in found["gbk.xml"][0].text
    assert found["rss091.xml"][0].published is None


def claim(buyer: str, value: float, doc: str, outlet: str, year: int | None = 2025) -> dict:
    return {
        "buyer": {"id": buyer, "name": buyer},
        "product": {"id": "h100", "name": "H100", "vendor": "nvidia"},
        "amount": {"text": str(value), "value": value, "unit": "块", "currency": None, "start": 0},
        "predicate": "purchase",
        "period": {"year": year} if year else None,
        "source": {
            "doc": doc,
            "outlet": outlet,
            "published": f"2025-03-0{doc[-1]}T00:00:00",
            "sentence": "…",
            "title": doc,
        },
        "confidence": 0.9,
    }


def test_consolidation_merges_amounts_within_tolerance_per_period():
    claims = [
        ("2025-03-01", claim("ms", 485000, "a1", "X")),
        ("2025-03-02", claim("ms", 480000, "a2", "Y")),  # 约48万: the same claim
        ("2025-03-03", claim("ms", 485000, "a3", "Y")),
        ("2025-03-04", claim("ms", 200000, "a4", "X")),  # another amount
        ("2025-03-05", claim("ms", 485000, "a5", "X", year=2024)),  # another period
        ("2025-03-06", claim("meta", 485000, "a6", "X")),  # another buyer
    ]
    merged = consolidate(claims)
    assert len(merged) == 4
    top = merged[0]
    assert (top["articles"], top["outlets"]) == (3, 2)
    assert top["amount"] == {
        "value": 485000,
        "min": 480000,
        "max": 485000,
        "unit": "块",
        "currency": None,
    }
    assert [s["doc"] for s in top["sources"]] == ["a1", "a2", "a3"]
    assert (top["first_seen"], top["last_seen"]) == ("2025-03-01T00:00:00", "2025-03-03T00:00:00")
    assert consolidate(list(reversed(claims))) == merged  # order does not matter
    assert len(consolidate(claims, tolerance=0.001)) == 5


def test_changed_article_replaces_its_claims(tmp_path):
    dump = tmp_path / "dump.jsonl"
    row = {
        "id": "n1",
        "title": "微软采购",
        "published": "2025-03-01",
        "text": "据Omdia估计，微软今年购买了48.5万块英伟达Hopper芯片。",
    }
    dump.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    sources = tmp_path / "s.toml"
    sources.write_text(f'[[source]]\nname = "d"\npath = "{dump}"\n', encoding="utf-8")
    out = tmp_path / "out"
    first = run_batch(sources, out, workers=1)
    assert first.claims_new == 1
    row["text"] = row["text"].replace("微软", "谷歌")
    dump.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    second = run_batch(sources, out, workers=1)
    assert second.sources[0].changed == 1 and second.claims_total == 1
    (record,) = read_jsonl(out / "2025-03-01" / "claims.jsonl")
    assert record["buyer"]["name"] == "谷歌" and record["source"]["doc"] == "n1"
    assert record["period"]["year"] == 2025  # 今年 resolved with the published date
    since = run_batch(sources, tmp_path / "later", workers=1, since=date(2025, 3, 2))
    assert since.sources[0].before_since == 1 and since.extracted == 0


def test_validators_wait_until_every_item_is_committed(server, tmp_path, monkeypatch):
    """An article that failed must be fetched again: no ETag is stored for its feed."""
    sources = tmp_path / "s.toml"
    sources.write_text(f'[[source]]\nname = "rss2"\nurl = "{server.base}/rss2.xml"\n')
    out = tmp_path / "out"
    real = workers.extract_payloads

    def failing(extractor, payloads):
        outs = real(extractor, payloads)
        for out, payload in zip(outs, payloads, strict=True):
            if payload["doc"].endswith("c009.html"):
                out.update(claims=[], rejections=0, error="boom")
        return outs

    monkeypatch.setattr(workers, "extract_payloads", failing)
    first = run_batch(sources, out, workers=1)
    assert first.extracted == 4 and len(first.failures) == 1 and "boom" in first.failures[0]
    monkeypatch.setattr(workers, "extract_payloads", real)
    seen = len(server.requests)
    second = run_batch(sources, out, workers=1)
    (request,) = [h for p, s, h in server.requests[seen:] if p == "/rss2.xml"]
    assert "If-None-Match" not in request  # fetched in full again
    assert second.extracted == 1 and second.failures == []
    third = run_batch(sources, out, workers=1)
    assert third.sources[0].status == "not_modified"


# --------------------------------------------------------------- hostile input
SENTENCE = "据Omdia估计，微软今年购买了48.5万块英伟达Hopper芯片。"
DEEP = "<div>" * 5000 + SENTENCE + "</div>" * 5000


def jsonl_source(path: Path | str = "dump.jsonl") -> Source:
    return Source("d", "jsonl", str(path), False, "d")


def write_dump(tmp: Path, rows: list[dict], name: str = "dump.jsonl") -> Path:
    """A JSONL dump of *rows* and a sources file naming it (source "d")."""
    dump = tmp / name
    dump.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    sources = tmp / "s.toml"
    sources.write_text(f'[[source]]\nname = "d"\npath = "{dump}"\n', encoding="utf-8")
    return sources


def test_deeply_nested_html_in_a_feed_item_is_read_or_one_warning(monkeypatch):
    rss = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        "<item><guid>deep</guid><title>深</title><description><![CDATA[" + DEEP + "]]>"
        "</description></item><item><guid>ok</guid><title>好</title>"
        f"<description>{SENTENCE}</description></item></channel></rss>"
    ).encode()
    source = Source("f", "feed", "f.xml", False, "f")
    parsed = parse_feed(rss, source)  # no RecursionError: the HTML walk is iterative
    assert [a.guid for a in parsed.articles] == ["deep", "ok"]
    assert SENTENCE in parsed.articles[0].text

    def deep_failure(html: str) -> str:
        if "<div>" * 100 in html:
            raise RecursionError("maximum recursion depth exceeded")
        return real(html)

    real = html_to_text
    monkeypatch.setattr("claims.batch.feeds.html_to_text", deep_failure)
    parsed = parse_feed(rss, source)  # a converter that still fails costs one item
    assert [a.guid for a in parsed.articles] == ["ok"]
    assert len(parsed.warnings) == 1 and "item 1: unreadable (RecursionError)" in parsed.warnings[0]


def test_deeply_nested_json_line_is_a_warning():
    good = json.dumps({"id": "a", "text": SENTENCE}, ensure_ascii=False).encode()
    parsed = parse_jsonl(good + b"\n" + b"[" * 100_000 + b"\n", jsonl_source())
    assert [a.guid for a in parsed.articles] == ["a"]
    assert len(parsed.warnings) == 1 and "line 2: invalid JSON" in parsed.warnings[0]


def test_deeply_nested_html_in_a_jsonl_field_is_read_or_one_warning(monkeypatch):
    rows = [{"id": "deep", "html": DEEP}, {"id": "ok", "text": SENTENCE}]
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    parsed = parse_jsonl(data, jsonl_source())
    assert [a.text for a in parsed.articles] == [SENTENCE, SENTENCE]

    def deep_failure(html: str) -> str:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("claims.batch.feeds.html_to_text", deep_failure)
    parsed = parse_jsonl(data, jsonl_source())
    assert [a.guid for a in parsed.articles] == ["ok"]
    assert parsed.warnings == ["d (dump.jsonl): line 1: unreadable body (RecursionError)"]


def test_an_unexpected_error_fails_its_source_not_the_run(tmp_path, monkeypatch):
    """The last line of defence: whatever a parser raises fails that source only."""
    sources = write_dump(tmp_path, [{"id": "a", "published": "2025-03-01", "text": SENTENCE}])
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "t.txt").write_text(SENTENCE, encoding="utf-8")
    with sources.open("a", encoding="utf-8") as handle:
        handle.write(f'[[source]]\nname = "t"\npath = "{folder}"\n')

    def hostile(data: bytes, source: Source) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(batch_run, "parse_jsonl", hostile)
    summary = run_batch(sources, tmp_path / "out", workers=1)
    status = {s.source.name: s for s in summary.sources}
    assert status["d"].status == "failed" and "RecursionError" in (status["d"].error or "")
    assert status["t"].extracted == 1 and summary.claims_total == 1
    assert (tmp_path / "out" / "report.json").exists()


def test_items_sharing_a_url_are_both_kept(tmp_path):
    """Live pages and section fronts link many items to one URL: identity is the id."""
    url = "https://news.example.cn/live"
    rows = [
        {"id": "a", "url": url, "title": "快讯1", "published": "2025-03-01", "text": SENTENCE},
        {
            "id": "b",
            "url": url,
            "title": "快讯2",
            "published": "2025-03-01",
            "text": "谷歌去年采购了16.9万颗TPU。",
        },
    ]
    sources = write_dump(tmp_path, rows)
    out = tmp_path / "out"
    first = run_batch(sources, out, workers=1)
    assert first.extracted == 2
    second = run_batch(sources, out, workers=1)
    assert second.extracted == 0 and second.sources[0].unchanged == 2
    articles = read_jsonl(out / "2025-03-01" / "articles.jsonl")
    assert sorted(a["id"] for a in articles) == ["a", "b"]
    claims = read_jsonl(out / "2025-03-01" / "claims.jsonl")
    assert sorted(r["source"]["id"] for r in claims) == ["a", "b"]


def test_an_item_without_id_keeps_its_row_when_the_feed_adds_ids(tmp_path):
    """The URL fallback: a row stored under its URL is replaced, not duplicated."""
    url = "https://news.example.cn/c1.html"
    row = {"url": url, "published": "2025-03-01", "text": SENTENCE}
    sources = write_dump(tmp_path, [row])
    out = tmp_path / "out"
    run_batch(sources, out, workers=1)
    write_dump(tmp_path, [{**row, "id": "c1"}])
    again = run_batch(sources, out, workers=1)
    assert again.sources[0].unchanged == 1 and again.extracted == 0
    write_dump(tmp_path, [{**row, "id": "c1", "text": SENTENCE.replace("微软", "谷歌")}])
    changed = run_batch(sources, out, workers=1)
    assert changed.sources[0].changed == 1
    (article,) = read_jsonl(out / "2025-03-01" / "articles.jsonl")
    assert article["id"] == "c1"


def test_report_links_only_http_urls(tmp_path):
    rows = [
        {"id": "x", "url": "javascript:alert(document.domain)", "title": "恶意", "text": SENTENCE},
        {"id": "y", "url": " JavaScript:alert(1)", "title": "恶意2", "text": SENTENCE},
        {"id": "z", "url": "https://news.example.cn/z", "title": "正常", "text": SENTENCE},
    ]
    out = tmp_path / "out"
    summary = run_batch(write_dump(tmp_path, rows), out, workers=1)
    assert summary.claims_total == 3
    page = ReportParser()
    page.feed((out / "report.html").read_text(encoding="utf-8"))
    assert len(page.claims) == 3
    assert page.hrefs == ["https://news.example.cn/z"]


def test_jsonl_published_times_are_utc():
    rows = [
        {"id": "a", "published": "2025-03-01T02:00:00+08:00", "text": SENTENCE},
        {"id": "b", "published": "2025-03-01T12:00:00", "text": SENTENCE},  # naive: UTC
        {"id": "c", "published": "2025-03-01", "text": SENTENCE},
    ]
    data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    a, b, c = parse_jsonl(data, jsonl_source()).articles
    assert a.published == "2025-02-28T18:00:00+00:00" and a.published_date == date(2025, 2, 28)
    assert b.published == "2025-03-01T12:00:00+00:00"
    assert c.published == "2025-03-01T00:00:00+00:00"


def test_damaged_bytes_are_warnings_in_jsonl_and_folders(tmp_path):
    text = (SENTENCE * 5).encode()
    damaged = text[:30] + b"\xff" + text[30:]
    row = json.dumps({"id": "a", "text": SENTENCE * 5}, ensure_ascii=False).encode()
    line = row[:30] + b"\xff" + row[30:]
    parsed = parse_jsonl(line + b"\n", jsonl_source())
    assert len(parsed.articles) == 1
    assert len(parsed.warnings) == 1 and "invalid UTF-8" in parsed.warnings[0]
    (tmp_path / "t.txt").write_bytes(damaged)
    (tmp_path / "u.txt").write_bytes(text)
    parsed = read_folder(Source("t", "folder", str(tmp_path), False, "t"))
    assert len(parsed.articles) == 2
    assert len(parsed.warnings) == 1 and "t.txt" in parsed.warnings[0]
    assert "invalid UTF-8" in parsed.warnings[0]


def test_a_second_run_on_the_same_folder_is_refused(tmp_path):
    """Two overlapping runs would extract the same items twice: the second is a usage
    error naming the folder, the first is untouched."""
    import fcntl

    from claims.batch.run import LOCK_FILE, run_batch
    from claims.batch.sources import UsageError

    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nname = "texts"\npath = "{DATA / "feeds"}"\n')
    out = tmp_path / "out"
    out.mkdir()
    with open(out / LOCK_FILE, "wb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(UsageError, match="another batch run"):
            run_batch(sources, out)
    assert not (out / "state.sqlite").exists()


def test_an_empty_feed_is_a_note_not_a_failure(tmp_path):
    """A feed with no news today, or an item with no text, loses nothing: a note in the
    report, exit 0; only inputs read in part make the run exit 1."""
    from claims.cli import main

    feed = tmp_path / "empty.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<item><guid>x1</guid><title></title><description></description></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nname = "quiet"\npath = "{feed}"\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["batch", "--sources", str(sources), "--out", str(out), "--quiet"]) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    quiet = next(s for s in report["sources"] if s["name"] == "quiet")
    assert quiet["warnings"] == [] and any("no text" in n for n in quiet["notes"])


def test_a_night_rewrites_only_the_days_it_touched(tmp_path, monkeypatch):
    """A year of history is not read again every night: only the days with a committed
    article (or a missing file) are rewritten; a day an article moved away from is
    emptied; a state from before days were tracked is rewritten once in full."""
    from claims.batch.state import State

    rows = [
        {"id": "a", "title": "t", "published": "2025-03-01", "text": SENTENCE},
        {"id": "b", "title": "t", "published": "2025-03-02", "text": "谷歌去年采购了16.9万颗TPU。"},
    ]
    sources = write_dump(tmp_path, rows)
    out = tmp_path / "out"
    run_batch(sources, out, workers=1)
    asked: list[str | None] = []
    real_items = State.items

    def counting(self, day=None):
        asked.append(day)
        return real_items(self, day)

    monkeypatch.setattr(State, "items", counting)
    run_batch(sources, out, workers=1)
    assert asked == []  # nothing new: no day read again

    rows.append({"id": "c", "title": "t", "published": "2025-03-02", "text": SENTENCE})
    write_dump(tmp_path, rows)
    run_batch(sources, out, workers=1)
    assert asked == ["2025-03-02"]
    assert len(read_jsonl(out / "2025-03-02" / "claims.jsonl")) == 2

    asked.clear()
    (out / "2025-03-01" / "claims.jsonl").unlink()
    rows[1]["published"] = "2025-03-03"  # b moves: 03-02 keeps c, 03-03 gets b
    rows[1]["text"] += "另据报道，谷歌还将追加采购。"
    write_dump(tmp_path, rows)
    run_batch(sources, out, workers=1)
    assert sorted(asked) == ["2025-03-01", "2025-03-02", "2025-03-03"]
    assert [r["source"]["id"] for r in read_jsonl(out / "2025-03-02" / "claims.jsonl")] == ["c"]
    assert [r["source"]["id"] for r in read_jsonl(out / "2025-03-03" / "claims.jsonl")] == ["b"]

    asked.clear()
    with State(out / "state.sqlite") as state:  # as a state from before the tracking
        state.db.execute("DROP TABLE dirty_days")
    run_batch(sources, out, workers=1)
    assert sorted(asked) == ["2025-03-01", "2025-03-02", "2025-03-03"]
