"""adlkit.lm.NGram: hand counts, and perplexities equal to NLTK's nltk.lm on a small corpus.

NLTK's conventions differ from ours and are matched explicitly here: its padded_everygram_pipeline
pads with n - 1 </s> (we pad with one), so we give NLTK our padded sentences and their
everygrams; its vocabulary also counts <s> and <UNK>, so Laplace's V is NLTK's len(lm.vocab)
(``vocab_size=``); held-out sentences hold only training words (an unknown word has probability
0 under MLE and Kneser-Ney in both libraries); Kneser-Ney's discount is passed to both.
"""

import math
import random

import pytest

from adlkit.lm import NGram

nltk_lm = pytest.importorskip("nltk.lm", reason="nltk is the n-gram peer (pip install nltk)")
from nltk.util import everygrams  # noqa: E402

WORDS = "the cat sat on mat dog ran a big red".split()


def _corpus(seed: int, n: int):
    rng = random.Random(seed)
    return [[rng.choice(WORDS) for _ in range(rng.randint(2, 7))] for _ in range(n)]


def test_add_one_bigram_by_hand():
    lm = NGram(2, "add_k", k=1).fit([["the", "cat", "sat"], ["the", "dog", "sat"], ["the", "cat", "ran"]])
    # V = {the, cat, sat, dog, ran, </s>}; c(<s> the) = 3, c(<s> .) = 3
    assert lm.V == 6
    assert lm.probabilities(["the", "cat", "sat"]) == pytest.approx([4 / 9, 3 / 9, 2 / 8, 3 / 8])
    lp, N = lm.log_prob([["the", "cat", "sat"]])
    assert N == 4 and lp == pytest.approx(math.log(4 / 9 * 3 / 9 * 2 / 8 * 3 / 8))


def test_mle_unseen_is_zero_and_perplexity_infinite():
    lm = NGram(2).fit([["a", "b"]])
    assert lm.probabilities(["a", "a"]) == [1.0, 0.0, 0.0]
    assert lm.perplexity([["a", "a"]]) == math.inf


@pytest.mark.parametrize("n, smoothing", [(1, "mle"), (1, "add_k"), (2, "mle"), (2, "add_k"), (2, "kneser_ney"),
                                          (3, "mle"), (3, "add_k"), (3, "kneser_ney")])
def test_perplexity_equals_nltk(n, smoothing):
    train, test = _corpus(0, 80), _corpus(1, 25)
    pad = lambda s: ["<s>"] * (n - 1) + s + ["</s>"]
    cls = {"mle": nltk_lm.MLE, "add_k": nltk_lm.Laplace, "kneser_ney": nltk_lm.KneserNeyInterpolated}[smoothing]
    ref = cls(n, discount=0.75) if smoothing == "kneser_ney" else cls(n)
    ref.fit([list(everygrams(pad(s), max_len=n)) for s in train], [t for s in train for t in pad(s)])
    grams = [tuple(pad(s)[i - n + 1:i + 1]) for s in test for i in range(n - 1, len(pad(s)))]
    ours = NGram(n, smoothing, discount=0.75, vocab_size=len(ref.vocab)).fit(train)
    expected = ref.perplexity(grams)
    if smoothing == "mle" and n > 1:  # unseen bigrams: both infinite; compare the seen conditionals
        assert math.isinf(expected) and math.isinf(ours.perplexity(test))
        for s in test[:5]:
            got = ours.probabilities(s)
            want = [ref.score(g[-1], g[:-1]) for g in (tuple(pad(s)[i - n + 1:i + 1]) for i in range(n - 1, len(pad(s))))]
            assert got == pytest.approx(want, rel=1e-12)
        return
    assert ours.perplexity(test) == pytest.approx(expected, rel=1e-9)


def test_kneser_ney_bigram_is_a_distribution_and_the_trigram_nearly():
    # NLTK's middle order takes gamma from the raw follower types over the continuation total, so
    # a trigram's conditionals sum to 1 only approximately; we keep NLTK's recursion (equality above)
    corpus = _corpus(2, 60)
    for n, tol in ((2, 1e-12), (3, 0.02)):
        lm = NGram(n, "kneser_ney").fit(corpus)
        for ctx in (["the", "cat"], ["red"], [], ["zebra", "the"]):
            assert lm.distribution(ctx).sum() == pytest.approx(1.0, abs=tol)


def test_bad_orders_and_smoothings_are_refused():
    with pytest.raises(ValueError, match="n must be 1, 2 or 3"):
        NGram(4)
    with pytest.raises(ValueError, match="Kneser-Ney needs n >= 2"):
        NGram(1, "kneser_ney")
