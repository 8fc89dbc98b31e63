"""A generated news-like collection with silver entity labels from the lexicon.

The entity recogniser must learn what a buyer or a product looks like from its
context (X 采购了 N 台 Y), not memorise the lexicon; so the sentences come from many
phrasings, in simplified and traditional Chinese, and half of the names are invented
here (company stems with suffixes, Latin names, model numbers). Labels are what the
lexicon tagger finds, with the invented names added to it as entries: silver, not
hand-checked. Held-out names (`models/ner/heldout.json`) are never used, and any
sentence that still contains one of their aliases is dropped.

Run: `python -m claims.training.generate --n 6000 --out /tmp/silver.jsonl`.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex

from ..lexicon import Lexicon
from ..normalize import normalize
from ..resources import load_json, load_jsonl
from ..tagger import tag
from .heldout import ROOT, aliases

SEED = 13
# phrasings and name parts: data, in corpus/generator/vocabulary.json
_VOCABULARY: dict[str, Any] = json.loads(
    (ROOT / "corpus" / "generator" / "vocabulary.json").read_text(encoding="utf-8")
)
CLASSIFIERS: dict[str, list[str]] = _VOCABULARY["classifiers"]
CLASS_NOUNS: dict[str, list[str]] = _VOCABULARY["class_nouns"]
STEM_CHARS: str = _VOCABULARY["stem_chars"]
ORG_SUFFIXES: dict[str, list[str]] = _VOCABULARY["org_suffixes"]
LATIN_SYLLABLES: list[str] = _VOCABULARY["latin_syllables"]
LATIN_SUFFIXES: list[str] = _VOCABULARY["latin_suffixes"]
PRODUCT_BRANDS: str = _VOCABULARY["product_brands"]
SOURCES: list[str] = _VOCABULARY["sources"]
TEMPLATES: list[str] = _VOCABULARY["templates"]
ADVERBS: list[str] = _VOCABULARY["adverbs"]
VERBS: list[str] = _VOCABULARY["verbs"]
PLACES: list[str] = _VOCABULARY["places"]
YEARS: list[str] = _VOCABULARY["years"]


@dataclass(frozen=True, slots=True)
class Name:
    """A name to put in a slot, with its product class (products only)."""

    text: str
    cls: str | None = None


def _heldout_aliases(heldout: dict[str, Any]) -> set[str]:
    return {a for key in ("orgs", "products") for row in heldout[key] for a in row["aliases"]}


def _heldout_ids(heldout: dict[str, Any]) -> set[str]:
    return {row["id"] for key in ("orgs", "products") for row in heldout[key]}


class Generator:
    """Sentences from TEMPLATES with names from the kept lexicon and invented ones."""

    def __init__(self, heldout: dict[str, Any], seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.banned = _heldout_aliases(heldout)
        excluded = _heldout_ids(heldout)
        orgs = [r for r in load_jsonl("lexicon/organizations.jsonl") if r["id"] not in excluded]
        products = [r for r in load_jsonl("lexicon/products.jsonl") if r["id"] not in excluded]
        self.sources = [r["name"] for r in load_jsonl("lexicon/sources.jsonl")][:120]
        self.buyers = [
            Name(a) for r in orgs if r.get("type") not in ("chip_vendor",) for a in _pick(r)
        ]
        self.vendors = [
            Name(a) for r in orgs if r.get("type") in ("chip_vendor", "company") for a in _pick(r)
        ]
        self.products = [
            Name(a, r.get("class"))
            for r in products
            if r.get("class") in CLASSIFIERS
            for a in _pick(r)
        ]
        han = regex.compile(r"\p{Han}")
        self.stem_chars = sorted(
            set(STEM_CHARS) | {c for r in orgs for c in r["name"] if han.match(c)}
        )
        self.brand_chars = sorted(
            set(PRODUCT_BRANDS) | {c for r in products for c in r["name"] if han.match(c)}
        )
        self.invented_orgs: set[str] = set()
        self.invented_products: dict[str, str] = {}

    # -------------------------------------------------------------- invented names
    def _clean(self, name: str) -> bool:
        return not any(b in name or name in b for b in self.banned)

    def invent_org(self) -> Name:
        rng = self.rng
        while True:
            if rng.random() < 0.7:
                stem = "".join(
                    rng.choice(self.stem_chars) for _ in range(rng.choice((2, 2, 2, 3, 4)))
                )
                kind = rng.choice(list(ORG_SUFFIXES))
                name = stem + (rng.choice(ORG_SUFFIXES[kind]) if rng.random() < 0.75 else "")
            else:
                word = "".join(rng.choice(LATIN_SYLLABLES) for _ in range(rng.choice((2, 3))))
                name = word.capitalize() + rng.choice(LATIN_SUFFIXES)
            if len(name) >= 2 and self._clean(name) and name not in self.invented_products:
                self.invented_orgs.add(name)
                return Name(name)

    def invent_product(self) -> Name:
        rng = self.rng
        cls = rng.choice(list(CLASSIFIERS))
        while True:
            r = rng.random()
            digits = str(
                rng.choice((10, 20, 50, 80, 100, 200, 300, 500, 800, 910, 1000))
                + rng.choice((0, 0, 1, 5, 8))
            )
            if r < 0.45:
                letters = "".join(
                    rng.choice("ABCDEFGHJKLMNPQRSTVWXZ") for _ in range(rng.choice((1, 2, 2, 3)))
                )
                name = letters + digits + rng.choice(("", "", "X", "A", "E", " Pro", " Max"))
            elif r < 0.8:
                brand = "".join(rng.sample(self.brand_chars, 2))
                name = brand + rng.choice(("", "", "C", "T", "L")) + digits
            else:
                name = "".join(rng.choice(LATIN_SYLLABLES) for _ in range(2)).capitalize()
            if self._clean(name) and not name.isdigit() and name not in self.invented_orgs:
                self.invented_products[name] = cls
                return Name(name, cls)

    # ----------------------------------------------------------------- sentences
    def org(self, pool: list[Name]) -> Name:
        return self.invent_org() if self.rng.random() < 0.6 else self.rng.choice(pool)

    def product_phrase(self) -> tuple[str, str]:
        rng = self.rng
        product = self.invent_product() if rng.random() < 0.5 else rng.choice(self.products)
        cls = product.cls or "gpu"
        text = product.text
        r = rng.random()
        if r < 0.2:
            text = self.org(self.vendors).text + text
        elif r < 0.5:
            text += rng.choice(CLASS_NOUNS.get(cls, [""]))
        return text, cls

    def amount(self, cls: str) -> str:
        rng = self.rng
        value = rng.choice(
            [
                str(rng.randint(2, 999)),
                f"{rng.randint(1, 99)}万",
                f"{rng.randint(1, 99)}.5万",
                str(rng.randint(1000, 99999)),
                f"{rng.randint(2, 9)}万{rng.randint(1, 9)}000",
                f"{rng.randint(1, 9)}00",
            ]
        )
        hedge = rng.choice(["", "", "", "约", "近", "超过"])
        return hedge + value + rng.choice(CLASSIFIERS.get(cls, ["台"]))

    def money(self) -> str:
        rng = self.rng
        return f"{rng.randint(1, 900)}{rng.choice(['亿美元', '亿元', '万元', '亿港元', '亿欧元'])}"

    def sentence(self) -> str:
        rng = self.rng
        template = rng.choice(TEMPLATES)
        product, cls = self.product_phrase()
        product2, cls2 = self.product_phrase()
        source = rng.choice(SOURCES).format(q=rng.choice(self.sources))
        return template.format(
            src=source,
            b=self.org(self.buyers).text,
            b2=self.org(self.buyers).text,
            s=self.org(self.vendors).text,
            p=product,
            n=self.amount(cls),
            n2=self.amount(cls2 if "{p2}" in template else cls),
            p2=product2,
            adv=rng.choice(ADVERBS),
            verb=rng.choice(VERBS),
            place=rng.choice(PLACES),
            m=self.money(),
            q=rng.choice(self.sources),
            y=rng.choice(YEARS),
        )

    def sentences(self, n: int) -> Iterator[str]:
        made = 0
        while made < n:
            text = self.sentence()
            if any(b in text for b in self.banned):
                continue
            made += 1
            yield text

    def lexicon(self, excluded: set[str]) -> Lexicon:
        """The labelling lexicon: the shipped one less the held-out names, plus the
        invented names as entries."""
        orgs = (
            *load_jsonl("lexicon/organizations.jsonl"),
            *({"id": None, "name": n, "type": "company"} for n in sorted(self.invented_orgs)),
        )
        products = (
            *load_jsonl("lexicon/products.jsonl"),
            *(
                {"id": None, "name": n, "kind": "model", "class": c}
                for n, c in sorted(self.invented_products.items())
            ),
        )
        return Lexicon(
            orgs,
            products,
            load_jsonl("lexicon/sources.jsonl"),
            load_json("lexicon/product_patterns.json"),
            excluded,
        )


def _pick(row: dict[str, Any]) -> list[str]:
    """A row's name and up to two aliases (Chinese and Latin forms both occur)."""
    names = sorted(aliases(row))
    return names[:3]


