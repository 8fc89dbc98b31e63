"""Entities beyond the lexicon: the trained spaCy recogniser in `models/ner/model`.

The lexicon only knows the names it lists; a buyer it has never heard of
(鹏城实验室 采购了8000块BR100) makes no claim. The recogniser (ORG, PRODUCT) reads
character tokens, so it needs no jieba user words on load and its spans are character
offsets of the normalised text. It runs only on candidate sentences (those holding an
amount), and its spans are merged under the lexicon's: where both speak the lexicon
wins, so known names keep their ids; new names get name = their text and id = null.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import regex

from .decoding import recognise
from .lexicon import Entry, Hit
from .resources import load_json, models_dir

if TYPE_CHECKING:
    from spacy.language import Language

# On by default: on the shared dev set the model keeps precision ≥ 0.95 and F1 unchanged
# (README, "Entities beyond the lexicon").
NER_DEFAULT = True
RULE = "model"
# the linker's reasons for want of a name: a buyer, or a product (then the buyer may be
# missing too: the product is looked for first)
_WANTS_BUYER = frozenset({"no buyer", "buyer is not named"})
_WANTS_PRODUCT = frozenset({"no product", "money without a product in its clause"})
_EDGE = " \t\r\n，,。；;：:、“”\"'（）()《》【】[]"
_SPACED_HAN = regex.compile(r"\p{Han}\s|\s\p{Han}")


def missing_entity(reason: str) -> bool:
    """Was a candidate amount rejected for want of a buyer or product (the linker's
    reasons)? Only those sentences are worth the model's time."""
    return reason in _WANTS_BUYER or wants_product(reason)


def wants_product(reason: str) -> bool:
    """Was the amount rejected for want of a product? Then only an answer that holds a
    product can help it: an organisation alone (上海今年计划新增充电桩48个 → 上海) leaves
    it without one."""
    return reason in _WANTS_PRODUCT or reason.endswith("without a product")


def model_path() -> Path:
    return models_dir() / "ner" / "model"


@cache
def load_model(path: str | None = None) -> Language:
    """The saved pipeline (offline: spaCy's zh character tokenizer, no downloads).

    Its layers do their matrix products with numpy's BLAS rather than thinc's default,
    blis: on this model's small matrices blis runs at a third of the speed (README,
    "Performance"), and the answers are the same (tested)."""
    import spacy
    from thinc.api import use_ops

    where = Path(path) if path else model_path()
    if not (where / "meta.json").is_file():
        raise FileNotFoundError(
            f"claims: no NER model at {where} (train it: python -m claims.training.ner)"
        )
    with use_ops("numpy", use_blis=False):
        return spacy.load(where)


def heldout_ids() -> frozenset[str]:
    """Lexicon ids of the names kept away from training (`models/ner/heldout.json`):
    evaluate on `corpus/unseen` with a lexicon that excludes them."""
    data: dict[str, Any] = json.loads(
        (models_dir() / "ner" / "heldout.json").read_text(encoding="utf-8")
    )
    return frozenset(row["id"] for key in ("orgs", "products") for row in data[key])


class EntityModel:
    """Finds ORG and PRODUCT spans in chosen sentences of a normalised text."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path

    @property
    def nlp(self) -> Language:
        return load_model(self.path)

    def spans(self, text: str, ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int, str]]:
        """(start, end, label) in *text* for each sentence range, trimmed of punctuation."""
        return self.spans_many([(text, list(ranges))])[0]

    def spans_many(
        self, requests: Sequence[tuple[str, list[tuple[int, int]]]]
    ) -> list[list[tuple[int, int, str]]]:
        """`spans` for many texts, with every range of every text in one batch through
        the pipeline (spaCy is three times faster on a batch than on one or two
        sentences; `decoding.recognise` is `nlp.pipe` with a cheaper entity parser)."""
        slices = [(k, text, a, b) for k, (text, ranges) in enumerate(requests) for a, b in ranges]
        found: list[list[tuple[int, int, str]]] = [[] for _ in requests]
        nlp = self.nlp  # loaded (and numpy's BLAS with it) before the BLAS is looked for
        # one BLAS thread: the matrices are small, and extraction scales by processes
        # (`--workers`), which must not each start a thread per core
        with _one_blas_thread():
            docs = recognise(nlp, [text[a:b] for _, text, a, b in slices])
        for (k, text, a, _), doc in zip(slices, docs, strict=True):
            for ent in doc.ents:
                span = _trimmed(text, a + ent.start_char, a + ent.end_char, ent.label_)
                if span is not None:
                    found[k].append(span)
        return found

    def hits(
        self, text: str, ranges: Iterable[tuple[int, int]], avoid: Sequence[tuple[int, int]] = ()
    ) -> list[Hit]:
        """Model spans as tagger hits, except those overlapping *avoid* (amounts)."""
        return self.hits_many([ModelRequest(text, list(ranges), list(avoid))])[0]

    def hits_many(self, requests: Sequence[ModelRequest]) -> list[list[Hit]]:
        """`hits` for many requests (one batch through the model)."""
        spans = self.spans_many([(r.text, r.ranges) for r in requests])
        return [_as_hits(r.text, found, r.avoid) for r, found in zip(requests, spans, strict=True)]


def _one_blas_thread() -> AbstractContextManager[object]:
    """A context limiting BLAS to one thread, with the libraries found once per process
    (after the model, and numpy with it, is loaded): finding them walks every shared
    object of the process, 2 ms, a tenth of a typical batch's model time."""
    return _blas_controller().limit(limits=1, user_api="blas")


