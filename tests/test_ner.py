"""The trained entity recogniser (models/ner): names beyond the lexicon make claims."""

from __future__ import annotations

import json

import pytest

from claims.extractor import Extractor
from claims.lexicon import Entry, Hit, load_lexicon
from claims.ner import EntityModel, heldout_ids, merge, model_path
from claims.normalize import normalize
from claims.resources import load_jsonl, models_dir
from claims.sentences import split_sentences
from claims.training.heldout import ORG_TYPES, PRODUCT_KINDS
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
    # ≥ 20 % of the company-like organisations and named products of today's lexicon
    orgs = [r for r in load_jsonl("lexicon/organizations.jsonl") if r.get("type") in ORG_TYPES]
    products = [r for r in load_jsonl("lexicon/products.jsonl") if r.get("kind") in PRODUCT_KINDS]
    assert len(held["orgs"]) >= 0.2 * len(orgs)
    assert len(held["products"]) >= 0.2 * len(products)
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
    org = Entry("org", None, "微软采购", "company")
    known = Entry("org", "microsoft", "微软", "company")
    server = Entry("product", "server", "服务器", "class")
    model = [
        Hit(0, 4, (org,), "model"),  # overlaps 微软: dropped
        Hit(10, 24, (Entry("product", None, "Matrice 350无人机", "model"),), "model"),
        Hit(25, 29, (Entry("org", None, "星河智算", "company"),), "model"),
    ]
    lexicon = [
        Hit(0, 2, (known,), "lexicon"),
        Hit(21, 24, (Entry("product", "drone", "无人机", "class"),), "lexicon"),
        Hit(27, 29, (server,), "lexicon"),  # a class word inside a new name: the name wins
    ]
    kept = {(h.start, h.end, h.entries[0].name) for h in merge(lexicon, model)}
    assert kept == {
        (0, 2, "微软"),
        (21, 24, "无人机"),
        (10, 21, "Matrice 350"),
        (25, 29, "星河智算"),
    }


def test_recall_on_documents_naming_only_held_out_entities(unseen):
    """The ablation's headline figure (benchmarks/ablation.py): with the model, claims
    about names the lexicon does not know are found; without it, none are."""
    from claims.evaluate import predict_folder, score

    folder = CORPUS.parent / "unseen"
    gold = load_jsonl(folder / "gold.jsonl")
    scores = score(gold, predict_folder(folder, gold, unseen))
    assert scores.recall >= 0.80 and scores.precision >= 0.85, scores.totals()


def test_an_organisation_alone_does_not_answer_an_amount_that_lacks_a_product(extractor):
    """The recogniser reads 上海/重庆 as organisations in 重庆今年计划新增充电桩60个 (no
    product the lexicon knows); an answer without a product cannot complete that
    amount, and linked again it stood as the topic buyer of the next sentence."""
    text = (
        "重庆今年计划新增充电桩60个，以缓解新能源车主的充电焦虑。"
        "本港大學搶購AI晶片 四校一年買入逾2,500顆H200\n"
    )
    amount = text.index("60个")
    clause = (0, amount + 3)  # what the extractor asks: up to the amount's clause end
    hits = extractor.model.hits(normalize(text), [clause], avoid=[(amount, amount + 3)])
    assert [h.entries[0].category for h in hits] == ["org"]  # the model does speak
    assert [c.buyer.text for c in extractor.extract(text)] == []


def test_an_answer_holding_a_product_links_its_organisations_too(unseen):
    """A sentence that lacks a product may lack its buyer as well (the product is
    looked for first): with the product the recogniser's organisations stand."""
    text = "华信航空今年将引进2架E195-E2客机，立荣航空则将引进3架E190-E2。"
    found = {(c.buyer.text, c.amount.text) for c in unseen.extract(text)}
    assert found == {("华信航空", "2架"), ("立荣航空", "3架")}


