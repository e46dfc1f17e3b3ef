"""CoVe: shapes, masking of padding, bidirectionality, frozen inputs, save/load, training signal."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from adlkit.embeddings import cove as cv

WORDS = ["the", "river", "bank", "money", "account", "sat", "on", "of", "a", "he", "opened", "water"]


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_num_threads(1)


def make(split: bool = False, hidden: int = 6, d: int = 5) -> cv.CoVe:
    rng = np.random.default_rng(0)
    return cv.CoVe(WORDS, rng.normal(size=(len(WORDS), d)), hidden_size=hidden, split_directions=split).eval()


@pytest.mark.parametrize("split", [False, True])
def test_shapes_and_downstream_concatenation(split):
    c = make(split)
    sents = [["the", "river", "bank"], ["he", "opened", "a", "bank", "account"], ["unseenword"]]
    out = c.encode(sents)
    assert [tuple(v.shape) for v in out] == [(3, 12), (5, 12), (1, 12)]
    full = c.embed(sents)
    assert [tuple(v.shape) for v in full] == [(3, 17), (5, 17), (1, 17)]
    # [GloVe; CoVe]: the first d entries are the static vectors (zero for an unknown word)
    ids, _ = c.batch(sents)
    assert torch.allclose(full[0][:, :5], c.static(ids)[0, :3])
    assert torch.equal(full[2][0, :5], torch.zeros(5))
    assert torch.allclose(full[1][:, 5:], out[1])


@pytest.mark.parametrize("split", [False, True])
def test_padding_does_not_change_real_positions(split):
    c = make(split)
    s = ["he", "sat", "on", "the", "bank"]
    alone = c.encoder(*c.batch([s]))[0]
    ids, lengths = c.batch([s, ["the", "river", "bank", "of", "the", "water", "a", "river"]])
    padded = c.encoder(ids, lengths)
    assert padded.shape[1] == 8
    assert torch.allclose(padded[0, :5], alone, atol=1e-6)
    assert torch.equal(padded[0, 5:], torch.zeros(3, 12))
    # extra zero columns (pure padding) change nothing either
    wide = torch.cat([ids, torch.zeros(2, 4, dtype=torch.long)], 1)
    assert torch.allclose(c.encoder(wide, lengths)[:, :8], padded, atol=1e-6)


@pytest.mark.parametrize("split", [False, True])
def test_bidirectional_a_later_word_changes_earlier_vectors(split):
    c = make(split)
    a = c.encode([["the", "bank", "of", "the", "river"]])[0]
    b = c.encode([["the", "bank", "of", "the", "money"]])[0]
    # every position before the change sees it through the backward direction ...
    for t in range(4):
        assert not torch.allclose(a[t], b[t], atol=1e-6)
    # ... and the forward direction of a position does not see the future (split stacks only:
    # in the joint CoVe stack, layer 2's forward reads layer 1's backward outputs)
    if split:
        assert torch.allclose(a[:4, :6], b[:4, :6], atol=1e-6)
        assert not torch.allclose(a[:4, 6:], b[:4, 6:], atol=1e-6)
    # the same word in different contexts: static vectors identical, CoVe different
    s1, s2 = ["he", "sat", "on", "the", "river", "bank"], ["he", "opened", "a", "bank", "account"]
    e1, e2 = c.embed([s1, s2])
    assert torch.equal(e1[5, :5], e2[3, :5])
    assert float(torch.cosine_similarity(e1[5, 5:], e2[3, 5:], dim=0)) < 0.999


def test_reverse_padded():
    x = torch.arange(12.0).view(2, 6, 1)
    r = cv.reverse_padded(x, torch.tensor([4, 6]))
    assert r[0, :, 0].tolist() == [3, 2, 1, 0, 4, 5]
    assert r[1, :, 0].tolist() == [11, 10, 9, 8, 7, 6]
    assert torch.equal(cv.reverse_padded(r, torch.tensor([4, 6])), x)


def test_inputs_are_frozen_and_bad_input_is_rejected():
    c = make()
    assert not c.encoder.embedding.weight.requires_grad
    assert torch.equal(c.encoder.embedding.weight[:2], torch.zeros(2, 5))
    with pytest.raises(ValueError, match="at least one token"):
        c.encode([[]])
    with pytest.raises(ValueError, match="every length"):
        c.encoder(torch.zeros(2, 3, dtype=torch.long), torch.tensor([0, 3]))
    with pytest.raises(ValueError, match="V = 2"):
        cv.CoVe(["a", "b"], np.zeros((3, 4)))


def pairs():
    en = [["the", "river", "bank"], ["the", "bank", "account"], ["he", "opened", "a", "bank", "account"],
          ["he", "sat", "on", "the", "river", "bank"], ["the", "water", "of", "the", "river"], ["money"]]
    de = [["das", "flussufer"], ["das", "bankkonto"], ["er", "eröffnete", "ein", "bankkonto"],
          ["er", "saß", "am", "flussufer"], ["das", "wasser", "des", "flusses"], ["geld"]]
    return list(zip(en, de))


def test_translation_model_learns_and_round_trips(tmp_path):
    data = pairs()
    c = make(hidden=8)
    tv = cv.Vocab.build((t for _, t in data), min_count=1)
    m = cv.TranslationModel(c, tv.words[4:], target_dim=8, hidden_size=16, dropout=0.0)
    before = cv.evaluate_translation(m, data)["perplexity"]
    hist = cv.train_translation(m, data, data, epochs=60, batch_size=6, lr=0.02, patience=100, progress=False,
                                log=lambda s: None)
    after = cv.evaluate_translation(m, data)
    assert before > len(tv) / 3  # near-uniform at initialisation
    assert after["perplexity"] < 1.5 < before
    assert hist["best_valid_perplexity"] == pytest.approx(after["perplexity"], rel=1e-5)
    assert m.translate([en for en, _ in data]) == [de for _, de in data]
    assert cv.translation_bleu(m, data)["bleu"] == pytest.approx(100.0)
    m.save(tmp_path / "mt.safetensors", extra={"note": "test"})
    m2 = cv.TranslationModel.load(tmp_path / "mt.safetensors")
    assert cv.evaluate_translation(m2, data)["perplexity"] == pytest.approx(after["perplexity"], rel=1e-6)
    assert cv.read_extra(tmp_path / "mt.safetensors") == {"note": "test"}
    # the encoder alone loads from the translation checkpoint and from its own file
    enc = cv.CoVe.load(tmp_path / "mt.safetensors")
    c.save(tmp_path / "cove.safetensors")
    enc2 = cv.CoVe.load(tmp_path / "cove.safetensors")
    s = [["he", "sat", "on", "the", "bank"]]
    assert torch.allclose(enc.encode(s)[0], m.cove.encode(s)[0])
    assert torch.allclose(enc2.encode(s)[0], m.cove.encode(s)[0])
    assert enc2.config == c.config and enc2.words == c.words


def test_checkpoint_is_safetensors_without_pickle(tmp_path):
    c = make()
    c.save(tmp_path / "c.safetensors")
    raw = (tmp_path / "c.safetensors").read_bytes()
    assert b"__reduce__" not in raw and not raw.startswith(b"\x80")  # not a pickle stream
    with pytest.raises(ValueError, match="not a safetensors"):
        (tmp_path / "bad.safetensors").write_bytes(b"garbage")
        cv.CoVe.load(tmp_path / "bad.safetensors")
    with pytest.raises(ValueError, match="not a CoVe translation"):
        cv.TranslationModel.load(tmp_path / "c.safetensors")


def test_bilm_objective_learns_and_round_trips(tmp_path):
    sents = [en for en, _ in pairs()]
    c = make(split=True, hidden=8)
    lm = cv.BiLM(c, WORDS, dropout=0.0)
    ids, lengths = cv._pad([c.ids(s) for s in sents])
    with torch.no_grad():
        nll0, n = lm.loss(ids, lengths)
    assert n == 2 * sum(len(s) for s in sents)
    assert float(nll0) / n == pytest.approx(math.log(len(lm.output_words)), rel=0.2)
    hist = cv.train_bilm(lm, sents, sents, epochs=80, batch_size=6, lr=0.02, progress=False, log=lambda s: None)
    assert hist["best_valid_perplexity"] < 2.5
    lm.save(tmp_path / "lm.safetensors")
    lm.eval()
    lm2 = cv.BiLM.load(tmp_path / "lm.safetensors").eval()
    with torch.no_grad():
        assert float(lm2.loss(ids, lengths)[0]) == pytest.approx(float(lm.loss(ids, lengths)[0]), rel=1e-6)
    with pytest.raises(ValueError, match="split_directions"):
        cv.BiLM(make(split=False), WORDS)


def test_load_vectors_text_and_safetensors(tmp_path):
    from safetensors.numpy import save_file

    vecs = np.arange(6, dtype=np.float32).reshape(3, 2)
    (tmp_path / "v.txt").write_text("3 2\nthe 0 1\nbank 2 3\nriver 4 5\n", encoding="utf-8")
    w, v = cv.load_vectors(tmp_path / "v.txt")
    assert w == ["the", "bank", "river"] and np.array_equal(v, vecs)
    save_file({"vectors": vecs}, str(tmp_path / "v.safetensors"), metadata={"words": "the\nbank\nriver"})
    w2, v2 = cv.load_vectors(tmp_path / "v.safetensors")
    assert w2 == w and np.array_equal(v2, vecs)
    with pytest.raises(FileNotFoundError):
        cv.load_vectors(tmp_path / "missing.txt")
