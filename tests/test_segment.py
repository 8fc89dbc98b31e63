"""The lazy, block-wise word boundaries equal spaCy's jieba tokens on real text."""

from __future__ import annotations

from claims.normalize import normalize
from claims.sentences import split_sentences
from conftest import CORPUS


def _spacy_boundaries(segmenter, text: str, lo: int) -> tuple[list[int], list[int]]:
    doc = segmenter.nlp.make_doc(text)
    tokens = [t for t in doc if not t.text.isspace()]
    return [lo + t.idx for t in tokens], [lo + t.idx + len(t.text) for t in tokens]


def test_lazy_boundaries_equal_spacy_tokens(extractor):
    segmenter = extractor.segmenter
    checked = 0
    for path in sorted(CORPUS.glob("*.txt")):
        text = normalize(path.read_text(encoding="utf-8"))
        for sentence in split_sentences(text):
            tokens = segmenter.tokens(text, sentence.start, sentence.end)
            starts, ends = tokens.boundaries()
            want = _spacy_boundaries(segmenter, text[sentence.start : sentence.end], sentence.start)
            assert (starts, ends) == want, text[sentence.start : sentence.end]
            checked += 1
    assert checked > 100


def test_single_characters_outside_blocks_are_words(extractor):
    text = "微软（MSFT）买了H100，共2万块。"
    tokens = extractor.segmenter.tokens(text)
    assert tokens.aligned(2, 3)  # （
    assert tokens.is_start(3) and tokens.is_end(7)  # MSFT
    assert not tokens.is_start(4)


def test_routes_decide_boundaries_exactly_as_jieba_cuts(extractor):
    """The shortcut (`JiebaRoutes`) answers a boundary question from the dictionary path
    over its block; wherever it answers, the answer is that of cutting the whole sentence."""
    segmenter = extractor.segmenter
    routes = segmenter.tokens("")._routes
    decided = undecided = 0
    for path in sorted(CORPUS.glob("*.txt")):
        text = normalize(path.read_text(encoding="utf-8"))
        for sentence in split_sentences(text):
            lo, hi = sentence.start, sentence.end
            starts, ends = _spacy_boundaries(segmenter, text[lo:hi], lo)
            cuts = {*starts, *ends}
            memo: dict[int, bool | None] = {}
            for position in range(lo + 1, hi):
                answer = routes.boundary(text, position, lo, hi, memo)
                if answer is None:
                    undecided += 1
                    continue
                decided += 1
                assert answer == (position in cuts), (text[lo:hi], position - lo)
    assert decided > 4 * undecided  # the shortcut is what answers, not the fallback
