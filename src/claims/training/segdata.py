"""Build the segmentation set `corpus/segmentation/{train,test}.txt`.

One sentence a line, words separated by spaces, in normalised text (what the pipeline
segments). It starts from jieba's output (with the lexicon's aliases as user words) on
the sentences of `corpus/news` and on generated sentences, then applies the corrections
our conventions ask for, which were checked by reading the files:

- a number with its scale is one word (48.5万, 22万4000, 310亿), its classifier another
  (20 架 飞机, not jieba's 20 架飞机);
- a date part is one word (2025年, 3月, 12日), so is a percentage (30%);
- a lexicon name is one word when jieba split it into whole words (Counter|point);
- hand fixes for single sentences (`corpus/segmentation/fixes.json`), found by reading
  the test part.

Documents, not sentences, are split ~80/20 (every fifth document is test), so no test
sentence has a twin in training. Run: `python -m claims.training.segdata`.
"""

from __future__ import annotations

import argparse
import json
import random
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import regex

from ..amounts import grammar
from ..lexicon import load_lexicon
from ..normalize import fold_case, normalize
from ..segment import Segmenter
from ..sentences import split_sentences
from .heldout import ROOT

SEED = 7
NUMBER = regex.compile(
    r"(?<![0-9.,A-Za-z\-])(?:[0-9]+(?:\.[0-9]+)?%|[0-9]{1,3}(?:,[0-9]{3})+|"
    r"[0-9]+(?:\.[0-9]+)?(?:[万亿千]零?(?:[0-9]+(?:\.[0-9]+)?)?)*[万亿]?)(?![A-Za-z0-9.\-])"
)
# a model number: letters, digits, one trailing letter, hyphenated parts (H100, MI250X,
# A330-300, 787-10); GB200GPU is GB200 + GPU
MODEL = regex.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{0,5}[0-9]+(?:[A-Za-z](?![A-Za-z]))?(?:-[A-Za-z0-9]+)*"
)
DATE = regex.compile(r"(?<![0-9])[0-9]{1,4}(?:年|月|日|号)")
# sentence-specific fixes after reading the output: (wrong words, right words), in
# corpus/segmentation/fixes.json
FIXES: list[tuple[str, str]] = [
    (wrong, right)
    for wrong, right in json.loads(
        (ROOT / "corpus" / "segmentation" / "fixes.json").read_text(encoding="utf-8")
    )["fixes"]
]


@cache
def _segmenter() -> Segmenter:
    return Segmenter(load_lexicon().aliases, "jieba")


def _cut(text: str) -> list[str]:
    """jieba's words, as the pipeline cuts them (lexicon aliases are user words)."""
    return [w for w in _segmenter()._cut(text) if w.strip()]


def _boundaries(words: list[str]) -> set[int]:
    cuts, position = {0}, 0
    for word in words:
        position += len(word)
        cuts.add(position)
    return cuts


def _force(cuts: set[int], start: int, end: int) -> None:
    """Make text[start:end] one word."""
    for inside in range(start + 1, end):
        cuts.discard(inside)
    cuts.update((start, end))


def correct(sentence: str, names: tuple[str, ...] = ()) -> list[str]:
    """jieba's words of *sentence*, corrected by the conventions; spaces separate.
    *names* (invented names of generated sentences) are made single words too."""
    return [w for chunk in sentence.split() for w in _correct_chunk(chunk, names)]


def _correct_chunk(sentence: str, names: tuple[str, ...]) -> list[str]:
    words = _cut(sentence)
    text = "".join(words)
    cuts = _boundaries(words)
    lexicon = load_lexicon()
    hits = [*lexicon.scan(fold_case(text)), *lexicon.scan_patterns(text)]
    for hit in hits:
        if hit.end - hit.start >= 2 and hit.start in cuts and hit.end in cuts:
            _force(cuts, hit.start, hit.end)
    for name in names:
        for m in regex.finditer(regex.escape(name), text):
            _force(cuts, m.start(), m.end())
    classifiers = grammar().classifiers
    for pattern in (MODEL, NUMBER, DATE):
        for m in pattern.finditer(text):
            if pattern is not MODEL or not m.group().isdigit():
                _force(cuts, m.start(), m.end())
            if pattern is NUMBER and text[m.end() : m.end() + 1] in classifiers:
                _force(cuts, m.end(), m.end() + 1)  # 20|架|飞机, not 20|架飞机
    ordered = sorted(cuts)
    out = [text[a:b] for a, b in pairwise(ordered)]
    line = " ".join(out)
    for wrong, right in FIXES:
        line = regex.sub(rf"(?<=^| ){regex.escape(wrong)}(?= |$)", right, line)
    return line.split()


def _documents() -> list[tuple[str, list[tuple[str, tuple[str, ...]]]]]:
    docs = []
    for path in sorted((ROOT / "corpus" / "news").glob("*.txt")):
        text = normalize(path.read_text(encoding="utf-8-sig"))
        sentences = [" ".join(text[s.start : s.end].split()) for s in split_sentences(text)]
        docs.append((path.name, [(s, ()) for s in sentences if len(s) >= 4]))
    return docs


def _generated(n: int) -> list[tuple[str, list[tuple[str, tuple[str, ...]]]]]:
    from .generate import generate
    from .ner import heldout

    rows = generate(n, heldout(), traditional=0.0, seed=SEED)
    # ten generated "documents" of n/10 sentences each, split like the corpus
    size = max(1, n // 10)
    return [
        (f"generated-{i}", [(normalize(r["text"]), _orgs(r)) for r in rows[i : i + size]])
        for i in range(0, len(rows), size)
    ]


def _orgs(row: dict[str, Any]) -> tuple[str, ...]:
    text = normalize(row["text"])
    return tuple(
        text[a:b] for a, b, label in row["spans"] if label == "ORG" and " " not in text[a:b]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generated", type=int, default=200)
    parser.add_argument("--out", default=str(ROOT / "corpus" / "segmentation"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    docs = _documents() + _generated(args.generated)
    parts: dict[str, list[str]] = {"train": [], "test": []}
    split: dict[str, str] = {}
    for i, (name, sentences) in enumerate(docs):
        part = "test" if i % 5 == 4 else "train"
        split[name] = part
        parts[part] += [" ".join(correct(s, names)) for s, names in sentences]
    random.Random(SEED).shuffle(parts["train"])
    for part, lines in parts.items():
        (out / f"{part}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{part}: {len(lines)} sentences, {sum(len(x.split()) for x in lines)} words")
    (out / "split.json").write_text(json.dumps(split, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
