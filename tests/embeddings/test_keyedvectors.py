"""KeyedVectors: lookup, evaluation against slow obvious references, and both file formats."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from adlkit.embeddings import KeyedVectors

FIX = Path(__file__).parent / "fixtures"


def planted_vectors(noise: float = 0.0) -> KeyedVectors:
    """Orthogonal features: king = male + royal, queen = female + royal, ... so that
    king - man + woman = queen exactly after normalisation (all these have norm sqrt 2)."""
    feats = ["male", "female", "royal", "person", "fruit", "a", "p", "plural", "z"]
    e = {f: np.eye(len(feats))[i] for i, f in enumerate(feats)}
    table = {
        "man": e["male"] + e["person"], "woman": e["female"] + e["person"],
        "king": e["male"] + e["royal"], "queen": e["female"] + e["royal"],
        "apple": e["fruit"] + e["a"], "pear": e["fruit"] + e["p"],
        "apples": e["fruit"] + e["a"] + e["plural"], "pears": e["fruit"] + e["p"] + e["plural"],
        "zebra": e["z"] + 0.1 * e["royal"],
    }
    words = list(table)
    rng = np.random.default_rng(0)
    vecs = np.stack([table[w] for w in words]) * rng.uniform(0.5, 2.0, size=(len(words), 1))  # norms vary
    vecs += noise * rng.standard_normal(vecs.shape)  # noise > 0 breaks exact ties between cosines
    return KeyedVectors(vecs.astype(np.float32), words)


def cos(a, b):
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_similarity_and_most_similar_match_brute_force():
    wv = planted_vectors()
    assert wv.similarity("king", "queen") == pytest.approx(cos(wv["king"], wv["queen"]), abs=1e-6)
    # brute force: cosine to every other word
    ref = sorted(((w, cos(wv["apple"], wv[w])) for w in wv.index_to_key if w != "apple"), key=lambda t: -t[1])
    got = wv.most_similar("apple", topn=3)
    assert [w for w, _ in got] == [w for w, _ in ref[:3]]
    assert [s for _, s in got] == pytest.approx([s for _, s in ref[:3]], abs=1e-6)
    assert wv.most_similar(positive=["king", "woman"], negative=["man"], topn=1)[0][0] == "queen"
    assert all(w in wv.index_to_key[:4] for w, _ in wv.most_similar("man", topn=2, restrict_vocab=4))


def test_unknown_word_is_a_clear_key_error():
    with pytest.raises(KeyError, match="not in vocabulary"):
        planted_vectors()["nonexistent"]


def test_evaluate_word_pairs_matches_scipy_on_the_in_vocabulary_pairs():
    """Fixture of 8 pairs, one OOV (xylophone), one capitalised (King): case-insensitive lookup."""
    wv = planted_vectors(noise=0.05)
    pearson, spearman, oov = wv.evaluate_word_pairs(FIX / "pairs.tsv")
    rows = [line.split("\t") for line in (FIX / "pairs.tsv").read_text().splitlines() if not line.startswith("#")]
    rows = [(a.lower(), b.lower(), float(s)) for a, b, s in rows if a.lower() in wv and b.lower() in wv]
    assert len(rows) == 7
    model = [cos(wv[a], wv[b]) for a, b, _ in rows]
    human = [s for *_, s in rows]
    assert pearson == pytest.approx(stats.pearsonr(model, human)[0], abs=1e-6)
    assert spearman == pytest.approx(stats.spearmanr(model, human)[0], abs=1e-6)
    assert oov == pytest.approx(100 / 8)


def _reference_analogy(wv: KeyedVectors, q, lim):
    """Slow obvious 3CosAdd: argmax over the first lim words of cos(w, b^ - a^ + c^), w not in q."""
    unit = {w: wv[w] / np.linalg.norm(wv[w]) for w in wv.index_to_key[:lim]}
    target = unit[q[1]] - unit[q[0]] + unit[q[2]]
    best = max((w for w in unit if w not in q[:3]), key=lambda w: cos(unit[w], target))
    return best == q[3]


@pytest.mark.parametrize("restrict", [100, 7])
def test_evaluate_word_analogies_matches_a_slow_reference(restrict):
    wv = planted_vectors()
    score, sections = wv.evaluate_word_analogies(FIX / "analogies.txt", restrict_vocab=restrict)
    lim = min(restrict, len(wv))
    questions = []
    sec = None
    for line in (FIX / "analogies.txt").read_text().splitlines():
        if line.startswith(":"):
            sec = line[1:].strip()
            continue
        q = tuple(w.lower() for w in line.split())
        if all(w in wv.index_to_key[:lim] for w in q):
            questions.append((sec, q, _reference_analogy(wv, q, lim)))
    assert [s["section"] for s in sections] == ["royal", "fruit", "Total accuracy"]
    for s in sections[:-1]:
        assert s["correct"] == [q for sec, q, ok in questions if sec == s["section"] and ok]
        assert s["incorrect"] == [q for sec, q, ok in questions if sec == s["section"] and not ok]
    n = len(questions)
    assert score == pytest.approx(sum(ok for *_, ok in questions) / n)
    if restrict == 100:
        # planted: the three royal questions are right (one capitalised), the zebra one is wrong
        assert len(sections[0]["correct"]) == 3 and len(sections[0]["incorrect"]) == 1
    else:
        # pears (row 7) and zebra (row 8) fall outside the first 7 words: their questions are skipped
        assert n == 4


def test_word2vec_text_round_trip(tmp_path):
    wv = planted_vectors()
    wv.save_word2vec_format(tmp_path / "v.txt")
    back = KeyedVectors.load(tmp_path / "v.txt")
    assert back.index_to_key == wv.index_to_key
    np.testing.assert_array_equal(back.vectors, wv.vectors)  # repr(float) of float32 is exact


def test_binary_round_trip_keeps_counts(tmp_path):
    wv = planted_vectors()
    wv.counts = np.arange(len(wv))[::-1] + 1
    wv.save(tmp_path / "v.safetensors")
    back = KeyedVectors.load(tmp_path / "v.safetensors")
    assert back.index_to_key == wv.index_to_key
    np.testing.assert_array_equal(back.vectors, wv.vectors)
    np.testing.assert_array_equal(back.counts, wv.counts)


def test_load_rejects_a_file_of_neither_format(tmp_path):
    p = tmp_path / "junk.bin"
    p.write_bytes(b"\x00\x01not vectors at all")
    with pytest.raises(ValueError, match="neither"):
        KeyedVectors.load(p)


@pytest.mark.skipif(importlib.util.find_spec("gensim") is None, reason="gensim not installed (optional peer)")
def test_gensim_reads_our_text_format_and_we_read_gensims(tmp_path):
    from gensim.models import KeyedVectors as GKV

    wv = planted_vectors()
    wv.save_word2vec_format(tmp_path / "ours.txt")
    g = GKV.load_word2vec_format(str(tmp_path / "ours.txt"), binary=False)
    assert list(g.index_to_key) == wv.index_to_key
    np.testing.assert_array_equal(g.vectors, wv.vectors)
    assert g.similarity("king", "queen") == pytest.approx(wv.similarity("king", "queen"), abs=1e-6)
    g.save_word2vec_format(str(tmp_path / "theirs.txt"), binary=False)
    back = KeyedVectors.load(tmp_path / "theirs.txt")
    np.testing.assert_allclose(back.vectors, wv.vectors, rtol=1e-6)
