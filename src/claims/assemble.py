"""Drafts to grounded claim records, and the records of one document put together.

A record's spans are cut from the original text (offsets are those of the normalised
text, which has the same length); the source is credited only when it is not the buyer
itself; one claim stands per (buyer, product, amount) with every sentence that states
it; a purchase restated under another name for the product is folded into one claim;
claims found in a chunk of a long document are moved to the document's offsets.
"""

from __future__ import annotations

from datetime import date

import regex

from .lexicon import Lexicon
from .linker import Draft, Rejection
from .period import Period, period_for
from .records import AmountSpan, BuyerSpan, Claim, Evidence, PeriodSpan, ProductSpan, Source
from .sentences import Sentence

_MODEL_ROOT = regex.compile(r"[a-z]*\d+")


def record(
    d: Draft,
    original: str,
    doc: str | None,
    encoding: str | None,
    text: str,
    published: date | None,
) -> Claim:
    """The claim record of a draft, its spans cut from the *original* text."""
    s: Sentence = d.sentence
    a = d.amount
    attribution = d.attribution if credits_another(d) else None
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
        period=_period_span(period, original),
    )


def credits_another(d: Draft) -> bool:
    """Is the figure credited to someone other than the buyer? A buyer announcing its
    own purchase (东航宣布…, 微软CEO表示…) is the claim's subject, not a source: such a
    claim has no attribution, as in the scoring kit's convention."""
    a = d.attribution
    if a is None:
        return False
    if a.name is not None and a.name == d.buyer.name:
        return False
    if a.kind == "rumour" or a.name is None:
        return True
    return not (d.buyer.id and any(m.id == d.buyer.id for m in a.speaker_orgs))


def _period_span(period: Period | None, original: str) -> PeriodSpan | None:
    if period is None:
        return None
    return PeriodSpan(original[period.start : period.end], period.year, period.start, period.end)


def merge(claims: list[Claim]) -> list[Claim]:
    """One claim per (buyer, product, amount) in a document, with all its evidence."""
    merged: dict[tuple, Claim] = {}
    evidence_at: dict[tuple, set[int]] = {}  # sentence starts already in the evidence
    for claim in claims:
        key = claim.key()
        found = [
            Evidence(claim.source.sentence, claim.source.sentence_start, claim.source.sentence_end),
            *claim.source.evidence,
        ]
        kept = merged.get(key)
        if kept is None:
            kept = merged[key] = claim
            claim.source.evidence = []
            evidence_at[key] = set()
        seen = evidence_at[key]
        for evidence in found:
            if evidence.sentence_start not in seen:
                seen.add(evidence.sentence_start)
                kept.source.evidence.append(evidence)
        if kept is claim:
            continue
        if kept.source.attributed_to is None and claim.source.attributed_to:
            kept.source.attributed_to = claim.source.attributed_to
            kept.source.attribution_text = claim.source.attribution_text
        if kept.product.inferred and not claim.product.inferred:
            kept.product = claim.product
        kept.confidence = max(kept.confidence, claim.confidence)
    return list(merged.values())


def shift(claim: Claim, offset: int) -> None:
    """Move a claim found in a chunk to offsets of the whole document."""
    for span in (claim.buyer, claim.product, claim.amount, claim.period):
        if span is not None:
            span.start += offset
            span.end += offset
    claim.source.sentence_start += offset
    claim.source.sentence_end += offset
    for evidence in claim.source.evidence:
        evidence.sentence_start += offset
        evidence.sentence_end += offset


def fold(kept: Claim, other: Claim) -> None:
    """Fold a restatement into the claim that stays: its evidence, and its source when
    the kept one has none."""
    seen = {e.sentence_start for e in kept.source.evidence}
    kept.source.evidence += [e for e in other.source.evidence if e.sentence_start not in seen]
    kept.source.evidence.sort(key=lambda e: e.sentence_start)
    if kept.source.attributed_to is None and other.source.attributed_to:
        kept.source.attributed_to = other.source.attributed_to
        kept.source.attribution_text = other.source.attribution_text
    kept.confidence = max(kept.confidence, other.confidence)


def rejection(r: Rejection, original: str) -> dict[str, object]:
    """A rejected amount as reported by `--explain-rejected`."""
    return {
        "amount": original[r.amount.start : r.amount.end],
        "start": r.amount.start,
        "end": r.amount.end,
        "reason": r.reason,
        "sentence": original[r.sentence.start : r.sentence.end],
    }


def restatements(claims: list[Claim], lexicon: Lexicon) -> list[Claim]:
    """The same purchase told twice under two names for the product (the headline's
    B300伺服器 and the body's AI伺服器; A330neo and A330-900) is one claim, with the
    more specific product and both evidence sentences."""
    groups: dict[tuple, list[Claim]] = {}
    for claim in claims:
        key = (claim.buyer.id or claim.buyer.name, claim.amount.value, claim.amount.currency)
        groups.setdefault(key, []).append(claim)
    kept: list[Claim] = []
    for group in groups.values():
        merged: list[Claim] = []
        for claim in group:
            twin = next((m for m in merged if _same_product(m, claim, lexicon)), None)
            if twin is None:
                merged.append(claim)
                continue
            better, other = (
                (claim, twin) if _level(claim, lexicon) > _level(twin, lexicon) else (twin, claim)
            )
            fold(better, other)
            merged[merged.index(twin)] = better
        kept.extend(merged)
    order = {id(c): i for i, c in enumerate(claims)}
    return sorted(kept, key=lambda c: order[id(c)])


def _level(claim: Claim, lexicon: Lexicon) -> int:
    entry = lexicon.entry("product", claim.product.id)
    return entry.level if entry else 2


def _same_product(a: Claim, b: Claim, lexicon: Lexicon) -> bool:
    """Two names for one product: the same class, and one is only the class
    (服务器) or both name one line of models (A330neo / A330-900)."""
    first = lexicon.entry("product", a.product.id)
    second = lexicon.entry("product", b.product.id)
    if first is None or second is None:
        return False
    if min(first.level, second.level) <= 1:
        # a class word restating a named product: the same class, or the class word
        # is part of the product's phrase (B300服务器 / AI服务器)
        generic, named = (a, b) if first.level <= second.level else (b, a)
        return first.cls == second.cls or generic.product.name in named.product.text
    if first.cls != second.cls or first.cls is None:
        return False
    roots = [_MODEL_ROOT.match(e.name.casefold()) for e in (first, second)]
    return all(roots) and roots[0].group() == roots[1].group()  # type: ignore[union-attr]
