"""BLEU against sacreBLEU's documented example and hand-computed n-gram counts."""

from __future__ import annotations

import math

import pytest

from adlkit.embeddings.bleu import corpus_bleu, ngrams, sentence_stats, tokenize_13a


def test_sacrebleu_readme_example():
    # sacreBLEU's README: corpus_bleu(sys, refs) -> BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ...)
    refs = [["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
            ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."]]
    sys = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."]
    b = corpus_bleu(sys, refs)
    assert b.score == pytest.approx(48.530827009929865, abs=1e-9)
    assert [round(p, 1) for p in b.precisions] == [82.4, 50.0, 45.5, 37.5]
    assert (b.sys_len, b.ref_len) == (17, 18)
    assert b.bp == pytest.approx(math.exp(1 - 18 / 17))


def test_papineni_modified_precision():
    # Papineni et al. (2002): "the the the the the the the" -> modified unigram precision 2/7
    refs = [["the cat is on the mat"], ["there is a cat on the mat"]]
    b = corpus_bleu(["the the the the the the the"], refs, tokenize=None)
    assert b.correct[0] == 2 and b.total[0] == 7
    assert b.correct[1:] == (0, 0, 0) and b.total[1:] == (6, 5, 4)
    # exp smoothing: 2/7, then 1/(2*6), 1/(4*5), 1/(8*4); closest ref length 7 -> BP 1
    expect = 100 * math.exp((math.log(2 / 7) + math.log(1 / 12) + math.log(1 / 20) + math.log(1 / 32)) / 4)
    assert b.score == pytest.approx(expect)


def test_hand_computed_counts_and_smoothing():
    # hyp: the cat sat on the mat ; ref: the cat is on the mat
    # 1-grams: the,cat,sat,on,the,mat -> 5/6 ; 2-grams: the cat, cat sat, sat on, on the, the mat -> 3/5
    # 3-grams: the cat sat, cat sat on, sat on the, on the mat -> 1/4 ; 4-grams -> 0/3
    h, r = ["the cat sat on the mat"], [["the cat is on the mat"]]
    c, t, hl, rl = sentence_stats(h[0].split(), [r[0][0].split()])
    assert (c, t, hl, rl) == ([5, 3, 1, 0], [6, 5, 4, 3], 6, 6)
    assert corpus_bleu(h, r, smooth="none").score == 0.0
    exp4 = 100 * (5 / 6 * 3 / 5 * 1 / 4 * 1 / 6) ** 0.25
    assert corpus_bleu(h, r, smooth="exp").score == pytest.approx(exp4)
    assert corpus_bleu(h, r, smooth="exp").score == pytest.approx(37.99178428257963)  # sacreBLEU 2.6
    floor4 = 100 * (5 / 6 * 3 / 5 * 1 / 4 * 0.1 / 3) ** 0.25
    assert corpus_bleu(h, r, smooth="floor").score == pytest.approx(floor4)


def test_brevity_penalty_and_perfect_match():
    assert corpus_bleu(["a b c d e"], [["a b c d e"]]).score == pytest.approx(100.0)
    short = corpus_bleu([["a", "b", "c", "d"]], [[["a", "b", "c", "d", "e", "f", "g", "h"]]])
    assert short.bp == pytest.approx(math.exp(1 - 8 / 4))
    assert short.score == pytest.approx(100 * math.exp(1 - 2))
    assert corpus_bleu([""], [["a b"]]).score == 0.0


def test_tokenize_13a_and_ngrams():
    assert tokenize_13a("It wasn't 3.5-fold, (really)!") == ["It", "wasn't", "3.5", "-", "fold", ",", "(",
                                                            "really", ")", "!"]  # sacreBLEU 2.6
    assert ngrams(["a", "b", "a", "b"], 2) == {("a", "b"): 2, ("b", "a"): 1}


def test_bad_arguments():
    with pytest.raises(ValueError, match="stream 0"):
        corpus_bleu(["a", "b"], [["a"]])
    with pytest.raises(ValueError, match="smoothing"):
        corpus_bleu(["a"], [["a"]], smooth="add-one")
