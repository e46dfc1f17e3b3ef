"""The ``word2vec`` problem type and the window builders of adlkit.embeddings."""

from __future__ import annotations

import pytest
import torch

from adlkit.embeddings import cbow_samples, parameter_count, skipgram_pairs
from adlkit.solve import SpecError, solve_one


def test_seed_sheet_question_2a():
    a = solve_one("word2vec", length=5, window=3, dim=4).answers
    assert a["cbow_parameters"] == 40 and a["skipgram_parameters"] == 40
    assert a["cbow_training_set_size"] == 5 and a["skipgram_training_set_size"] == 8
    assert a["cbow_training_set"] == [
        [["w2"], "w1"], [["w1", "w3"], "w2"], [["w2", "w4"], "w3"], [["w3", "w5"], "w4"], [["w4"], "w5"]]
    assert a["skipgram_training_set"] == [
        ["w1", "w2"], ["w2", "w1"], ["w2", "w3"], ["w3", "w2"], ["w3", "w4"], ["w4", "w3"],
        ["w4", "w5"], ["w5", "w4"]]


def _enumerate_pairs(tokens, window):
    half = (window - 1) // 2
    return [(tokens[i], tokens[j]) for i in range(len(tokens)) for j in range(len(tokens))
            if i != j and abs(i - j) <= half]


@pytest.mark.parametrize("n, window", [(1, 3), (2, 3), (5, 5), (7, 3), (9, 7), (4, 11)])
def test_training_sets_match_brute_force_enumeration(n, window):
    toks = [f"w{i}" for i in range(1, n + 1)]
    assert skipgram_pairs(toks, window) == _enumerate_pairs(toks, window)
    expected_cbow = []
    for _i, c in enumerate(toks):
        ctx = [o for (cc, o) in _enumerate_pairs(toks, window) if cc == c]
        if ctx:
            expected_cbow.append((ctx, c))
    assert cbow_samples(toks, window) == expected_cbow


def test_repeated_tokens_count_once_in_vocabulary_but_every_position_is_a_centre():
    a = solve_one("word2vec", sentence=["the", "cat", "saw", "the", "dog"], window=3, dim=2).answers
    assert a["vocab_size"] == 4
    assert a["cbow_training_set_size"] == 5
    assert a["skipgram_training_set_size"] == 8


@pytest.mark.parametrize("bias", [False, True])
def test_parameter_count_equals_a_torch_model(bias):
    V, d = 17, 6
    model = torch.nn.Sequential(torch.nn.Embedding(V, d), torch.nn.Linear(d, V, bias=bias))
    n_torch = sum(p.numel() for p in model.parameters())
    assert parameter_count(V, d, bias)["total"] == n_torch
    a = solve_one("word2vec", length=V, window=3, dim=d, bias=bias).answers
    assert a["cbow_parameters"] == n_torch == a["skipgram_parameters"]


@pytest.mark.parametrize("params, fragment", [
    (dict(length=5, window=4, dim=4), "field 'window' is the total span including the centre word: odd and at least 3, got 4"),
    (dict(length=5, window=1, dim=4), "field 'window'"),
    (dict(length=0, window=3, dim=4), "field 'length' must be >= 1"),
    (dict(length=5, window=3, dim=0), "field 'dim' must be >= 1"),
    (dict(length=5, sentence=["a"], window=3, dim=2), "either 'sentence' or 'length'"),
    (dict(window=3, dim=2), "field 'sentence' is required"),
    (dict(sentence=[], window=3, dim=2), "field 'sentence' must be a non-empty list"),
    (dict(length=2.5, window=3, dim=2), "field 'length' must be an integer"),
])
def test_bad_input_names_the_field(params, fragment):
    with pytest.raises(SpecError) as info:
        solve_one("word2vec", id="q2", **params)
    assert any(m.startswith("q2: ") and fragment in m for m in info.value.messages), info.value.messages
