"""Where extraction runs: local worker processes (the default) or a Dask cluster.

Both load the pipeline once per worker — the lexicon and jieba with its user words are
read in the worker's initializer (local) or a WorkerPlugin's `setup` (Dask) — and then
take one article per task. Tasks get plain dicts and return plain dicts (cheap to
pickle); results come back in completion order and are committed by the caller, the
only process writing the state.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..extractor import Extractor

DELAY_ENV = "CLAIMS_BATCH_ARTICLE_DELAY"  # seconds per article; for kill-and-resume tests
# A task extracts a few articles together, so that the entity recogniser reads their
# sentences in one batch; few enough that both workers get work and a killed task loses
# little.
ARTICLES_PER_TASK = 8
TASK_CHARS = 400_000
WARMUP = "据Omdia估计，微软今年购买了48.5万块英伟达Hopper芯片。"
PLUGIN_NAME = "claims-extractor"
# Loading the pipeline costs a worker ~2 s, about what it takes to extract 150 articles:
# by default a small backlog gets fewer processes than cores (1 = in the main process).
ARTICLES_PER_WORKER = 150


def default_workers(articles: int) -> int:
    """Processes worth starting for *articles*: one per ARTICLES_PER_WORKER, at most one
    per core."""
    cores = os.cpu_count() or 1
    return max(1, min(cores, -(-articles // ARTICLES_PER_WORKER)))


_extractor: Extractor | None = None


def warm_extractor() -> Extractor:
    """An Extractor with everything loaded (lexicon, jieba user words): the first
    article must not pay for it, and every worker must have it."""
    from ..extractor import Extractor

    extractor = Extractor()
    extractor.run(WARMUP)
    return extractor


def extract_payloads(extractor: Extractor, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Claims of a few articles as JSON-ready dicts, read together (`Extractor.run_many`:
    the entity recogniser answers them in one batch); an article's exception becomes its
    `error`, and only its own."""
    delay = float(os.environ.get(DELAY_ENV) or 0)
    if delay:
        time.sleep(delay * len(payloads))
    items = [
        (
            p["text"],
            p["doc"],
            p["encoding"],
            date.fromisoformat(p["published"]) if p.get("published") else None,
        )
        for p in payloads
    ]
    outs: list[dict[str, Any]] = []
    for payload, outcome in zip(payloads, extractor.run_many(items), strict=True):
        out: dict[str, Any] = {"key": payload["key"], "claims": [], "rejections": 0, "error": None}
        if isinstance(outcome, Exception):  # one bad article must not stop the run
            out["error"] = f"{type(outcome).__name__}: {outcome}"
        else:
            out["claims"] = [claim.to_dict() for claim in outcome.claims]
            out["rejections"] = len(outcome.rejections)
        outs.append(out)
    return outs


def tasks(payloads: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Articles grouped for one task: up to ARTICLES_PER_TASK of them, TASK_CHARS of text."""
    from ..extractor import grouped

    return grouped(payloads, lambda p: len(p["text"]), ARTICLES_PER_TASK, TASK_CHARS)


class Pool(Protocol):
    def run(self, payloads: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]: ...

    def close(self) -> None: ...


# ------------------------------------------------------------------------ local
_init_error: str | None = None


def _init_local() -> None:
    global _extractor
    _extractor = warm_extractor()


def _init_worker() -> None:
    """Worker initializer: a pipeline that fails to load fails each task with the reason
    (a traceback from the pool machinery would tell the user nothing)."""
    global _init_error
    try:
        _init_local()
    except Exception as exc:
        _init_error = f"the pipeline failed to load: {type(exc).__name__}: {exc}"


def _local_task(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if _extractor is None:
        return [
            {"key": p["key"], "claims": [], "rejections": 0, "error": _init_error} for p in payloads
        ]
    return extract_payloads(_extractor, payloads)


class LocalPool:
    """`workers` processes (spawned, one Extractor each); 1 means in this process."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._executor: Any = None

    def run(self, payloads: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        if self.workers == 1:
            if _extractor is None:  # kept for later runs in this process
                _init_local()
            for task in tasks(payloads):
                yield from extract_payloads(_extractor, task)  # type: ignore[arg-type]
            return
        import multiprocessing
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        self._executor = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
        )
        yield from _bounded(
            self._executor.submit,
            _local_task,
            tasks(payloads),
            self.workers * 2,
            lambda futures: wait(futures, return_when=FIRST_COMPLETED)[0],
        )

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def _bounded(
    submit: Any, task: Any, groups: Iterable[list[dict[str, Any]]], limit: int, wait_some: Any
) -> Iterator[dict[str, Any]]:
    """Keep at most *limit* tasks in flight (memory stays flat on a large backlog)."""
    pending: set[Any] = set()
    queue = iter(groups)
    exhausted = False
    while True:
        while not exhausted and len(pending) < limit:
            try:
                pending.add(submit(task, next(queue)))
            except StopIteration:
                exhausted = True
        if not pending:
            return
        for future in wait_some(pending):
            pending.discard(future)
            yield from future.result()


# ------------------------------------------------------------------------- Dask
def _dask_task(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from distributed import get_worker

    plugin = get_worker().plugins.get(PLUGIN_NAME)
    extractor = getattr(plugin, "extractor", None)
    if extractor is None:  # the plugin's setup failed: an article error, not a crash
        error = "the pipeline failed to load on this Dask worker"
        return [{"key": p["key"], "claims": [], "rejections": 0, "error": error} for p in payloads]
    return extract_payloads(extractor, payloads)


def _extractor_plugin() -> Any:
    """The WorkerPlugin class, defined only once distributed is importable."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class ExtractorPlugin(WorkerPlugin):
        """Loads the pipeline once per Dask worker."""

        name = PLUGIN_NAME

        def setup(self, worker: Any) -> None:
            self.extractor = warm_extractor()

    return ExtractorPlugin()


class DaskPool:
    """The same tasks on a Dask distributed cluster at *address* (tcp://host:port)."""

    def __init__(self, address: str, workers: int = 0, connect_timeout: float = 15.0) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise RuntimeError("--scheduler needs Dask: pip install 'claims[dask]'") from exc
        try:
            self.client = Client(address, timeout=connect_timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise RuntimeError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        try:
            self.client.register_plugin(_extractor_plugin(), name=PLUGIN_NAME)
            self.slots = sum(self.client.nthreads().values()) or 1
        except BaseException:  # the caller gets no pool to close: close the client here
            self.client.close()
            raise
        self.limit = max(workers, self.slots) * 2

    def run(self, payloads: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        from distributed import as_completed

        queue = tasks(payloads)
        done = as_completed(loop=self.client.loop)
        for group in queue:
            done.add(self.client.submit(_dask_task, group, pure=False))
            if done.count() >= self.limit:
                break
        for future in done:
            yield from future.result()
            future.release()
            group = next(queue, None)
            if group is not None:
                done.add(self.client.submit(_dask_task, group, pure=False))

    def close(self) -> None:
        self.client.close()
