"""Lexicon only vs lexicon + entity model (issue #4).

    .venv/bin/python benchmarks/ablation.py [--dev ../shared/eval/devset] [--json]

Prints, for each setting: recall on `corpus/unseen` (documents naming only held-out
companies and products, scored with a lexicon that excludes them:
`models/ner/heldout.json`), and P/R/F1 on the shared dev set (when it is there) and on
`corpus/news`, both with the shipped lexicon. Scores use `claims.evaluate` (the shared
kit's matching rules). Figures, not assertions: the README quotes them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from claims.evaluate import load_jsonl, predict_folder, score  # noqa: E402
from claims.extractor import Extractor  # noqa: E402
from claims.ner import heldout_ids  # noqa: E402


def evaluate(folder: Path, extractor: Extractor) -> dict[str, float]:
    """P/R/F1 of *extractor* on a folder of documents with gold.jsonl."""
    gold = load_jsonl(folder / "gold.jsonl")
    s = score(gold, predict_folder(folder, gold, extractor))
    return {"p": s.precision, "r": s.recall, "f1": s.f1, "tp": s.tp, "fp": s.fp, "fn": s.fn}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", default=str(ROOT.parent / "shared" / "eval" / "devset"))
    parser.add_argument("--segmenter", default="jieba")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    dev = Path(args.dev)
    sets = {"unseen": ROOT / "corpus" / "unseen", "news": ROOT / "corpus" / "news"}
    if (dev / "gold.jsonl").is_file():
        sets["dev"] = dev
    results: dict[str, dict[str, dict[str, float]]] = {}
    # unseen first: jieba's user words only grow, so the reduced lexicon's runs come
    # before any run that adds the held-out aliases
    for name in ("unseen", "dev", "news"):
        if name not in sets:
            continue
        for ner in (False, True):
            exclude = heldout_ids() if name == "unseen" else frozenset()
            extractor = Extractor(args.segmenter, ner=ner, exclude=exclude)
            started = time.perf_counter()
            found = evaluate(sets[name], extractor)
            found["seconds"] = round(time.perf_counter() - started, 2)
            results.setdefault("lexicon + model" if ner else "lexicon only", {})[name] = found
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    print("| setting | unseen recall | dev P | dev R | dev F1 | news P | news R | news F1 |")
    print("|---|---|---|---|---|---|---|---|")
    for setting, by_set in results.items():
        cells = [
            f"{by_set['unseen']['r']:.2f} ({by_set['unseen']['tp']}/"
            f"{by_set['unseen']['tp'] + by_set['unseen']['fn']})"
        ]
        for name in ("dev", "news"):
            if name in by_set:
                cells += [f"{by_set[name][k]:.2f}" for k in ("p", "r", "f1")]
            else:
                cells += ["–"] * 3
        print(f"| {setting} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
