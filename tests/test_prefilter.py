"""The shortcuts that make extraction fast (issue #6) drop nothing.

Two shortcuts decide what is read in full: only sentences holding a unit or currency
word go through the amount grammar, and a sentence whose every amount fails the
mention-free gate (vague, per unit, a market size, negated …) is not linked. On every
document of our corpus, reading every sentence in full finds the same claims and
rejects the same amounts for the same reasons. (The word-boundary shortcut has its own
test in test_segment.py.)
"""

from __future__ import annotations

import pytest

from conftest import CORPUS


@pytest.fixture(scope="module")
def unfiltered():
    from claims import Extractor

    return Extractor(prefilter=False)


def _paths():
    return sorted(CORPUS.glob("*.txt")) + sorted((CORPUS.parent / "unseen").glob("*.txt"))


def test_reading_every_sentence_in_full_finds_the_same_claims(extractor, unfiltered):
    claims = 0
    for path in _paths():
        text = path.read_text(encoding="utf-8")
        fast = extractor.run(text, path.name)
        _assert_same(fast, unfiltered.run(text, path.name), path.name)
        claims += len(fast.claims)
    assert claims > 300  # the corpus is read, not skipped


def test_a_denial_past_the_tagging_reach_still_withdraws_the_claim(extractor, unfiltered):
    """Mentions are tagged only up to the line after the last linked sentence; a
    denial further on (小米…采购传闻消息不实, lines later) is read all the same."""
    filler = "会议强调，要统筹发展和安全，推动人工智能高质量发展。专家建议，企业应注重数据安全。\n"
    claim = "据报道，小米已向英伟达下单10万块H20芯片。\n"
    denial = "小米随后回应称，相关采购传闻消息不实。\n"
    for text in (claim + filler * 3 + denial, claim + denial + filler * 3):
        fast, full = extractor.run(text), unfiltered.run(text)
        assert fast.claims == full.claims == []
        assert [r["reason"] for r in fast.rejections] == [r["reason"] for r in full.rejections]
        assert fast.rejections[0]["reason"].startswith("denied in the document")
    assert extractor.extract(claim + filler * 3)  # without the denial, the claim stands


def test_shortcuts_keep_every_phenomenon_of_the_gold_lists(extractor, unfiltered):
    """The gold sentences of test_extract.py, one shape each (list items 亚马逊约260亿
    美元, brackets, tables under a colon, 前者/后者, a verb opening the next clause,
    recipient frames, breakdowns …): the sentences the gate and the purchase-cue screen
    leave unlinked would have made no claim and been rejected for the same reasons."""
    from test_extract import CLAIMS_FOUND, NO_CLAIM

    texts = [text for text, _ in CLAIMS_FOUND] + [
        item[0] if isinstance(item, tuple) else item for item in NO_CLAIM
    ]
    for text in texts:
        _assert_same(extractor.run(text), unfiltered.run(text), text)
    assert len(texts) > 50


def _assert_same(fast, full, where: str) -> None:
    """The same claims, in order, and the same rejections, by place and reason."""
    assert [c.to_dict(explain=True) for c in fast.claims] == [
        c.to_dict(explain=True) for c in full.claims
    ], where

    def key(rejection):
        return rejection["start"], rejection["reason"]

    assert sorted(fast.rejections, key=key) == sorted(full.rejections, key=key), where
