"""Choose the held-out names: ≥ 20 % of company and product names that the entity
recogniser never sees, so that its recall on names beyond the lexicon can be measured.

Held-out entries are removed from the lexicon that silver-labels the generated
collection, and every training sentence mentioning one of their aliases is dropped.
Only entries absent from our corpus and the shared dev set are eligible (the corpus is
training text), and none whose alias overlaps a kept alias (H20 inside H200 would leak
the name into training text). Run: `python -m claims.training.heldout`.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from ..normalize import normalize
from ..resources import load_json, load_jsonl, models_dir

SEED = 4
SHARE = 0.25
ORG_TYPES = frozenset(
    {
        "company",
        "cloud",
        "automaker",
        "airline",
        "telecom",
        "chip_vendor",
        "logistics",
        "transit",
        "fund",
        "research",
        "university",
    }
)
PRODUCT_KINDS = frozenset({"model", "family"})
ROOT = Path(__file__).resolve().parents[3]


def aliases(row: dict[str, Any]) -> set[str]:
    """Normalised aliases of a lexicon row (two characters or more)."""
    names = {normalize(a.strip()) for a in {row["name"], *row.get("aliases", [])}}
    return {a for a in names if len(a) >= 2}


def _texts(folders: list[Path]) -> str:
    return "\n".join(
        normalize(p.read_text(encoding="utf-8")) for f in folders for p in sorted(f.glob("*.txt"))
    )


def choose(seen_text: str) -> dict[str, Any]:
    """The held-out entries: a seeded draw of SHARE of all company-like organisations and
    of all model/family products, from the eligible ones."""
    orgs = list(load_jsonl("lexicon/organizations.jsonl"))
    products = list(load_jsonl("lexicon/products.jsonl"))
    sources = list(load_jsonl("lexicon/sources.jsonl"))
    rng = random.Random(SEED)
    all_rows = orgs + products + sources
    patterns = load_json("lexicon/product_patterns.json")
    import regex

    compiled = [regex.compile(p["pattern"]) for p in patterns.get("patterns", [])]
    chosen: dict[str, list[dict[str, Any]]] = {}
    for label, rows, pool_filter in (
        ("orgs", orgs, lambda r: r.get("type") in ORG_TYPES),
        ("products", products, lambda r: r.get("kind") in PRODUCT_KINDS),
    ):
        pool = [r for r in rows if pool_filter(r)]
        target = int(len(pool) * SHARE + 0.999)
        eligible = []
        for row in pool:
            names = aliases(row)
            if any(a in seen_text for a in names):
                continue
            others = {a for r in all_rows if r is not row for a in aliases(r)}
            if any(a in o or o in a for a in names for o in others):
                continue
            if label == "products" and any(p.search(a) for p in compiled for a in names):
                continue  # model-number patterns would still find it: not a held-out name
            eligible.append(row)
        rng.shuffle(eligible)
        picked = sorted(eligible[:target], key=lambda r: r["id"])
        chosen[label] = [
            {"id": r["id"], "name": r["name"], "aliases": sorted(aliases(r))} for r in picked
        ]
        chosen[label + "_pool"] = len(pool)  # type: ignore[assignment]
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(models_dir() / "ner" / "heldout.json"))
    parser.add_argument(
        "--avoid",
        action="append",
        type=Path,
        metavar="FOLDER",
        help="a folder of *.txt whose names are never held out (default: corpus/news and "
        "the shared dev set, ../shared/eval/devset)",
    )
    args = parser.parse_args(argv)
    folders = args.avoid or [ROOT / "corpus" / "news", ROOT.parent / "shared" / "eval" / "devset"]
    missing = [f for f in folders if not f.is_dir()]
    if missing:
        # the draw depends on these texts: without one, other names are held out
        parser.error(f"no such folder: {', '.join(map(str, missing))} (see --avoid)")
    seen = _texts(folders)
    chosen = choose(seen)
    record = {
        "why": "names never shown to the NER model and removed from the lexicon when "
        f"evaluating on corpus/unseen (claims.training.heldout, seed {SEED})",
        "share": SHARE,
        **chosen,
    }
    Path(args.out).write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    print(
        f"held out {len(chosen['orgs'])}/{chosen['orgs_pool']} organisations, "
        f"{len(chosen['products'])}/{chosen['products_pool']} products → {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
