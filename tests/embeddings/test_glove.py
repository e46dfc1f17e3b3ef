"""GloVe: co-occurrence against a slow obvious count, one AdaGrad step against autograd, and the
planted corpus."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from adlkit.data.text import Corpus
from adlkit.embeddings import GloVe
from adlkit.embeddings.glove import cooccurrence

from .test_word2vec import _group_margin, planted_corpus


def _slow_cooc(sents, vocab_index, window):
    x = defaultdict(float)
    for s in sents:
        s = [vocab_index[w] for w in s if w in vocab_index]  # OOV words removed first
        for i in range(len(s)):
            for j in range(max(0, i - window), min(len(s), i + window + 1)):
                if j != i:
                    x[(s[i], s[j])] += 1.0 / abs(i - j)
    return x


@pytest.mark.parametrize("buffer_pairs,dense_words", [(1 << 16, 0), (24, 0), (24, 3), (1 << 16, 6)])  # small buffers force runs and merges; dense_words splits dense and sparse
def test_cooccurrence_matches_a_slow_count(buffer_pairs, dense_words):
    rng = np.random.default_rng(1)
    words = list("abcdefgh")
    sents = [[words[k] for k in rng.integers(8, size=rng.integers(1, 9))] for _ in range(60)]
    c = Corpus.from_sentences(sents)
    keep = c.words[:6]  # two rarest words are out of vocabulary
    to_model = np.array([i if i < 6 else -1 for i in range(len(c.words))], dtype=np.int32)
    rows, cols, vals = cooccurrence(c, to_model, 6, window=3, buffer_pairs=buffer_pairs, dense_words=dense_words)
    ref = _slow_cooc(sents, {w: i for i, w in enumerate(keep)}, 3)
    got = {}
    for a, b, v in zip(rows.tolist(), cols.tolist(), vals.tolist()):
        assert a <= b
        got[(a, b)] = v
        if a != b:
            got[(b, a)] = v
        else:
            got[(a, a)] = 2 * v  # both orders of a self pair land on the diagonal
    assert got.keys() == ref.keys()
    for k in ref:
        assert got[k] == pytest.approx(ref[k], rel=1e-6)  # 1/dist is emitted in float32


def _brute_force_pairs(sents, vocab_index, window, distance_weighting):
    """Unordered pairs (a <= b) by enumerating every pair of positions i < j of each filtered
    sentence: weight 1/(j - i) or 1 for j - i <= window (a self pair counted once per position pair)."""
    x = defaultdict(float)
    for s in sents:
        ids = [vocab_index[w] for w in s if w in vocab_index]
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                if j - i <= window:
                    a, b = min(ids[i], ids[j]), max(ids[i], ids[j])
                    x[(a, b)] += 1.0 / (j - i) if distance_weighting else 1.0
    return dict(x)


@pytest.mark.parametrize("dense_words", [0, 6])
@pytest.mark.parametrize("distance_weighting", [True, False])
def test_distance_weighting_on_and_off_match_a_brute_force_count(distance_weighting, dense_words):
    """With distance weighting every pair within the window adds 1/dist (glove.c's default);
    without it (cooccur.c -distance-weighting 0) it adds 1, so the values are plain counts."""
    rng = np.random.default_rng(3)
    words = list("abcdefg")
    sents = [[words[k] for k in rng.integers(7, size=rng.integers(1, 12))] for _ in range(50)]
    c = Corpus.from_sentences(sents)
    to_model = np.array([i if i < 6 else -1 for i in range(len(c.words))], dtype=np.int32)  # rarest word OOV
    # 48 >= 11 tokens x window 4: no sentence is truncated, and the small buffer forces runs and merges
    rows, cols, vals = cooccurrence(c, to_model, 6, window=4, buffer_pairs=48, dense_words=dense_words,
                                    distance_weighting=distance_weighting)
    want = _brute_force_pairs(sents, {w: i for i, w in enumerate(c.words[:6])}, 4, distance_weighting)
    got = {(a, b): v for a, b, v in zip(rows.tolist(), cols.tolist(), vals.tolist())}
    assert got.keys() == want.keys()
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=1e-6)
    if not distance_weighting:
        assert all(float(v).is_integer() for v in vals)


def test_glove_passes_distance_weighting_to_the_count():
    """GloVe(distance_weighting=False) trains on the unweighted counts (its ``cooc_``)."""
    rng = np.random.default_rng(4)
    words = list("abcdef")
    sents = [[words[k] for k in rng.integers(6, size=rng.integers(2, 10))] for _ in range(40)]
    for dw in (True, False):
        g = GloVe(vector_size=4, window=3, max_vocab=None, min_count=1, epochs=1, workers=1,
                  distance_weighting=dw).fit(sents)
        index = {w: i for i, w in enumerate(g.wv.index_to_key)}
        want = _brute_force_pairs(sents, index, 3, dw)
        rows, cols, vals = g.cooc_
        got = {(a, b): v for a, b, v in zip(rows.tolist(), cols.tolist(), vals.tolist())}
        assert got.keys() == want.keys() and all(got[k] == pytest.approx(want[k], rel=1e-6) for k in want)


def test_subsampling_drops_tokens_before_the_window():
    """keep 0 for a word removes its tokens before counting (its neighbours close up, as in
    word2vec.c); keep 1 for the others draws nothing: the slow count of the reduced corpus."""
    rng = np.random.default_rng(2)
    words = list("abcdef")
    sents = [[words[k] for k in rng.integers(6, size=rng.integers(1, 9))] for _ in range(60)]
    c = Corpus.from_sentences(sents)
    to_model = np.arange(len(c.words), dtype=np.int32)
    keep = np.ones(len(c.words), dtype=np.float32)
    keep[0] = 0.0  # the most frequent word
    rows, cols, vals = cooccurrence(c, to_model, len(c.words), window=2, keep=keep)
    reduced = [[w for w in s if w != c.words[0]] for s in sents]
    ref = _slow_cooc(reduced, {w: i for i, w in enumerate(c.words)}, 2)
    got = {(a, b): v for a, b, v in zip(rows.tolist(), cols.tolist(), vals.tolist())}
    want = {k: (v if k[0] != k[1] else v / 2) for k, v in ref.items() if k[0] <= k[1]}
    assert got.keys() == want.keys() and all(got[k] == pytest.approx(want[k], rel=1e-6) for k in want)


def test_keep_probabilities_is_word2vec_c_formula():
    from adlkit.embeddings.windows import keep_probabilities

    counts = np.array([1000, 100, 10, 1])
    t = 1e-2 * counts.sum()  # sample 0.01 of 1111 tokens: 11.11
    np.testing.assert_allclose(keep_probabilities(counts, 1e-2),
                               [min(1.0, (np.sqrt(c / t) + 1) * t / c) for c in counts], rtol=1e-6)
    assert keep_probabilities(counts, 1e-2)[-1] == 1.0 and (keep_probabilities(counts, 0) == 1).all()


def test_one_adagrad_step_matches_autograd_and_glove_c():
    """glove.c's step: g = f(x) * (w.c + b + bc - log x); each parameter moves by -eta * grad /
    sqrt(G) with G its running sum of (eta * grad)^2 from 1."""
    torch = pytest.importorskip("torch")
    from adlkit.embeddings._glove_kernels import train_block

    rng = np.random.default_rng(0)
    v, d, eta = 3, 4, 0.05
    W = rng.standard_normal((v, d)).astype(np.float32)
    C = rng.standard_normal((v, d)).astype(np.float32)
    bw = rng.standard_normal(v).astype(np.float32)
    bc = rng.standard_normal(v).astype(np.float32)
    gW, gC = np.full((v, d), 1.5, np.float32), np.full((v, d), 2.0, np.float32)
    gbw, gbc = np.full(v, 1.2, np.float32), np.full(v, 1.7, np.float32)
    x, xmax, alpha = 30.0, 100.0, 0.75
    fx = min(1.0, (x / xmax) ** alpha)
    tW, tC = torch.tensor(W, dtype=torch.float64, requires_grad=True), torch.tensor(C, dtype=torch.float64, requires_grad=True)
    tb, tbc = torch.tensor(bw, dtype=torch.float64, requires_grad=True), torch.tensor(bc, dtype=torch.float64, requires_grad=True)
    loss = 0.5 * fx * (tW[0] @ tC[2] + tb[0] + tbc[2] - np.log(x)) ** 2
    loss.backward()
    cost = train_block(W, C, bw, bc, gW, gC, gbw, gbc, np.array([0], np.int32), np.array([2], np.int32),
                       np.array([np.log(x)], np.float32), np.array([fx], np.float32), np.array([0], np.int64),
                       np.float32(eta))
    assert cost == pytest.approx(float(loss.detach()), rel=1e-5)
    np.testing.assert_allclose(W[0], tW.detach()[0] - eta * tW.grad[0] / np.sqrt(1.5), rtol=1e-5)
    np.testing.assert_allclose(C[2], tC.detach()[2] - eta * tC.grad[2] / np.sqrt(2.0), rtol=1e-5)
    assert bw[0] == pytest.approx(float(tb.detach()[0] - eta * tb.grad[0] / np.sqrt(1.2)), rel=1e-5)
    assert bc[2] == pytest.approx(float(tbc.detach()[2] - eta * tbc.grad[2] / np.sqrt(1.7)), rel=1e-5)
    np.testing.assert_allclose(gW[0], 1.5 + (eta * tW.grad[0].numpy()) ** 2, rtol=1e-5)
    assert gbw[0] == pytest.approx(1.2 + float(eta * tb.grad[0]) ** 2, rel=1e-5)
    np.testing.assert_array_equal(W[1:], W[1:])  # untouched rows stay (trivially) equal


def test_glove_recovers_planted_groups_and_cost_falls():
    sents, group = planted_corpus()
    model = GloVe(vector_size=16, window=3, min_count=1, epochs=30, workers=1, seed=0).fit(sents)
    margin, top1 = _group_margin(model.wv, group)
    assert top1 == 1.0 and margin > 0.3
    assert model.history[-1] < model.history[0]


def test_glove_max_vocab_keeps_the_most_frequent():
    sents = [["a", "b", "a", "c", "a", "b"]] * 5
    model = GloVe(vector_size=4, max_vocab=2, min_count=1, epochs=1, workers=1).fit(sents)
    assert model.wv.index_to_key == ["a", "b"]
