"""spacy-pkuseg with the model trained here (models/pkuseg): offline, selectable."""

from __future__ import annotations

import json

import pytest

from claims.cli import main
from claims.lexicon import load_lexicon
from claims.segment import Segmenter
from conftest import ROOT

TEST_SET = ROOT / "corpus" / "segmentation" / "test.txt"


@pytest.fixture(scope="module")
def pkuseg(request) -> Segmenter:
    import spacy_pkuseg

    def refuse(*args, **kwargs):
        raise AssertionError("pkuseg tried to download a model")

    patch = pytest.MonkeyPatch()
    patch.setattr(spacy_pkuseg, "download_model", refuse)
    request.addfinalizer(patch.undo)
    return Segmenter(load_lexicon().aliases, "pkuseg")


def test_pkuseg_words_match_the_hand_checked_test_sentence(pkuseg):
    line = next(
        x
        for x in TEST_SET.read_text(encoding="utf-8").splitlines()
        if x.startswith("报告 列出 的 估算 数字")
    )
    words = line.split()
    text = "".join(words)
    assert pkuseg.words(text) == words
    starts, ends = pkuseg.tokens(text).boundaries()
    assert [text[a:b] for a, b in zip(starts, ends, strict=True)] == words


def test_cli_segmenter_pkuseg_extracts(tmp_path, capsys, pkuseg):
    path = tmp_path / "a.txt"
    path.write_text("据Omdia估计，微软今年购买了48.5万块英伟达Hopper芯片。", encoding="utf-8")
    assert main(["extract", "--segmenter", "pkuseg", "--no-ner", str(path)]) == 0
    records = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(r["buyer"]["name"], r["amount"]["value"]) for r in records] == [("微软", 485000)]


def _word_spans(words: list[str]) -> set[tuple[int, int]]:
    spans, position = set(), 0
    for word in words:
        spans.add((position, position + len(word)))
        position += len(word)
    return spans


def test_pkuseg_word_f1_on_the_held_back_part(pkuseg):
    """The figure the README reports (word F1 0.94 on corpus/segmentation/test.txt)."""
    lines = [line for line in TEST_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    tp = fp = fn = 0
    for line in lines:
        gold = _word_spans(line.split())
        pred = _word_spans([w for w in pkuseg.words("".join(line.split())) if w.strip()])
        tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert len(lines) >= 150
    assert 2 * precision * recall / (precision + recall) >= 0.92
