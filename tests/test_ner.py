"""The trained entity recogniser (models/ner): names beyond the lexicon make claims."""

from __future__ import annotations

import json

import pytest

from claims.extractor import Extractor
from claims.lexicon import Hit, load_lexicon
from claims.ner import EntityModel, heldout_ids, merge, model_path
from claims.normalize import normalize
from claims.resources import models_dir
from claims.tagger import tag
from conftest import CORPUS

# 万国数据 and NF5688 are held-out names: never in training text, unknown to the
# reduced lexicon
SENTENCE = "据知情人士透露，万国数据今年采购了3000台NF5688服务器。"


@pytest.fixture(scope="module")
def unseen() -> Extractor:
    return Extractor(ner=True, exclude=heldout_ids())


def _heldout() -> dict:
    return json.loads((models_dir() / "ner" / "heldout.json").read_text(encoding="utf-8"))


def test_committed_model_is_small_and_loads_offline():
    size = sum(p.stat().st_size for p in model_path().rglob("*") if p.is_file())
    assert size < 20 * 1024 * 1024
    spans = EntityModel().spans(SENTENCE, [(0, len(SENTENCE))])
    assert (8, 12, "ORG") in spans  # 万国数据


def test_heldout_buyer_becomes_the_buyer_with_id_null(unseen):
    claims = unseen.extract(SENTENCE, doc="t.txt")
    assert len(claims) == 1
    claim = claims[0]
    assert (claim.buyer.text, claim.buyer.name, claim.buyer.id) == ("万国数据", "万国数据", None)
    assert "NF5688" in claim.product.text
    assert claim.amount.value == 3000


def test_without_the_model_the_unknown_buyer_makes_no_claim():
    claims = Extractor(ner=False, exclude=heldout_ids()).extract(SENTENCE)
    assert not [c for c in claims if c.buyer.text == "万国数据"]


def test_held_out_names_are_excluded_from_the_reduced_lexicon_only():
    held = _heldout()
    alias = held["orgs"][0]["aliases"][0]
    assert len(held["orgs"]) >= 0.2 * held["orgs_pool"]
    assert len(held["products"]) >= 0.2 * held["products_pool"]
    assert normalize(alias) in load_lexicon().aliases
    assert normalize(alias) not in load_lexicon(heldout_ids()).aliases


def test_held_out_names_never_reach_the_training_sentences():
    from claims.training.ner import corpus_examples

    held = _heldout()
    banned = [a for key in ("orgs", "products") for r in held[key] for a in r["aliases"]]
    rows = corpus_examples(CORPUS, held)
    assert len(rows) > 500
    assert not [r["text"] for r in rows if any(a in normalize(r["text"]) for a in banned)]


def test_lexicon_wins_where_both_speak():
    text = "微软采购了100台服务器。"
    lexicon = load_lexicon()
    model_org = Hit(0, 4, (tag(text, lexicon).orgs[0].entry,), "model")
    kept = merge([Hit(0, 2, model_org.entries, "lexicon")], [model_org, Hit(5, 8, (), "model")])
    assert [(h.start, h.end, h.rule) for h in kept] == [(0, 2, "lexicon"), (5, 8, "model")]