def test_retagging_the_lines_of_the_model_names_equals_tagging_all(extractor):
    """The second pass tags again only the lines the recogniser's names fall on; on every
    corpus document that gives the very mentions of tagging the whole text again."""
    from claims.normalize import normalize
    from claims.tagger import lexicon_hits, retag, tag
    from conftest import CORPUS

    def spans(tagged):
        return [
            [(m.start, m.end, m.name, m.id) for m in pool]
            for pool in (tagged.orgs, tagged.products, tagged.sources)
        ]

    lexicon = extractor.lexicon
    compared = 0
    for path in sorted(CORPUS.glob("*.txt")) + sorted((CORPUS.parent / "unseen").glob("*.txt")):
        text = normalize(path.read_text(encoding="utf-8"))
        ranges = [(s.start, s.end) for s in split_sentences(text)]
        model_hits = extractor.model.hits(text, ranges)
        if not model_hits:
            continue
        hits = lexicon_hits(text, lexicon)
        first = tag(text, lexicon, None, (), hits)
        assert spans(retag(first, text, lexicon, None, model_hits, hits)) == spans(
            tag(text, lexicon, None, model_hits, hits)
        ), path.name
        compared += 1
    assert compared > 30


def test_numpy_blas_gives_the_answers_of_thincs_default_blis():
    """`load_model` runs the recogniser's matrix products on numpy's BLAS (three times
    faster than blis here); on every corpus sentence its names are those of a model
    loaded the default way."""
    import spacy

    from claims.ner import load_model

    ours = load_model()
    default = spacy.load(model_path())
    assert not ours.get_pipe("tok2vec").model.ops.use_blis
    assert default.get_pipe("tok2vec").model.ops.use_blis
    sentences = _corpus_sentences()

    def names(nlp):
        return [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in nlp.pipe(sentences)]

    found = names(ours)
    assert found == names(default)
    assert sum(map(len, found)) > 500  # the model spoke, many times


def test_recogniser_runs_on_one_blas_thread_and_restores_the_callers_setting(monkeypatch):
    """Extraction scales by processes, so the model's BLAS must not start a thread per
    core; the limit is lifted after each batch. The libraries are looked for once, after
    the model (and numpy's BLAS with it) is loaded, or there would be nothing to limit."""
    from threadpoolctl import threadpool_info

    import claims.ner
    from claims.ner import load_model

    model = EntityModel()
    load_model()
    seen: list[list[int]] = []
    original = claims.ner.recognise

    def recognise(nlp, texts):
        seen.append([lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"])
        return original(nlp, texts)

    monkeypatch.setattr(claims.ner, "recognise", recognise)
    before = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    model.spans(SENTENCE, [(0, len(SENTENCE))])
    model.spans(SENTENCE, [(0, len(SENTENCE))])
    assert seen == [[1] * len(before)] * 2 and before
    assert [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"] == before


def test_decoding_with_the_gil_held_finds_the_names_spacy_finds():
    """`decoding.recognise` runs the entity parser step by step in Python instead of
    spaCy's compiled loop (which takes the GIL back hundreds of times per sentence): on
    every sentence of our corpora, in batches as the extractor sends them, the names
    are those of `nlp.pipe`."""
    from claims.decoding import recognise
    from claims.ner import load_model

    nlp = load_model()
    sentences = _corpus_sentences()

    def names(docs):
        return [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in docs]

    ours, theirs = [], []
    for i in range(0, len(sentences), 40):
        ours += names(recognise(nlp, sentences[i : i + 40]))
        theirs += names(nlp.pipe(sentences[i : i + 40]))
    assert ours == theirs
    assert sum(map(len, ours)) > 500
    assert recognise(nlp, []) == [] and names(recognise(nlp, ["", "。"])) == [[], []]


def _corpus_sentences() -> list[str]:
    """Every normalised sentence of corpus/news and corpus/unseen."""
    sentences = []
    for path in sorted(CORPUS.glob("*.txt")) + sorted((CORPUS.parent / "unseen").glob("*.txt")):
        text = normalize(path.read_text(encoding="utf-8"))
        sentences += [text[s.start : s.end] for s in split_sentences(text)]
    return sentences
