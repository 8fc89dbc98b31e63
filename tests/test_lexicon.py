"""The lexicon data in models/lexicon: well-formed, unambiguous, patterns honest."""

from __future__ import annotations

import pytest
import regex

from claims.lexicon import load_lexicon
from claims.normalize import fold_case, normalize
from claims.resources import load_json, load_jsonl

ORG_TYPES = {
    "company", "cloud", "chip_vendor", "telecom", "airline", "automaker", "government",
    "fund", "research", "university", "transit", "logistics",
}  # fmt: skip
PRODUCT_CLASSES = {
    "gpu", "chip", "accelerator", "cpu", "server", "rack", "network", "storage", "equipment",
    "aircraft", "car", "truck", "bus", "phone", "drone", "system", "compute", "other", "train",
}  # fmt: skip
PATTERNS = load_json("lexicon/product_patterns.json")["patterns"]


def _table(name: str) -> list[dict]:
    return list(load_jsonl(f"lexicon/{name}.jsonl"))


@pytest.mark.parametrize("name", ["organizations", "products", "sources"])
def test_ids_unique_and_aliases_unambiguous(name):
    rows = _table(name)
    assert len({r["id"] for r in rows}) == len(rows)
    owner: dict[str, str] = {}
    for row in rows:
        for alias in row["aliases"]:
            key = fold_case(normalize(alias))
            assert len(key) >= 2, (row["id"], alias)
            assert owner.setdefault(key, row["id"]) == row["id"], (alias, owner[key], row["id"])


def test_types_classes_and_vendors_are_known():
    orgs = _table("organizations")
    org_ids = {o["id"] for o in orgs}
    assert {o["type"] for o in orgs} <= ORG_TYPES
    for product in _table("products"):
        assert product["kind"] in ("model", "family", "class"), product
        assert product["class"] in PRODUCT_CLASSES, product
        assert product["vendor"] is None or product["vendor"] in org_ids, product


def test_no_product_alias_is_an_organisation_alias():
    org_keys = {fold_case(normalize(a)) for o in _table("organizations") for a in o["aliases"]}
    clashes = [
        a for p in _table("products") for a in p["aliases"] if fold_case(normalize(a)) in org_keys
    ]
    assert clashes == []


@pytest.mark.parametrize("row", PATTERNS, ids=[p["pattern"] for p in PATTERNS])
def test_pattern_examples(row):
    compiled = regex.compile(row["pattern"])
    assert row["examples"], "every pattern documents what it matches"
    for example in row["examples"]:
        assert compiled.fullmatch(example), example
    for example in row.get("negative_examples", []):
        assert not compiled.fullmatch(example), example


@pytest.mark.parametrize(
    ("text", "category", "name"),
    [
        ("輝達", "org", "英伟达"),
        ("軟銀集團", "org", "软银"),
        ("南韓政府", "org", "韩国"),
        ("Microsoft", "org", "微软"),
        ("伺服器", "product", "服务器"),
        ("晶片", "product", "芯片"),
        ("777貨機", "product", "777F"),
    ],
)
def test_traditional_and_english_aliases_resolve(text, category, name):
    lexicon = load_lexicon()
    folded = fold_case(normalize(text))
    hits = [h for h in lexicon.scan(folded) if h.start == 0 and h.end == len(folded)]
    assert hits, text
    assert any(e.category == category and e.name == name for e in hits[0].entries)


def test_lexicon_is_broad():
    assert len(_table("organizations")) >= 300
    assert len(_table("products")) >= 150
    assert len(_table("sources")) >= 50
    assert len(PATTERNS) >= 10
