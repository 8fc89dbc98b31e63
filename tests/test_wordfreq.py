"""The cached jieba table (`claims.wordfreq`) cuts exactly as jieba with our user words."""

from __future__ import annotations

import jieba
import pytest

from claims import wordfreq
from claims.lexicon import load_lexicon
from claims.normalize import normalize
from claims.sentences import split_sentences
from claims.wordfreq import word_frequencies
from conftest import CORPUS


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    """An empty cache folder and no table loaded in this process."""
    monkeypatch.setenv("CLAIMS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(wordfreq, "_LOADED", {})
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def words() -> list[str]:
    return sorted(w for w in set(load_lexicon().aliases) if len(w) > 1 and " " not in w)


@pytest.fixture(scope="module")
def reference(words):
    """jieba's own way: its dictionary, then `add_word` for each of our words."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in words:
        tokenizer.add_word(word)
    return tokenizer


def test_the_table_read_back_from_the_cache_is_what_add_word_makes(cache, words, reference):
    word_frequencies(words)  # built and written
    assert len(list(cache.glob("jieba-*.freq"))) == 1
    wordfreq._LOADED.clear()
    table = word_frequencies(words)  # read from the file
    assert table.total == reference.total
    assert table.freq == reference.FREQ
    ours = table.tokenizer()
    cut = 0
    for path in sorted(CORPUS.glob("*.txt"))[:40]:
        text = normalize(path.read_text(encoding="utf-8"))
        for sentence in split_sentences(text):
            piece = text[sentence.start : sentence.end]
            assert ours.lcut(piece) == reference.lcut(piece)
            cut += 1
    assert cut > 200


def test_a_truncated_cache_file_is_rebuilt(cache, words, reference):
    word_frequencies(words)
    (path,) = cache.glob("jieba-*.freq")
    path.write_bytes(path.read_bytes()[:1000])
    wordfreq._LOADED.clear()
    assert word_frequencies(words).freq == reference.FREQ
    assert wordfreq._read(path) is not None  # written whole again


def test_another_word_list_gets_its_own_table(cache, words):
    fewer = words[: len(words) // 2]
    assert word_frequencies(fewer).freq != word_frequencies(words).freq
    assert len(list(cache.glob("jieba-*.freq"))) == 2


def test_an_unwritable_cache_only_costs_time(tmp_path, monkeypatch, words, reference):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("CLAIMS_CACHE", str(blocker / "claims"))
    monkeypatch.setattr(wordfreq, "_LOADED", {})
    assert word_frequencies(words).freq == reference.FREQ


def test_the_segmenter_leaves_the_global_jieba_alone(extractor, words):
    extractor.segmenter.tokens("微软购买了2万块H100。").boundaries()  # cuts with our table
    plain = jieba.Tokenizer()
    plain.initialize()
    ours_only = [w for w in words if w not in plain.FREQ]
    assert ours_only
    jieba.dt.initialize()
    assert not any(w in jieba.dt.FREQ for w in ours_only)
