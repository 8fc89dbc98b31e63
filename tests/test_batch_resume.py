"""A batch killed with SIGKILL and run again equals an uninterrupted run; a Dask cluster
run equals a local one; headless Chromium shows the report's claims."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from claims.batch.run import run_batch
from claims.batch.workers import DELAY_ENV
from conftest import DATA, batch_command

FEEDS = DATA / "feeds"
LOCAL = {
    "rss2": ("rss2.xml", "新闻甲"),
    "rdf": ("rss1.rdf", "新闻乙"),
    "atom": ("atom.xml", "新闻丙"),
    "gbk": ("gbk.xml", "新闻丁"),
    "rss091": ("rss091.xml", "新闻戊"),
    "dump": ("dump.jsonl", "新闻己"),
    "texts": ("texts", "新闻庚"),
}
ITEMS = 21  # 5 + 3 + 4 + 2 + 1 + 4 + 2


def local_sources(tmp: Path) -> Path:
    lines = []
    for name, (path, outlet) in LOCAL.items():
        lines += [
            "[[source]]",
            f'name = "{name}"',
            f'path = "{FEEDS / path}"',
            f'outlet = "{outlet}"',
            "",
        ]
    target = tmp / "sources.toml"
    target.write_text("\n".join(lines), encoding="utf-8")
    return target


def outputs(out: Path) -> dict[str, bytes]:
    """Everything a reader uses, without run timestamps: day files and consolidated."""
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.glob("*/*.jsonl")}
    files["consolidated.jsonl"] = (out / "consolidated.jsonl").read_bytes()
    return files


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """An uninterrupted run, in this process (one Extractor)."""
    tmp = tmp_path_factory.mktemp("baseline")
    sources = local_sources(tmp)
    summary = run_batch(sources, tmp / "out", workers=1)
    return sources, tmp / "out", summary


def test_uninterrupted_run_over_local_fixtures(baseline):
    _, out, summary = baseline
    assert summary.failures == [] and summary.extracted == ITEMS
    assert summary.claims_total >= 40 and summary.consolidated < summary.claims_total
    merged = [json.loads(line) for line in (out / "consolidated.jsonl").read_text().splitlines()]
    humain = next(r for r in merged if r["buyer"]["id"] == "humain")
    assert humain["outlets"] == 2 and humain["articles"] == 2  # rss2 and atom both report it
    assert humain["first_seen"] < humain["last_seen"]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["totals"]["claims"] == summary.claims_total
    assert sum(row["claims"] for row in report["claims_per_buyer"]) == summary.claims_total


def items_committed(state: Path) -> int:
    try:
        with sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=5) as db:
            return int(db.execute("SELECT COUNT(*) FROM items").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_kill_9_mid_run_then_rerun_equals_an_uninterrupted_run(baseline, tmp_path):
    sources, expected, summary = baseline
    out = tmp_path / "out"
    process = start_slow_run(sources, out, stderr=subprocess.DEVNULL)
    try:
        wait_for_commits(process, out, 5)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the run and its worker processes
        process.wait(timeout=30)
    committed = items_committed(out / "state.sqlite")
    assert 5 <= committed < ITEMS
    assert not (out / "report.json").exists()  # killed before the end
    resumed = run_batch(sources, out, workers=1)
    assert resumed.extracted == ITEMS - committed
    assert resumed.claims_total == summary.claims_total
    assert outputs(out) == outputs(expected)
    with sqlite3.connect(out / "state.sqlite") as db:
        runs = [r[0] for r in db.execute("SELECT status FROM runs ORDER BY id")]
    assert runs == ["interrupted", "done"]


def start_slow_run(sources: Path, out: Path, stderr: int) -> subprocess.Popen:
    """A 2-worker batch run slowed per article (so it can be killed mid-way), in its own
    process group."""
    return subprocess.Popen(
        batch_command(sources, out, "--workers", "2", "--quiet"),
        env={**os.environ, DELAY_ENV: "0.3"},
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        text=True,
        start_new_session=True,
    )


def wait_for_commits(process: subprocess.Popen, out: Path, count: int) -> None:
    """Wait (up to 90 s) until the running batch has committed *count* articles."""
    deadline = time.monotonic() + 90
    while items_committed(out / "state.sqlite") < count:
        assert process.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "no article committed in time"
        time.sleep(0.05)


def worker_pids(parent: int) -> list[int]:
    """The spawned pool workers of process *parent* (not its resource tracker)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent and b"spawn_main" in cmdline:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_killed_worker_fails_its_articles_not_the_run(baseline, tmp_path):
    """A worker OOM-killed mid-run: the run still ends, with outputs and a report, exit
    1; the articles it did not finish are extracted by the next run."""
    sources, expected, _ = baseline
    out = tmp_path / "out"
    process = start_slow_run(sources, out, stderr=subprocess.PIPE)
    try:
        wait_for_commits(process, out, 3)
        victims = worker_pids(process.pid)
        assert victims, "no worker process found"
        os.kill(victims[0], signal.SIGKILL)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    assert process.returncode == 1, stderr
    assert "Traceback" not in stderr and "a worker failed" in stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert any("BrokenProcessPool" in f for f in report["run"]["failures"]), report["run"]
    committed = items_committed(out / "state.sqlite")
    assert committed < ITEMS
    assert (out / "consolidated.jsonl").exists() and (out / "report.html").exists()
    resumed = run_batch(sources, out, workers=1)
    assert resumed.extracted == ITEMS - committed and resumed.failures == []
    assert outputs(out) == outputs(expected)
    with sqlite3.connect(out / "state.sqlite") as db:
        runs = [r[0] for r in db.execute("SELECT status FROM runs ORDER BY id")]
    assert runs == ["failed", "done"]


