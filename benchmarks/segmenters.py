"""jieba vs spacy-pkuseg (trained here) as the pipeline's segmenter (issue #4).

    .venv/bin/python benchmarks/segmenters.py [--dev ../shared/eval/devset] [--json]

Prints, for each segmenter (both with the lexicon aliases as user words): word P/R/F1
on the held-back part of our hand-checked segmentation set
(`corpus/segmentation/test.txt`), claim P/R/F1 on the shared dev set (when there) and
on `corpus/news`, and speed in characters per second cutting the corpus sentences
(best of three passes, one process). Figures, not assertions: the README quotes them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from claims.extractor import Extractor  # noqa: E402
from claims.normalize import normalize  # noqa: E402
from claims.segment import SEGMENTERS, Segmenter  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ablation import evaluate  # noqa: E402


def sentence_of(words: list[str]) -> str:
    """The sentence behind a line of the set: a space only between two Latin/digit words."""
    text = ""
    for word in words:
        if text and text[-1].isascii() and text[-1].isalnum() and word[0].isascii():
            text += " "
        text += word
    return text


def _spans(pairs: list[tuple[int, int]], text: str) -> set[tuple[int, int]]:
    """Word spans as offsets counted over the non-space characters."""
    index, at = {}, 0
    for i, ch in enumerate(text):
        if not ch.isspace():
            index[i] = at
            at += 1
    index[len(text)] = at
    return {(index[a], index[b - 1] + 1) for a, b in pairs}


def system_words(segmenter: Segmenter, text: str) -> set[tuple[int, int]]:
    starts, ends = segmenter.tokens(text).boundaries()
    return _spans(list(zip(starts, ends, strict=True)), text)


def gold_words(words: list[str], text: str) -> set[tuple[int, int]]:
    pairs, at = [], 0
    for word in words:
        at = text.index(word, at)
        pairs.append((at, at + len(word)))
        at += len(word)
    return _spans(pairs, text)


def segmentation_scores(segmenter: Segmenter, lines: list[list[str]]) -> dict[str, float]:
    tp = n_gold = n_sys = 0
    for words in lines:
        text = sentence_of(words)
        gold, found = gold_words(words, text), system_words(segmenter, text)
        tp += len(gold & found)
        n_gold += len(gold)
        n_sys += len(found)
    p, r = tp / n_sys, tp / n_gold
    return {"p": p, "r": r, "f1": 2 * p * r / (p + r)}


def speed(segmenter: Segmenter, sentences: list[str]) -> float:
    chars = sum(len(s) for s in sentences)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for sentence in sentences:
            list(segmenter._cut(sentence))
        best = min(best, time.perf_counter() - started)
    return chars / best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", default=str(ROOT.parent / "shared" / "eval" / "devset"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    test = [
        line.split()
        for line in (ROOT / "corpus" / "segmentation" / "test.txt").read_text().splitlines()
        if line.strip()
    ]
    corpus = [
        line.strip()
        for path in sorted((ROOT / "corpus" / "news").glob("*.txt"))
        for line in normalize(path.read_text(encoding="utf-8")).splitlines()
        if line.strip()
    ]
    dev = Path(args.dev)
    results = {}
    for name in SEGMENTERS:
        extractor = Extractor(name)
        segmenter = extractor.segmenter
        row = {"seg": segmentation_scores(segmenter, test), "chars_per_s": speed(segmenter, corpus)}
        if (dev / "gold.jsonl").is_file():
            row["dev"] = evaluate(dev, extractor)
        row["news"] = evaluate(ROOT / "corpus" / "news", extractor)
        results[name] = row
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    print("| segmenter | seg P | seg R | seg F1 | dev claim F1 | news claim F1 | chars/s |")
    print("|---|---|---|---|---|---|---|")
    for name, row in results.items():
        seg = row["seg"]
        dev_f1 = f"{row['dev']['f1']:.2f}" if "dev" in row else "–"
        print(
            f"| {name} | {seg['p']:.3f} | {seg['r']:.3f} | {seg['f1']:.3f} | {dev_f1} | "
            f"{row['news']['f1']:.2f} | {row['chars_per_s'] / 1000:.0f} k |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
