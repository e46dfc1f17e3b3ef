"""Word2Vec end to end on a planted synthetic corpus whose similarity structure is known."""

from __future__ import annotations

import numpy as np
import pytest

from adlkit.embeddings import KeyedVectors, Word2Vec


def planted_corpus(n_sentences: int = 3000, groups: int = 5, per_group: int = 8, length: int = 8, seed: int = 0):
    """Sentences that each draw all their words from one topic group: words of one group share
    contexts, words of different groups never co-occur. Returns (sentences, group of each word)."""
    rng = np.random.default_rng(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"  # letters only: the tokeniser keeps [a-z]+ runs
    words = [f"group{letters[g]}word{letters[k]}" for g in range(groups) for k in range(per_group)]
    group = {w: i // per_group for i, w in enumerate(words)}
    sents = []
    for _ in range(n_sentences):
        g = rng.integers(groups)
        sents.append([words[g * per_group + k] for k in rng.integers(per_group, size=length)])
    return sents, group


def _group_margin(wv: KeyedVectors, group: dict[str, int]) -> tuple[float, float]:
    """(mean cosine within groups - mean across, share of words whose nearest neighbour is in-group)."""
    n = wv.get_normed_vectors()
    g = np.array([group[w] for w in wv.index_to_key])
    sims = n @ n.T
    same = g[:, None] == g[None, :]
    off = ~np.eye(len(g), dtype=bool)
    margin = sims[same & off].mean() - sims[~same].mean()
    np.fill_diagonal(sims, -np.inf)
    top1 = (g[np.argmax(sims, axis=1)] == g).mean()
    return float(margin), float(top1)


@pytest.mark.parametrize("sg", [1, 0])
def test_trainer_recovers_planted_groups(sg):
    """Both architectures place every word nearest to a word of its own group, and words of one
    group are clearly more similar than words of different groups."""
    sents, group = planted_corpus()
    model = Word2Vec(sents, sg=sg, vector_size=16, window=3, min_count=1, sample=0, epochs=3, workers=1, seed=3)
    margin, top1 = _group_margin(model.wv, group)
    assert top1 == 1.0
    assert margin > 0.5
    # the float64 loss falls from the first epoch to the last
    assert model.history[-1].mean_loss < model.history[0].mean_loss
    assert all(h.raw_words == sum(map(len, sents)) for h in model.history)


def test_random_vectors_do_not_pass_the_planted_check():
    """Control for the test above: untrained (initial) vectors fail it."""
    sents, group = planted_corpus()
    model = Word2Vec(sents, sg=1, vector_size=16, window=3, min_count=1, epochs=1, workers=1, seed=3, alpha=1e-9,
                     min_alpha=1e-9)
    margin, top1 = _group_margin(model.wv, group)
    assert margin < 0.2 and top1 < 0.9


def test_one_worker_with_a_seed_is_reproducible_bit_for_bit():
    sents, _ = planted_corpus(n_sentences=400)
    kw = dict(sg=1, vector_size=8, window=2, min_count=1, epochs=2, workers=1, job_words=500)
    a = Word2Vec(sents, seed=5, **kw)
    b = Word2Vec(sents, seed=5, **kw)
    c = Word2Vec(sents, seed=6, **kw)
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)
    np.testing.assert_array_equal(a.syn1neg, b.syn1neg)
    assert a.history[-1].loss == b.history[-1].loss
    assert not np.array_equal(a.wv.vectors, c.wv.vectors)


def test_two_workers_train_as_well_as_one():
    """Hogwild with two threads processes every word and still recovers the planted groups."""
    sents, group = planted_corpus()
    model = Word2Vec(sents, sg=0, vector_size=16, window=3, min_count=1, sample=0, epochs=3, workers=2, seed=3,
                     job_words=2000)
    _, top1 = _group_margin(model.wv, group)
    assert top1 == 1.0
    assert model.history[0].effective_words == sum(map(len, sents))


def test_min_count_and_frequency_order():
    sents = [["a", "b", "a", "c"], ["a", "b", "d", "a"]]
    model = Word2Vec(sents, min_count=2, vector_size=4, epochs=1, workers=1)
    assert model.wv.index_to_key == ["a", "b"]
    assert model.wv.counts.tolist() == [4, 2]


def test_subsampling_keep_probability_is_word2vecs_formula():
    """keep(w) = (sqrt(f / (s * T)) + 1) * s * T / f, capped at 1 (T = retained tokens)."""
    sents, _ = planted_corpus(n_sentences=200)
    model = Word2Vec(sents, min_count=1, sample=1e-2, vector_size=4, epochs=1, workers=1)
    f = model.wv.counts.astype(float)
    thr = 1e-2 * f.sum()
    expected = np.minimum((np.sqrt(f / thr) + 1) * thr / f, 1.0)
    np.testing.assert_allclose(model.keep_, expected, rtol=1e-6)
    assert model.history[0].effective_words < model.history[0].raw_words


def test_window_means_words_per_side_and_span_is_the_course_total():
    assert Word2Vec(window=5).window == 5
    assert Word2Vec(span=11).window == 5
    with pytest.raises(ValueError, match="not both"):
        Word2Vec(window=5, span=11)
    with pytest.raises(ValueError, match="odd"):
        Word2Vec(span=4)


@pytest.mark.parametrize("kw,msg", [({"negative": 0}, "negative"), ({"epochs": 0}, "epochs"),
                                    ({"sg": 2}, "sg must be"), ({"min_alpha": 1.0}, "min_alpha")])
def test_bad_hyperparameters_raise_one_clear_error(kw, msg):
    with pytest.raises(ValueError, match=msg):
        Word2Vec(**kw)


def test_min_count_above_every_count_is_a_clear_error():
    with pytest.raises(ValueError, match="min_count"):
        Word2Vec([["a", "b"]], min_count=5)
