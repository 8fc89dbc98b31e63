"""Instructions per pass of extraction and of bare jieba, counted by valgrind (issue #6).

    .venv/bin/python benchmarks/instructions.py [--mb 0.3] [--no-ner]

The shared development machine's speed drifts by a third within minutes, and not alike
for every kind of work, so timings of two versions taken minutes apart compare poorly.
Instruction counts do not drift: each side is run under `valgrind --tool=cachegrind`
twice, with no pass and with two passes over the same corpus as `bench.py` builds (setup
cancels out), both runs at once on the two cores. About two minutes for 0.3 MB. The
count is a proxy, not a timing: on a quiet core jieba retires its instructions faster
than the extractor does (README, "Performance").
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent

# run in a child under valgrind: build the corpus, warm up, then *passes* passes
_CHILD = """
import sys
sys.path.insert(0, {here!r})
import bench
documents = bench.build_corpus({mb}, 0.08, 7)
passes = int(sys.argv[1])
if {jieba}:
    import jieba
    jieba.initialize()
    run = lambda docs: [jieba.lcut(d) for d in docs]
else:
    from claims import Extractor
    extractor = Extractor(ner={ner})
    run = lambda docs: list(extractor.pipe((d, str(i)) for i, d in enumerate(docs)))
run(documents[:64])
for _ in range(passes):
    run(documents)
"""


def _instructions(code: str, passes: int) -> int:
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    command += [sys.executable, "-c", code, str(passes)]
    env = dict(os.environ, PYTHONHASHSEED="0")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_pass(code: str) -> float:
    """Instructions of one pass: (two passes - none) / 2, both runs at once."""
    with ThreadPoolExecutor(2) as pool:
        none, two = pool.map(lambda n: _instructions(code, n), (0, 2))
    return (two - none) / 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=0.3, help="corpus size in MB (default 0.3)")
    parser.add_argument("--ner", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("instructions.py needs valgrind (Debian: apt-get install valgrind)")
    settings = {"here": str(HERE), "mb": args.mb, "ner": args.ner}
    extract = per_pass(_CHILD.format(jieba=False, **settings))
    jieba = per_pass(_CHILD.format(jieba=True, **settings))
    model = "on" if args.ner else "off"
    print(f"corpus      {args.mb} MB (bench.py's, seed 7), entity model {model}")
    print(f"jieba.lcut  {jieba / 1e9:.3f} G instructions per pass")
    print(f"extract     {extract / 1e9:.3f} G instructions per pass   ratio {jieba / extract:.2f}")


if __name__ == "__main__":
    main()
