"""Train the entity recogniser (ORG, PRODUCT) shipped in `models/ner/model`.

Data: (a) every sentence of our annotated corpus (`corpus/news`), labelled by the
lexicon tagger plus the gold buyers and products the tagger missed, and (b) the
generated collection of `claims.training.generate`, silver-labelled by the lexicon.
Sentences naming a held-out entry (`models/ner/heldout.json`) are dropped, and the
labelling lexicon leaves those entries out. Seeds are fixed; one thread.

Run (≈ 10 minutes on one core):
    nice -n 10 .venv/bin/python -m claims.training.ner
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from ..lexicon import Lexicon  # noqa: E402
from ..normalize import normalize  # noqa: E402
from ..resources import load_json, load_jsonl, models_dir  # noqa: E402
from ..sentences import split_sentences  # noqa: E402
from ..tagger import tag  # noqa: E402
from .generate import generate  # noqa: E402
from .heldout import ROOT  # noqa: E402

SEED = 0
LABELS = ("ORG", "PRODUCT")


def heldout() -> dict[str, Any]:
    return json.loads((models_dir() / "ner" / "heldout.json").read_text(encoding="utf-8"))


def _overlaps(a: int, b: int, spans: list[list[Any]]) -> bool:
    return any(a < e and s < b for s, e, _ in spans)


def corpus_examples(folder: Path, held: dict[str, Any]) -> list[dict[str, Any]]:
    """Sentences of an annotated folder with lexicon spans plus gold names."""
    banned = {a for key in ("orgs", "products") for r in held[key] for a in r["aliases"]}
    excluded = {r["id"] for key in ("orgs", "products") for r in held[key]}
    lexicon = Lexicon(
        load_jsonl("lexicon/organizations.jsonl"),
        load_jsonl("lexicon/products.jsonl"),
        load_jsonl("lexicon/sources.jsonl"),
        load_json("lexicon/product_patterns.json"),
        excluded,
    )
    gold = {}
    for line in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            gold[row["doc"]] = row
    rows = []
    for doc, row in sorted(gold.items()):
        path = folder / doc
        if not path.is_file():
            continue
        original = path.read_text(encoding="utf-8-sig")
        text = normalize(original)
        tagged = tag(text, lexicon)
        names = [
            (normalize(name), label)
            for claim in row["claims"]
            for key, label in (("buyer", "ORG"), ("product", "PRODUCT"))
            for name in claim.get(key) or []
        ]
        for sentence in split_sentences(text):
            a, b = sentence.start, sentence.end
            body = text[a:b]
            if len(body.strip()) < 4 or any(x in body for x in banned):
                continue
            spans: list[list[Any]] = [
                [m.start - a, m.end - a, label]
                for pool, label in ((tagged.orgs, "ORG"), (tagged.products, "PRODUCT"))
                for m in pool
                if a <= m.start and m.end <= b
            ]
            for name, label in sorted(names, key=lambda n: -len(n[0])):
                at = body.find(name) if len(name) >= 2 else -1
                if at >= 0 and not _overlaps(at, at + len(name), spans):
                    spans.append([at, at + len(name), label])
            rows.append({"text": original[a:b], "spans": sorted(spans)})
    return rows


def _docbin(rows: list[dict[str, Any]], path: Path) -> int:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("zh")
    bin_ = DocBin()
    dropped = 0
    for row in rows:
        doc = nlp.make_doc(row["text"])
        ents = []
        for start, end, label in row["spans"]:
            span = doc.char_span(start, end, label=label, alignment_mode="contract")
            if span is None or any(span.start < e.end and e.start < span.end for e in ents):
                dropped += 1
                continue
            ents.append(span)
        doc.ents = sorted(ents, key=lambda s: s.start)
        bin_.add(doc)
    bin_.to_disk(path)
    return dropped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--silver", type=int, default=6000, help="generated sentences")
    parser.add_argument("--out", default=str(models_dir() / "ner" / "model"))
    parser.add_argument("--max-epochs", type=int, default=None)
    args = parser.parse_args(argv)

    from spacy.cli.train import train
    from thinc.api import fix_random_seed

    fix_random_seed(SEED)
    started = time.monotonic()
    held = heldout()
    gold_rows = corpus_examples(ROOT / "corpus" / "news", held)
    silver_rows = generate(args.silver, held)
    rng = random.Random(SEED)
    rng.shuffle(gold_rows)
    rng.shuffle(silver_rows)
    # the spaCy dev split (model selection): a tenth of each part
    cut_g, cut_s = len(gold_rows) // 10, len(silver_rows) // 10
    dev = gold_rows[:cut_g] + silver_rows[:cut_s]
    train_rows = gold_rows[cut_g:] + silver_rows[cut_s:]
    rng.shuffle(train_rows)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        dropped = _docbin(train_rows, work / "train.spacy") + _docbin(dev, work / "dev.spacy")
        overrides = {"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy")}
        if args.max_epochs:
            overrides["training.max_epochs"] = args.max_epochs
        train(models_dir() / "ner" / "config.cfg", work / "out", overrides=overrides)
        out = Path(args.out)
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(work / "out" / "model-best", out)
    meta = json.loads((out / "meta.json").read_text())
    report = {
        "seconds": round(time.monotonic() - started),
        "gold_sentences": len(gold_rows),
        "silver_sentences": len(silver_rows),
        "train": len(train_rows),
        "dev": len(dev),
        "spans_dropped_unaligned": dropped,
        "dev_scores": meta.get("performance", {}),
    }
    (out.parent / "training.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
