"""The pipeline: read → normalise → sentences → amounts → segment → tag → attribute
→ link → de-duplicate → grounded records.

Only sentences holding an amount with a unit or currency (the prefilter) are
segmented and linked; the others are tagged for context (products, buyers, sources)
by the lexicon automaton, which is cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from .amounts import AmountMatch, grammar
from .attribution import Attribution, Attributor
from .lexicon import Lexicon, load_lexicon
from .linker import Draft, Rejection, SentenceLinker
from .normalize import normalize
from .period import Period, period_for
from .reader import Document
from .records import AmountSpan, BuyerSpan, Claim, Evidence, PeriodSpan, ProductSpan, Source
from .segment import Segmenter, Tokens
from .sentences import Sentence, split_sentences
from .tagger import tag


@dataclass(slots=True)
class Result:
    """Claims of one document, plus the candidates that were rejected and why."""

    doc: str | None
    claims: list[Claim]
    rejections: list[dict[str, object]] = field(default_factory=list)


class Extractor:
    """Loads the lexicon and segmenter once; extracts claims from many documents."""

    def __init__(self, segmenter: str = "jieba") -> None:
        self.segmenter_name = segmenter
        self._lexicon: Lexicon | None = None
        self._segmenter: Segmenter | None = None

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = load_lexicon()
        return self._lexicon

    @property
    def segmenter(self) -> Segmenter:
        if self._segmenter is None:
            self._segmenter = Segmenter(self.lexicon.aliases, self.segmenter_name)
        return self._segmenter

    # ----------------------------------------------------------------- public
    def extract(
        self,
        text: str,
        doc: str | None = None,
        encoding: str | None = None,
        published: date | None = None,
    ) -> list[Claim]:
        """Claims found in *text* (any mix of simplified and traditional Chinese).
        *published* (the document date) resolves 今年/去年 in `period.year`."""
        return self.run(text, doc, encoding, published).claims

    def extract_document(self, document: Document, published: date | None = None) -> Result:
        return self.run(document.text, document.doc, document.encoding, published)

    def pipe(self, items: Iterable[tuple[str, str | None]]) -> Iterator[list[Claim]]:
        """Stream (text, doc) pairs; yield each document's claims in input order."""
        for text, doc in items:
            yield self.extract(text, doc)

    # --------------------------------------------------------------- pipeline
    def run(
        self,
        original: str,
        doc: str | None = None,
        encoding: str | None = None,
        published: date | None = None,
    ) -> Result:
        text = normalize(original)
        sentences = split_sentences(text)
        amounts = _by_sentence(grammar().find(text), sentences)
        candidates = [s for s in sentences if amounts[s.index]]
        if not candidates:
            return Result(doc, [])
        tokens = {s.index: self.segmenter.tokens(text, s.start, s.end) for s in candidates}
        starts = [s.start for s in sentences]

        def tokens_at(offset: int) -> Tokens | None:
            from bisect import bisect_right

            index = bisect_right(starts, offset) - 1
            return tokens.get(index)

        tagged = tag(text, self.lexicon, tokens_at)
        attributor = Attributor(text, tagged)
        linker = SentenceLinker(text, tagged, sentences)
        for sentence in sentences:
            found: list[Attribution] = attributor.sentence(
                sentence.start, sentence.end, tokens.get(sentence.index)
            )
            if amounts[sentence.index]:
                linker.link_sentence(
                    sentence, amounts[sentence.index], tokens[sentence.index], found
                )
        linker.drop_denied()
        claims = _merge(
            [_record(d, original, doc, encoding, text, published) for d in linker.drafts]
        )
        rejected = [_rejection(r, original) for r in linker.rejections]
        return Result(doc, claims, rejected)


def _by_sentence(
    matches: list[AmountMatch], sentences: list[Sentence]
) -> dict[int, list[AmountMatch]]:
    """Amounts found in the whole text, grouped by sentence; one that runs across a
    sentence end (a unit on the next line) is no amount."""
    from bisect import bisect_right

    starts = [s.start for s in sentences]
    grouped: dict[int, list[AmountMatch]] = {s.index: [] for s in sentences}
    for match in matches:
        index = bisect_right(starts, match.start) - 1
        if index >= 0 and match.end <= sentences[index].end:
            grouped[index].append(match)
    return grouped


def _record(
    d: Draft,
    original: str,
    doc: str | None,
    encoding: str | None,
    text: str,
    published: date | None,
) -> Claim:
    s: Sentence = d.sentence
    a = d.amount
    attribution = d.attribution
    period = period_for(text, s.start, s.end, a.start, published)
    return Claim(
        buyer=BuyerSpan(
            original[d.buyer.start : d.buyer.end],
            d.buyer.name,
            d.buyer.id,
            d.buyer.start,
            d.buyer.end,
            d.buyer.inferred,
        ),
        product=ProductSpan(
            original[d.product.start : d.product.end],
            d.product.name,
            d.product.id,
            d.product.vendor,
            d.product.start,
            d.product.end,
            d.product.inferred,
        ),
        amount=AmountSpan(
            original[a.start : a.end],
            a.amount.value,
            a.amount.unit,
            a.amount.currency,  # type: ignore[arg-type]
            a.amount.approx,
            a.amount.low,
            a.amount.high,
            a.start,
            a.end,
        ),
        predicate=d.predicate,
        source=Source(
            doc=doc,
            attributed_to=attribution.name if attribution else None,
            attribution_text=original[attribution.start : attribution.end] if attribution else None,
            sentence=original[s.start : s.end],
            sentence_start=s.start,
            sentence_end=s.end,
            encoding=encoding,
        ),
        confidence=d.confidence,
        rules=d.rules,
        period=PeriodSpan(
            original[period.start : period.end], period.year, period.start, period.end
        )
        if period
        else None,
    )


def _period_span(period: Period | None, original: str) -> PeriodSpan | None:
    if period is None:
        return None
    return PeriodSpan(original[period.start : period.end], period.year, period.start, period.end)


def _merge(claims: list[Claim]) -> list[Claim]:
    """One claim per (buyer, product, amount) in a document, with all its evidence."""
    merged: dict[tuple, Claim] = {}
    for claim in claims:
        key = claim.key()
        evidence = Evidence(
            claim.source.sentence, claim.source.sentence_start, claim.source.sentence_end
        )
        kept = merged.get(key)
        if kept is None:
            claim.source.evidence.append(evidence)
            merged[key] = claim
            continue
        if all(e.sentence_start != evidence.sentence_start for e in kept.source.evidence):
            kept.source.evidence.append(evidence)
        if kept.source.attributed_to is None and claim.source.attributed_to:
            kept.source.attributed_to = claim.source.attributed_to
            kept.source.attribution_text = claim.source.attribution_text
        if kept.product.inferred and not claim.product.inferred:
            kept.product = claim.product
        kept.confidence = max(kept.confidence, claim.confidence)
    return list(merged.values())


def _rejection(r: Rejection, original: str) -> dict[str, object]:
    return {
        "amount": original[r.amount.start : r.amount.end],
        "start": r.amount.start,
        "end": r.amount.end,
        "reason": r.reason,
        "sentence": original[r.sentence.start : r.sentence.end],
    }
