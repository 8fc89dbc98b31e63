"""The scorer's matching rules (the same as the shared kit's README)."""

from __future__ import annotations

from claims.evaluate import matches, score

GOLD = {
    "doc": "a.txt",
    "claims": [
        {
            "buyer": ["微软", "Microsoft"],
            "product": ["Hopper"],
            "value": 485000,
            "currency": None,
            "attributed_to": ["Omdia"],
            "predicate": "purchase",
        }
    ],
    "optional": [
        {
            "buyer": ["谷歌"],
            "product": ["TPU"],
            "value": 150,
            "currency": None,
            "attributed_to": ["*"],
            "predicate": "deploy",
        }
    ],
}


def pred(
    buyer="微软",
    product="英伟达Hopper芯片",
    value=485000,
    currency=None,
    attributed="Omdia",
    predicate="purchase",
    doc="/x/a.txt",
):
    return {
        "buyer": {"text": buyer, "name": buyer},
        "product": {"text": product, "name": None},
        "amount": {"value": value, "currency": currency},
        "predicate": predicate,
        "source": {"doc": doc, "attributed_to": attributed},
    }


def test_match_rules():
    gold = GOLD["claims"][0]
    assert matches(pred(), gold)
    assert matches(pred(buyer="Microsoft Corp"), gold)  # case-insensitive substring
    assert matches(pred(value=486000), gold)  # within 0.5 %
    assert not matches(pred(value=490000), gold)
    assert not matches(pred(currency="USD"), gold)
    assert not matches(pred(value=True), gold)


def test_score_counts_optional_and_unknown_docs():
    preds = [pred(), pred(buyer="谷歌", product="TPU", value=150), pred(doc="other.txt")]
    scores = score([GOLD], preds)
    assert (scores.tp, scores.fp, scores.fn) == (1, 1, 0)
    assert scores.totals()["attribution_acc"] == 1.0


def test_attribution_and_predicate_are_scored_on_matches():
    scores = score([GOLD], [pred(attributed=None, predicate="plan")])
    totals = scores.totals()
    assert (
        totals["f1"] == 1.0 and totals["attribution_acc"] == 0.0 and totals["predicate_acc"] == 0.0
    )


def test_scores_per_tag():
    from claims.evaluate import by_tag

    gold = [
        GOLD | {"tags": ["x"]},
        {"doc": "b.txt", "tags": ["x", "y"], "claims": []},
    ]
    preds = [pred(), pred(buyer="谷歌", product="TPU", value=5, doc="b.txt")]
    tagged = by_tag(gold, preds)
    assert (tagged["x"].tp, tagged["x"].fp, tagged["x"].fn) == (1, 1, 0)
    assert (tagged["y"].tp, tagged["y"].fp, tagged["y"].fn) == (0, 1, 0)