def test_dask_cluster_run_equals_the_local_run(baseline, tmp_path):
    distributed = pytest.importorskip("distributed")
    sources, expected, summary = baseline
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        result = run_batch(sources, tmp_path / "out", scheduler=cluster.scheduler_address)
        with distributed.Client(cluster) as client:
            loaded = client.run(
                lambda dask_worker: hasattr(dask_worker.plugins["claims-extractor"], "extractor")
            )
    assert len(loaded) == 2 and all(loaded.values())  # the pipeline is on every worker
    assert result.extracted == ITEMS and result.claims_total == summary.claims_total
    assert outputs(tmp_path / "out") == outputs(expected)


def test_unreachable_scheduler_is_a_clear_failure():
    pytest.importorskip("distributed")
    from claims.batch.workers import DaskPool

    with pytest.raises(
        RuntimeError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"
    ) as caught:
        DaskPool("tcp://127.0.0.1:9", connect_timeout=1)
    assert isinstance(caught.value.__cause__, OSError | TimeoutError)  # not a hang


def test_dask_client_is_closed_when_pool_setup_fails(monkeypatch):
    distributed = pytest.importorskip("distributed")
    from claims.batch.workers import DaskPool

    closed = []

    class Client:
        def __init__(self, *args, **kwargs) -> None:
            pass

        def register_plugin(self, *args, **kwargs) -> None:
            raise RuntimeError("plugin refused")

        def close(self) -> None:
            closed.append(True)

    monkeypatch.setattr(distributed, "Client", Client)
    with pytest.raises(RuntimeError, match="plugin refused"):
        DaskPool("tcp://127.0.0.1:9")
    assert closed == [True]


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Claims(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.claims = 0
        self.marks: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article" and "claim" in (attrs.get("class") or ""):
            self.claims += 1
        if tag == "mark":
            self.marks.append(attrs.get("data-role") or "")


@pytest.mark.skipif(chromium() is None, reason="no chromium binary (.ci/run installs Debian's)")
def test_headless_chromium_renders_the_report(baseline, tmp_path):
    _, out, summary = baseline
    browser = chromium()
    assert browser is not None
    url = (out / "report.html").as_uri()
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        # no background traffic: nothing but the local file is loaded
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        f"--user-data-dir={tmp_path / 'p'}",
    ]
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=60
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    page = Claims()
    page.feed(dom.stdout)
    assert page.claims == summary.claims_total
    assert {"buyer", "product", "amount"} <= set(page.marks)
    assert "HUMAIN" in dom.stdout and "<svg" in dom.stdout
    shot = tmp_path / "report.png"
    subprocess.run(
        [browser, *flags, f"--screenshot={shot}", "--window-size=1200,1600", url],
        capture_output=True,
        timeout=60,
    )
    assert shot.exists() and shot.stat().st_size > 10_000
