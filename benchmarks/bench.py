"""Throughput, scaling, cold start and memory of the extractor (issue #6).

    .venv/bin/python benchmarks/bench.py [--mb 1.2] [--claim-share 0.08] [--seed 7]
    .venv/bin/python benchmarks/bench.py --model-cost   # what the default costs apart from
                                                        # the recogniser's own work

Builds a news-like corpus: sentences of our own annotated news (`corpus/news`, claim-dense)
mixed with filler sentences generated from `benchmarks/filler.json` (dates, percentages,
phone numbers, prices, market sizes: the numbers that are not claims), grouped into
documents of 12–30 sentences. Prints, on one core, characters per second of bare
`jieba.lcut` and of `Extractor.pipe` over the same documents and their ratio; then both
with 2 worker processes and their speed-up over 1, beside that of a fixed pure-Python
loop, all taken at the same moments (what the machine's two cores give at all); the
cold start of `claims extract` on one small file; the peak RSS of a one-process
extraction. Figures, not assertions: the README quotes them.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "news"
FILLER = Path(__file__).resolve().parent / "filler.json"
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
REPEATS = 5  # timings of each slice; the least disturbed one counts
LOOP_PER_CHAR = 200  # iterations of `_loop_chars` per character: about jieba's time


def build_corpus(megabytes: float, claim_share: float, seed: int) -> list[str]:
    """Documents of mixed corpus and filler sentences, about *megabytes* of UTF-8."""
    rng = random.Random(seed)
    news = [
        s.strip()
        for path in sorted(CORPUS.glob("*.txt"))
        for s in _SENTENCE_END.split(path.read_text(encoding="utf-8"))
        if len(s.strip()) > 4
    ]
    filler = json.loads(FILLER.read_text(encoding="utf-8"))
    slots, templates = filler["slots"], filler["templates"]

    def fill(template: str) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: rng.choice(slots[m.group(1)]), template)

    documents: list[str] = []
    size = 0
    target = int(megabytes * 1024 * 1024)
    while size < target:
        count = rng.randint(12, 30)
        sentences = [
            rng.choice(news) if rng.random() < claim_share else fill(rng.choice(templates))
            for _ in range(count)
        ]
        document = "\n".join("".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4))
        documents.append(document)
        size += len(document.encode("utf-8"))
    return documents


# -------------------------------------------------------------- one process
def _jieba_chars(documents: list[str]) -> int:
    import jieba

    for document in documents:
        jieba.lcut(document)
    return sum(map(len, documents))


def _extract_chars(documents: list[str]) -> int:
    from claims import Extractor

    extractor = _WORKER.get("extractor") or Extractor(ner=_NER[0])
    _WORKER["extractor"] = extractor
    for _ in extractor.pipe((document, f"bench-{i}") for i, document in enumerate(documents)):
        pass
    return sum(map(len, documents))


_WORKER: dict[str, object] = {}
_NER: list[bool | None] = [None]  # --ner/--no-ner; None: the extractor's default


def _warm() -> None:
    """Load jieba's dictionary, the lexicon and the segmenter before timing."""
    import jieba

    from claims import Extractor

    jieba.initialize()
    extractor = Extractor(ner=_NER[0])
    extractor.extract("据Omdia估计，微软今年购买了48.5万块英伟达Hopper芯片。")
    if extractor.ner:  # load the recogniser (spaCy) before timing
        from claims.ner import load_model

        load_model()
    _WORKER["extractor"] = extractor


def _rate(function, documents: list[str], repeats: int = REPEATS) -> float:
    """Characters per second over *documents*, from the least disturbed of *repeats*
    timings of each slice (see `_rates`)."""
    return _rates([function], documents, repeats)[0]