@cache
def _blas_controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """Sentence ranges of a normalised text to read, and spans (amounts) that are no
    names."""

    text: str
    ranges: list[tuple[int, int]]
    avoid: list[tuple[int, int]]


def _trimmed(text: str, start: int, end: int, label: str) -> tuple[int, int, str] | None:
    """A model span without edge punctuation and datelines, or None if no name is left."""
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    name = text[start:end]
    if label == "ORG" and _SPACED_HAN.search(name):
        # a dateline glued on (南方都市报讯 深圳市公安局): the name is the last part
        start = end - len(name.split()[-1])
        name = text[start:end]
    if len(name) < 2 or name.isdigit():
        return None
    if label == "ORG" and not is_name(name):
        return None
    return start, end, label


def _as_hits(
    text: str, spans: list[tuple[int, int, str]], avoid: Sequence[tuple[int, int]]
) -> list[Hit]:
    avoid = sorted(avoid)
    avoid_starts = [a for a, _ in avoid]
    hits = []
    for start, end, label in spans:
        # amounts do not overlap one another: only the last one starting before the
        # span's end can reach into it
        index = bisect_left(avoid_starts, end) - 1
        if index >= 0 and avoid[index][1] > start:
            continue
        name = text[start:end]
        if label == "ORG":
            entry = Entry("org", None, name, "company")
        elif label == "PRODUCT":
            entry = Entry("product", None, name, "model")
        else:
            continue
        hits.append(Hit(start, end, (entry,), RULE))
    return hits


@cache
def _name_filters() -> tuple[tuple[str, ...], frozenset[str], regex.Pattern[str], tuple[str, ...]]:
    data = load_json("cues.json")["model_names"]
    heads = "|".join(map(regex.escape, data["generic_heads"]))
    descriptors = "|".join(map(regex.escape, data["descriptors"]))
    generic_phrase = regex.compile(rf"(?:{descriptors})+(?:{heads})")
    return (
        tuple(data["not_a_name_prefixes"]),
        frozenset(data["generic"]),
        generic_phrase,
        tuple(data["dateline_suffixes"]),
    )


def is_name(name: str) -> bool:
    """Could the model's ORG span be an organisation's name? Not when it opens with a
    demonstrative or a count (这台, 三家), is a generic noun or a generic phrase
    (中国科技企业), or is a dateline (南方都市报讯); `models/cues.json` "model_names"."""
    prefixes, generic, generic_phrase, datelines = _name_filters()
    return not (
        name.startswith(prefixes)
        or name in generic
        or generic_phrase.fullmatch(name)
        or name.endswith(datelines)
    )


def merge(lexicon_hits: list[Hit], model_hits: Iterable[Hit]) -> list[Hit]:
    """The lexicon's hits plus the model's where no lexicon hit speaks (a product class
    word inside a recognised organisation, 星河|智算, names nothing: the organisation
    stands). A model span
    overlapping lexicon hits is dropped, except a product's longest uncovered part of two
    characters or more (Matrice 350|无人机 with 无人机 known → Matrice 350)."""
    model_hits = list(model_hits)
    orgs = [h for h in model_hits if h.entries[0].category == "org"]
    lexicon_hits = [h for h in lexicon_hits if not _generic_inside(h, orgs)]
    covered = set()
    for h in lexicon_hits:
        covered.update(range(h.start, h.end))
    extra = []
    for hit in model_hits:
        if not covered.intersection(range(hit.start, hit.end)):
            extra.append(hit)
            continue
        if hit.entries[0].category != "product":
            continue  # an organisation's fragment (东方|航空公司) is no name
        runs: list[tuple[int, int]] = []
        for i in range(hit.start, hit.end):
            if i in covered:
                continue
            if runs and runs[-1][1] == i:
                runs[-1] = (runs[-1][0], i + 1)
            else:
                runs.append((i, i + 1))
        if not runs:
            continue
        start, end = max(runs, key=lambda r: r[1] - r[0])
        name = hit.entries[0].name[start - hit.start : end - hit.start]
        stripped = name.strip()
        start += len(name) - len(name.lstrip())
        end = start + len(stripped)
        if len(stripped) < 2 or stripped.isdigit():
            continue
        entry = hit.entries[0]
        extra.append(Hit(start, end, (replace(entry, name=stripped),), hit.rule))
    return [*lexicon_hits, *extra]


def _generic_inside(hit: Hit, orgs: list[Hit]) -> bool:
    """Is *hit* only a product class word (智算, 服务器) strictly inside a model ORG?"""
    if not all(e.category == "product" and e.type == "class" for e in hit.entries):
        return False
    return any(
        o.start <= hit.start and hit.end <= o.end and (o.start, o.end) != (hit.start, hit.end)
        for o in orgs
    )
