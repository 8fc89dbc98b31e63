"""The pipeline: read → normalise → sentences → amounts → gate → segment → tag →
attribute → link → (recogniser → link again) → grounded records (`assemble`).

What keeps it cheap: only sentences holding a unit or currency word go through the
amount grammar; a sentence whose every amount fails the mention-free gate (`gate.py`)
is not linked; word boundaries are asked only where a name or a one-character cue
needs them (`segment.py`); the other sentences are tagged for context (products,
buyers, sources) by the lexicon automaton alone. The entity recogniser reads only the
sentences that lost a claim for want of a name, for a whole group of documents at
once (`run_many`). `Extractor(prefilter=False)` reads everything in full (tests show
the same claims).
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_right
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from operator import ne
from typing import TypeVar

from .amounts import AmountMatch, grammar
from .assemble import merge, record, rejection, restatements, shift
from .attribution import Attribution, Attributor
from .gate import AmountGate, Passed
from .lexicon import Hit, Lexicon, load_lexicon
from .linker import WINDOW_AFTER, Rejection, SentenceLinker
from .ner import EntityModel, ModelRequest, missing_entity, wants_product
from .normalize import normalize
from .reader import Document
from .records import Claim
from .segment import Segmenter, Tokens
from .sentences import CLAUSE_BREAKS, Sentence, spans_between, split_sentences
from .tagger import Tagged, lexicon_hits, possible_org_ends, retag, tag

# Documents longer than this are read in chunks (cut at paragraph or sentence ends), so
# memory stays bounded; a claim never spans chunks, since it lives in one sentence.
CHUNK_CHARS = 200_000
# each chunk is read with up to this many sentences (and characters) before it as context
LEAD_SENTENCES = 34
LEAD_CHARS = 20_000
# share of Han characters changed by traditional→simplified normalisation (in the first
# characters of a text) from which the text counts as written in traditional Chinese
TRADITIONAL_SHARE = 0.03
TRADITIONAL_SAMPLE = 5_000
# two model names with the same letters-and-number root (A330neo, A330-900) are one
# line of models; Trainium2 and Trainium3 are not
_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")  # stdlib re: twice as fast as regex here
# How many sentences before a candidate are read for attributions that carry over.
ATTRIBUTION_CONTEXT = 3
# `run_many` reads documents in groups of at most this many documents and characters:
# the recogniser answers a group's requests in one batch (three times the speed of one
# call per document), and a group's texts and tags are all that is held at once.
GROUP_DOCUMENTS = 64
GROUP_CHARS = 1_000_000


T = TypeVar("T")
# one piece of text being extracted: it may yield one request for the recogniser
Steps = Generator[ModelRequest, list[Hit], "Result"]


@dataclass(slots=True)
class Result:
    """Claims of one document, plus the candidates that were rejected and why."""

    doc: str | None
    claims: list[Claim]
    rejections: list[dict[str, object]] = field(default_factory=list)


class Extractor:
    """Loads the lexicon and segmenter once; extracts claims from many documents."""

    def __init__(
        self,
        segmenter: str = "jieba",
        ner: bool | None = None,
        exclude: Iterable[str] = (),
        prefilter: bool = True,
    ) -> None:
        """*ner* runs the trained recogniser on candidate sentences (default: `NER_DEFAULT`);
        *exclude* drops lexicon entries by id (to evaluate names the lexicon lacks);
        *prefilter* False reads every sentence in full (no unit/currency shortcut, no
        gate before linking): slower, and the same claims, as the tests show."""
        from .ner import NER_DEFAULT

        self.segmenter_name = segmenter
        self.ner = NER_DEFAULT if ner is None else ner
        self.exclude = frozenset(exclude)
        self.prefilter = prefilter
        self._lexicon: Lexicon | None = None
        self._segmenter: Segmenter | None = None
        self._model: EntityModel | None = None

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = load_lexicon(self.exclude)
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
        """Stream (text, doc) pairs; yield each document's claims in input order.
        Documents are read in small groups so that the recogniser runs once per group."""
        for outcome in self.run_many((text, doc, None, None) for text, doc in items):
            if isinstance(outcome, BaseException):
                raise outcome
            yield outcome.claims

    # --------------------------------------------------------------- pipeline
    def run(
        self,
        original: str,
        doc: str | None = None,
        encoding: str | None = None,
        published: date | None = None,
    ) -> Result:
        """Extract from one document; a very long one is read in chunks cut at
        paragraph or sentence ends, with offsets kept relative to the whole text."""
        outcome = self._run_group([(original, doc, encoding, published)])[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def run_many(
        self, items: Iterable[tuple[str, str | None, str | None, date | None]]
    ) -> Iterator[Result | Exception]:
        """`run` over many (text, doc, encoding, published) items, in input order. The
        entity recogniser is far cheaper on a batch of sentences than one call per
        document, so documents are read in groups (up to GROUP_DOCUMENTS documents or
        GROUP_CHARS characters) whose recogniser requests are answered together. A
        document that fails yields its exception; the others are unaffected."""
        for group in grouped(items, lambda item: len(item[0]), GROUP_DOCUMENTS, GROUP_CHARS):
            yield from self._run_group(group)

    def _run_group(
        self, group: list[tuple[str, str | None, str | None, date | None]]
    ) -> list[Result | Exception]:
        outcomes: list[Result | Exception] = []
        short = [i for i, item in enumerate(group) if len(item[0]) <= CHUNK_CHARS]
        with _collector_paused():
            answered = self._drive([self._chunk_steps(*group[i]) for i in short])
        by_index = dict(zip(short, answered, strict=True))
        for i, (original, doc, encoding, published) in enumerate(group):
            try:
                if i in by_index:
                    outcome = by_index[i]
                    if isinstance(outcome, Result):
                        outcome.claims = restatements(outcome.claims, self.lexicon)
                else:
                    outcome = self._run_long(original, doc, encoding, published)
            except Exception as exc:  # one bad document must not stop the others
                outcome = exc
            outcomes.append(outcome)
        return outcomes

    def _run_long(
        self, original: str, doc: str | None, encoding: str | None, published: date | None
    ) -> Result | Exception:
        """A document longer than CHUNK_CHARS, chunk by chunk (one at a time: the
        chunks of a 50 MB line must not all be held at once)."""
        claims: list[Claim] = []
        rejections: list[dict[str, object]] = []
        for lead, lo, hi in chunk_bounds(normalize(original), CHUNK_CHARS):
            # the chunk is read with the sentences before it as context (an earlier
            # product, buyer or source); only the amounts of its own part count
            steps = self._chunk_steps(original[lead:hi], doc, encoding, published, own=lo - lead)
            part = self._drive([steps])[0]
            if isinstance(part, Exception):
                return part
            for claim in part.claims:
                shift(claim, lead)
            for rejected in part.rejections:
                rejected["start"] = int(rejected["start"]) + lead  # type: ignore[call-overload]
                rejected["end"] = int(rejected["end"]) + lead  # type: ignore[call-overload]
            claims.extend(part.claims)
            rejections.extend(part.rejections)
        return Result(doc, restatements(merge(claims), self.lexicon), rejections)

    def _drive(self, steps: list[Steps]) -> list[Result | Exception]:
        """Run chunk extractions to the point where they need the recogniser, answer
        all their requests in one batch, and let them finish."""
        outcomes: list[Result | Exception | None] = [None] * len(steps)
        asking: list[tuple[int, ModelRequest]] = []
        for i, step in enumerate(steps):
            try:
                asking.append((i, next(step)))
            except StopIteration as done:
                outcomes[i] = done.value
            except Exception as exc:  # one bad document must not stop the others
                outcomes[i] = exc
        if asking:
            try:
                answers = self.model.hits_many([request for _, request in asking])
            except Exception as exc:  # the recogniser failed: so did these documents
                for i, _ in asking:
                    steps[i].close()
                    outcomes[i] = exc
                asking, answers = [], []
            for (i, _), hits in zip(asking, answers, strict=True):
                try:
                    steps[i].send(hits)
                    outcomes[i] = RuntimeError("extraction asked the recogniser twice")
                except StopIteration as done:
                    outcomes[i] = done.value
                except Exception as exc:
                    outcomes[i] = exc
        return [o if o is not None else RuntimeError("no result") for o in outcomes]

    @property
    def model(self) -> EntityModel:
        if self._model is None:
            self._model = EntityModel()
        return self._model

    def _chunk_steps(
        self,
        original: str,
        doc: str | None,
        encoding: str | None,
        published: date | None,
        own: int = 0,
    ) -> Steps:
        """Extract from one piece of text; amounts before *own* are context only. A
        generator: where the recogniser is wanted it yields its request and takes the
        hits back (`_drive` answers the requests of many pieces at once)."""
        text = normalize(original)
        sentences = split_sentences(text)
        spans = [(s.start, s.end) for s in sentences]
        if self.prefilter:  # only sentences with a unit or currency word are parsed
            found = grammar().find_each(text, spans)
        else:
            found = [grammar().find(text, a, b, anchored=False) for a, b in spans]
        amounts = {s.index: matches for s, matches in zip(sentences, found, strict=True)}
        yuan = grammar().yuan_currency(text) if _traditional(original, text) else "CNY"
        if yuan != "CNY":  # Taiwan or Hong Kong news: 元 is their dollar
            amounts = {i: grammar().with_yuan_as(ms, text, yuan) for i, ms in amounts.items()}
        candidates = [s for s in sentences if amounts[s.index]]
        if not candidates:
            return Result(doc, [])
        tokens = {s.index: self.segmenter.tokens(text, s.start, s.end) for s in candidates}
        # the gate first: a sentence whose every amount is vague, per unit, a market size,
        # negated … needs no attribution or linking of its own
        gate = AmountGate(text)
        found_hits: list[Hit] | None = None  # the lexicon's, read once an amount passes the gate
        org_ends: set[int] = set()
        live: list[Sentence] = []
        gated: list[Rejection] = []
        for s in candidates:
            outcomes = [gate.check(s, a, tokens[s.index]) for a in amounts[s.index]]
            if found_hits is None and any(isinstance(o, Passed) for o in outcomes):
                found_hits = lexicon_hits(text, self.lexicon)
                org_ends = possible_org_ends(found_hits)
            if self.prefilter:
                # nor is a sentence linked whose amounts all lack any purchase cue
                outcomes = [
                    "no purchase cue"
                    if isinstance(o, Passed)
                    and gate.without_purchase_cue(s, a, o, tokens[s.index], org_ends)
                    else o
                    for a, o in zip(amounts[s.index], outcomes, strict=True)
                ]
            if self.prefilter and all(isinstance(o, str) for o in outcomes):
                gated += [
                    Rejection(a, s, str(o)) for a, o in zip(amounts[s.index], outcomes, strict=True)
                ]
            else:
                live.append(s)
        live_indices = {s.index for s in live}
        starts = [s.start for s in sentences]

        def tokens_at(offset: int) -> Tokens | None:
            return tokens.get(bisect_right(starts, offset) - 1)

        verdicts: dict[int, bool] = {}  # and their word-edge tests (by id: they live on)
        # linking reads no mention past the line after the last live sentence: the text
        # after it is tagged only if a denial there may withdraw a claim (`drop_denied`)
        if not live:  # nothing to link: the gate's rejections are the whole result
            gated.sort(key=lambda r: r.amount.start)
            return Result(doc, [], [rejection(r, original) for r in gated if r.amount.start >= own])
        if found_hits is None:  # (prefilter off: sentences are linked whatever the gate says)
            found_hits = lexicon_hits(text, self.lexicon)
        reach = _tagging_reach(text, live, found_hits) if self.prefilter else len(text)
        near_hits = found_hits if reach == len(text) else [h for h in found_hits if h.start < reach]

        first: list[Tagged] = []  # the lexicon pass's mentions, which the second redoes in part

        def link(model_hits: list[Hit], focus: list[Sentence] = live) -> SentenceLinker:
            if first and model_hits:
                tagged = retag(
                    first[0], text, self.lexicon, tokens_at, model_hits, near_hits, verdicts
                )
            else:
                tagged = tag(text, self.lexicon, tokens_at, model_hits, near_hits, verdicts)
                first.append(tagged)
            attributor = Attributor(text, tagged)
            linker = SentenceLinker(text, tagged, sentences, gate)
            for sentence in _with_context(sentences, focus):
                found: list[Attribution] = attributor.sentence(
                    sentence.start, sentence.end, tokens.get(sentence.index)
                )
                if sentence.index in live_indices:
                    linker.link_sentence(
                        sentence, amounts[sentence.index], tokens[sentence.index], found
                    )
                else:
                    linker.hear(sentence, found)
            if linker.drafts and gate.cues.denials.find(text, reach, len(text)):
                # a denial after the reach may withdraw a claim: the whole document's mentions
                linker.tagged = tag(text, self.lexicon, tokens_at, model_hits, found_hits, verdicts)
            linker.drop_denied()
            return linker

        linker = link([])
        drafts = linker.drafts
        if self.ner:
            # second pass, with the recogniser, over the sentences with an amount rejected
            # for want of a buyer or product: the lexicon's claims stand, the model only
            # adds new ones (and costs nothing where no name was missing)
            wanting = {r.amount.start for r in linker.rejections if missing_entity(r.reason)}
            pending = [s for s in live if any(a.start in wanting for a in amounts[s.index])]
            if pending:
                hits = yield _model_request(text, pending, amounts, wanting)
                hits = _answering(hits, linker.rejections, starts)
                if hits:
                    # link again only where the model spoke, with the sentences before it
                    claimed = {d.amount.start for d in drafts}
                    wanted = {p.index - k for p in pending for k in range(4)}
                    focus = [s for s in live if s.index in wanted]
                    again = link(hits, focus).drafts
                    drafts = drafts + [d for d in again if d.amount.start not in claimed]
        claims = merge(
            [
                record(d, original, doc, encoding, text, published)
                for d in drafts
                if d.amount.start >= own
            ]
        )
        rejections = sorted(gated + linker.rejections, key=lambda r: r.amount.start)
        rejected = [rejection(r, original) for r in rejections if r.amount.start >= own]
        return Result(doc, claims, rejected)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a group of documents is read: extraction makes
    many short-lived objects and no cycles worth collecting, and each full collection
    walks every object of the loaded lexicon and recogniser (about 8 % of the time
    with the model on, in the benchmark). Restored between groups, so a caller's own
    objects are collected as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def grouped(
    items: Iterable[T], size: Callable[[T], int], most: int, chars: int
) -> Iterator[list[T]]:
    """*items* in consecutive groups of at most *most* items, closed once their *size*
    (characters of text) reaches *chars*: documents read together, never a whole feed."""
    group: list[T] = []
    total = 0
    for item in items:
        group.append(item)
        total += size(item)
        if len(group) >= most or total >= chars:
            yield group
            group, total = [], 0
    if group:
        yield group


def _model_request(
    text: str,
    sentences: list[Sentence],
    amounts: dict[int, list[AmountMatch]],
    wanting: set[int],
) -> ModelRequest:
    """What to ask the recogniser: each sentence read up to the end of the last clause
    holding an amount that wants a name (the buyer stands before it, the product in or
    before that clause, and the recogniser's cost grows with every character it reads),
    and the amounts, which are never names."""
    avoid = [(a.start, a.end) for s in sentences for a in amounts[s.index]]
    ranges = []
    for s in sentences:
        clauses = spans_between(text, s.start, s.end, CLAUSE_BREAKS)
        wanted = [a.start for a in amounts[s.index] if a.start in wanting]
        end = max(b for a, b in clauses for w in wanted if a <= w < b)
        ranges.append((s.start, end))
    return ModelRequest(text, ranges, avoid)


def _tagging_reach(text: str, live: list[Sentence], hits: list[Hit]) -> int:
    """Where tagging may stop: the end of the line holding the last character linking
    looks at (WINDOW_AFTER past the last live sentence), moved to a later line end while
    a hit crosses it. Everything `tag` joins lies within a line, so the mentions before
    this point are those of tagging the whole text."""
    reach = text.find("\n", live[-1].end + WINDOW_AFTER)
    while reach >= 0:
        crossing = [h.end for h in hits if h.start < reach < h.end]
        if not crossing:
            return reach
        reach = text.find("\n", max(crossing))
    return len(text)


def _answering(hits: list[Hit], rejections: list[Rejection], starts: list[int]) -> list[Hit]:
    """The recogniser's names in the sentences where they can answer what an amount
    lacks. Where every such amount lacks a product, only an answer holding a product
    can: an organisation alone (上海今年计划新增充电桩48个 → 上海) would be linked again
    for nothing, or worse, stand as the topic buyer of a later sentence."""

    def sentence_of(hit: Hit) -> int:
        return bisect_right(starts, hit.start) - 1

    wanting = [r for r in rejections if missing_entity(r.reason)]
    any_name = {r.sentence.index for r in wanting if not wants_product(r.reason)}
    with_product = {sentence_of(h) for h in hits if h.entries[0].category == "product"}
    return [h for h in hits if sentence_of(h) in any_name or sentence_of(h) in with_product]


def _with_context(sentences: list[Sentence], candidates: list[Sentence]) -> list[Sentence]:
    """The candidate sentences and the few before each that can credit a source to
    them (据X统计 … on the lines above); attribution reads no other sentence."""
    wanted: set[int] = set()
    for candidate in candidates:
        wanted.update(range(max(0, candidate.index - ATTRIBUTION_CONTEXT), candidate.index + 1))
    return [sentences[i] for i in sorted(wanted)]


def chunk_bounds(text: str, size: int) -> Iterator[tuple[int, int, int]]:
    """(lead, lo, hi): pieces [lo, hi) of about *size* characters covering the
    normalised *text*, each made of whole sentences (as `split_sentences` cuts them,
    over-long ones included) and preferring to end at a paragraph break, so that a
    sentence is never split; [lead, lo) are the up to LEAD_SENTENCES sentences before
    the piece, read again as its context."""
    sentences = split_sentences(text)
    lo = 0
    first = 0  # index of the piece's first sentence
    for index, sentence in enumerate(sentences):
        length = sentence.start - lo
        if index > 0 and (
            length >= size
            or (length >= size // 2 and sentence.paragraph != sentences[index - 1].paragraph)
        ):
            yield _lead(sentences, first, lo), lo, sentence.start
            lo, first = sentence.start, index
    if lo < len(text):
        yield _lead(sentences, first, lo), lo, len(text)


def _lead(sentences: list[Sentence], first: int, lo: int) -> int:
    lead = sentences[max(0, first - LEAD_SENTENCES)].start if first else lo
    return max(lead, lo - LEAD_CHARS)


def _traditional(original: str, normalised: str) -> bool:
    """Is the text written in traditional characters (Taiwan, Hong Kong)? Then a bare
    元 may be the local dollar. Normalisation maps traditional to simplified one for
    one (Han to Han), so the share of Han characters it changed says which script this is."""
    sample = original[:TRADITIONAL_SAMPLE]
    converted = normalised[: len(sample)]
    if sample == converted:
        return False  # nothing changed (the common case, decided by one comparison)
    han = _NOT_HAN.sub("", sample)
    if not han:
        return False
    converted_han = _NOT_HAN.sub("", converted)
    if len(converted_han) != len(han):  # a character changed script: count in place
        changed = sum(1 for a, b in zip(sample, converted, strict=True) if a != b and a in han)
    else:  # compare blocks first: most of a mixed text is unchanged
        changed = sum(
            sum(map(ne, han[i : i + 64], converted_han[i : i + 64]))
            for i in range(0, len(han), 64)
            if han[i : i + 64] != converted_han[i : i + 64]
        )
    return changed >= TRADITIONAL_SHARE * len(han)