def _rates(functions, documents: list[str], repeats: int = REPEATS) -> list[float]:
    """`_rate` of each function, taken slice by slice (one recogniser group of documents,
    a tenth of a second of work): each slice is timed with every function in turn,
    *repeats* times, and each function's time is the sum of its best time per slice. On
    a shared machine whose speed drifts within a second, both sides of a ratio then see
    the same moments, and a disturbed slice costs one slice, not a whole pass."""
    from claims.extractor import GROUP_DOCUMENTS

    step = GROUP_DOCUMENTS
    slices = [documents[i : i + step] for i in range(0, len(documents), step)]
    best = [[float("inf")] * len(slices) for _ in functions]
    for _ in range(repeats):
        for k, piece in enumerate(slices):
            for i, function in enumerate(functions):
                started = time.perf_counter()
                function(piece)
                best[i][k] = min(best[i][k], time.perf_counter() - started)
    total = sum(map(len, documents))
    return [total / sum(times) for times in best]


def _machine_ms() -> float:
    """A fixed pure-Python loop, in ms (best of 5): how fast this machine runs Python,
    to compare figures taken on different machines."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        sum(range(10_000_000))
        best = min(best, time.perf_counter() - started)
    return best * 1000


def _loop_chars(documents: list[str]) -> int:
    """A fixed pure-Python loop sized by the documents (no text read, little memory
    touched): how much faster 2 processes run it than 1 is what the cores themselves
    give (a virtual machine's two cores may be one core's two threads)."""
    chars = sum(map(len, documents))
    sum(range(LOOP_PER_CHAR * chars))
    return chars


def _parallel_rates(functions, documents: list[str], worker_counts: list[int]) -> list[list[float]]:
    """Characters per second of each function over *documents* spread over each number
    of worker processes (`[function][count]`). Every pool gets the same tasks (at most
    one recogniser group of documents each, so no pool reads in smaller batches), a
    slice of as many tasks as the largest pool has workers at a time; as in `_rates`,
    each slice is timed with every function in every pool in turn, best of REPEATS per
    slice: a speed-up is a ratio of two rates, and on a machine whose speed drifts by a
    third within minutes all of them must see the same moments. The pools live side
    by side (an idle one costs nothing); each first does one untimed pass, so every
    worker process is warm."""
    from claims.extractor import GROUP_DOCUMENTS

    width = max(worker_counts)
    count = width * -(-len(documents) // (GROUP_DOCUMENTS * width))  # whole slices
    tasks = [documents[i::count] for i in range(count)]
    slices = [tasks[i : i + width] for i in range(0, len(tasks), width)]
    pools = [ProcessPoolExecutor(n, initializer=_warm) for n in worker_counts]
    try:
        for pool in pools:
            for function in functions:
                sum(pool.map(function, tasks))
        best = [[[float("inf")] * len(slices) for _ in pools] for _ in functions]
        for _ in range(REPEATS):
            for k, piece in enumerate(slices):
                for f, function in enumerate(functions):
                    for i, pool in enumerate(pools):
                        started = time.perf_counter()
                        sum(pool.map(function, piece))
                        best[f][i][k] = min(best[f][i][k], time.perf_counter() - started)
    finally:
        for pool in pools:
            pool.shutdown()
    total = sum(map(len, documents))
    return [[total / sum(times) for times in per_pool] for per_pool in best]


def _rate_without_model_cost(documents: list[str]) -> float:
    """`Extractor.pipe` with the recogniser's answers memoised after a first pass: what
    the default costs apart from the model itself (its second linking pass included)."""
    from claims import Extractor
    from claims.ner import EntityModel, ModelRequest

    class Memoised(EntityModel):
        """The same requests come back on every pass: answered once."""

        def __init__(self) -> None:
            super().__init__()
            self.memo: dict[object, list] = {}

        def hits_many(self, requests: list[ModelRequest]) -> list:
            key = tuple((r.text, tuple(r.ranges)) for r in requests)
            if key not in self.memo:
                self.memo[key] = super().hits_many(requests)
            return self.memo[key]

    extractor = Extractor(ner=True)
    extractor._model = Memoised()
    _WORKER["extractor"] = extractor
    _extract_chars(documents)  # fill the memo
    try:
        return _rate(_extract_chars, documents)
    finally:
        del _WORKER["extractor"]


# ------------------------------------------------------------ whole process
def _cold_start() -> float:
    sample = "据Omdia估计，微软今年购买了48.5万块英伟达Hopper芯片。\n"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "small.txt"
        path.write_text(sample, encoding="utf-8")
        command = [sys.executable, "-m", "claims", "extract", str(path), *_ner_flag()]
        subprocess.run(command, check=True, capture_output=True)  # warm the OS caches
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            best = min(best, time.perf_counter() - started)
        return best


# `claims extract` that reports its own peak RSS: the kernel's high-water mark of the
# process's memory since its exec (VmHWM), free of the forking benchmark's size
_REPORTING_CLI = """
import sys
from claims.cli import main
code = main(sys.argv[2:])
status = open("/proc/self/status").read()
peak = [line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")][0]
open(sys.argv[1], "w").write(peak)
raise SystemExit(code)
"""


def _peak_rss_mb(documents: list[str]) -> float:
    """The peak RSS of one `claims extract` process over the corpus (Linux)."""
    with tempfile.TemporaryDirectory() as folder:
        for i, document in enumerate(documents):
            (Path(folder) / f"d{i:05d}.txt").write_text(document, encoding="utf-8")
        report = Path(folder) / "peak-kb"
        command = [sys.executable, "-c", _REPORTING_CLI, str(report), "extract", folder]
        command += ["-o", str(Path(folder) / "o"), *_ner_flag()]
        subprocess.run(command, check=True, capture_output=True)
        return int(report.read_text()) / 1024


def _ner_flag() -> list[str]:
    return [] if _NER[0] is None else ["--ner" if _NER[0] else "--no-ner"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=1.2, help="corpus size in MB (default 1.2)")
    parser.add_argument("--claim-share", type=float, default=0.08)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--ner",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run the entity model (default: the extractor's default)",
    )
    parser.add_argument(
        "--model-cost",
        action="store_true",
        help="also time the default with the recogniser's answers memoised (then exit)",
    )
    args = parser.parse_args()
    _NER[0] = args.ner

    documents = build_corpus(args.mb, args.claim_share, args.seed)
    chars = sum(map(len, documents))
    size = sum(len(d.encode("utf-8")) for d in documents) / 1024 / 1024
    print(f"corpus: {len(documents)} documents, {chars:,} characters, {size:.2f} MB")
    print(f"machine     sum(range(10**7)) in {_machine_ms():.0f} ms (compare machines by it)")
    _warm()
    jieba_1, extract_1 = _rates([_jieba_chars, _extract_chars], documents)
    print(f"1 process   jieba.lcut {jieba_1:>10,.0f} chars/s")
    print(f"1 process   extract    {extract_1:>10,.0f} chars/s   ratio {extract_1 / jieba_1:.2f}")
    if args.model_cost:
        free = _rate_without_model_cost(documents)
        print(
            f"1 process   extract, recogniser answers free {free:>10,.0f} chars/s   "
            f"ratio {free / jieba_1:.2f}"
        )
        return
    (loop_1, loop_n), (jieba_p1, jieba_n), (extract_p1, extract_n) = _parallel_rates(
        [_loop_chars, _jieba_chars, _extract_chars], documents, [1, args.workers]
    )
    print(
        f"{args.workers} processes a fixed loop          speed-up over 1 worker "
        f"{loop_n / loop_1:.2f} (what the cores give)"
    )
    print(
        f"{args.workers} processes jieba.lcut {jieba_n:>10,.0f} chars/s   "
        f"speed-up over 1 worker {jieba_n / jieba_p1:.2f}"
    )
    print(
        f"{args.workers} processes extract    {extract_n:>10,.0f} chars/s   "
        f"speed-up over 1 worker {extract_n / extract_p1:.2f}"
    )
    print(f"cold start  claims extract small.txt  {_cold_start():.2f} s (best of 3)")
    print(
        f"peak RSS    claims extract (whole corpus, one process)  {_peak_rss_mb(documents):.0f} MB"
    )


if __name__ == "__main__":
    main()