def spans(text: str, lexicon: Lexicon) -> list[tuple[int, int, str]]:
    """ORG and PRODUCT spans the lexicon tagger finds in *text* (normalised offsets)."""
    tagged = tag(normalize(text), lexicon)
    found = [(m.start, m.end, "ORG") for m in tagged.orgs]
    found += [(m.start, m.end, "PRODUCT") for m in tagged.products]
    return sorted(found)


def generate(
    n: int, heldout: dict[str, Any], traditional: float = 0.3, seed: int = SEED
) -> list[dict[str, Any]]:
    """*n* labelled examples {"text", "spans": [[start, end, label], …]}; a share of them
    in traditional characters (same offsets: the conversion is per character)."""
    from opencc import OpenCC

    gen = Generator(heldout, seed)
    texts = list(gen.sentences(n))
    lexicon = gen.lexicon(_heldout_ids(heldout))
    to_traditional = OpenCC("s2t")
    rng = random.Random(seed + 1)
    rows = []
    for text in texts:
        labelled = spans(text, lexicon)
        if rng.random() < traditional:
            converted = to_traditional.convert(text)
            if len(converted) == len(text):
                text = converted
        rows.append({"text": text, "spans": [list(s) for s in labelled]})
    return rows


def main(argv: list[str] | None = None) -> int:
    from ..resources import models_dir

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=6000)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    heldout = json.loads((models_dir() / "ner" / "heldout.json").read_text())
    rows = generate(args.n, heldout)
    with Path(args.out).open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} sentences → {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
