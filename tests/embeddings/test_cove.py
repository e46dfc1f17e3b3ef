"""CoVe: shapes, masking of padding, bidirectionality, frozen inputs, save/load, training signal
(through adlkit.train.fit)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from adlkit.embeddings import cove as cv
from adlkit.train import TrainConfig, fit, pad_sequences

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
    m = cv.TranslationModel(c, tv.words[4:], target_dim=8, hidden_size=16, dropout=0.0, lr=0.02)
    before = cv.evaluate_translation(m, data)["perplexity"]
    res = fit(m, m.batches(data, 6), m.batches(data, 128), TrainConfig(epochs=60, patience=100, progress=False))
    after = cv.evaluate_translation(m, data)
    assert before > len(tv) / 3  # near-uniform at initialisation
    assert after["perplexity"] < 1.5 < before
    assert after["tokens"] == sum(len(t) + 1 for _, t in data)  # every target word and </s>
    assert math.exp(res.best_val_loss) == pytest.approx(after["perplexity"], rel=1e-5)
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
    with pytest.raises(ValueError, match="not a CoVe bidirectional-LM"):
        cv.BiLM.load(tmp_path / "c.safetensors")


def test_bilm_objective_learns_and_round_trips(tmp_path):
    sents = [en for en, _ in pairs()]
    c = make(split=True, hidden=8)
    lm = cv.BiLM(c, WORDS, dropout=0.0, lr=0.02)
    ids, lengths = pad_sequences([c.ids(s) for s in sents])
    with torch.no_grad():
        nll0, n = lm.loss(ids, lengths)
    assert n == 2 * sum(len(s) for s in sents)
    assert float(nll0) / n == pytest.approx(math.log(len(lm.output_words)), rel=0.2)
    res = fit(lm, lm.batches(sents, 6), lm.batches(sents, 256), TrainConfig(epochs=80, patience=None, progress=False))
    assert math.exp(res.best_val_loss) < 2.5
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


# ----------------------------------------------------------------------------- through adlkit.train
def planted_pairs(n: int, seed: int) -> list[tuple[list[str], list[str]]]:
    """A parallel corpus with a planted word-for-word translation: random English sentences of
    2-6 words, each word w translated as 'de' + w in the same order."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        s = [WORDS[i] for i in rng.integers(0, len(WORDS), size=int(rng.integers(2, 7)))]
        out.append((s, ["de" + w for w in s]))
    return out


def planted_model(dropout: float = 0.0, cls=None) -> cv.TranslationModel:
    torch.manual_seed(0)
    tv = cv.Vocab.build((t for _, t in planted_pairs(150, 0)), min_count=1)
    return (cls or cv.TranslationModel)(make(hidden=8), tv.words[4:], target_dim=8, hidden_size=16,
                                        dropout=dropout, lr=0.02)


def test_translation_through_the_loop_lowers_held_out_perplexity():
    """fit on 150 planted pairs: the perplexity on 50 other pairs starts near the uniform one
    (the target vocabulary: 12 words, <unk>, </s> and the two never predicted) and falls
    below a third of it; the loop's best held-out loss is that perplexity's log."""
    train, held = planted_pairs(150, 0), planted_pairs(50, 1)
    m = planted_model()
    before = cv.evaluate_translation(m, held)["perplexity"]
    assert abs(math.log(before) - math.log(len(m.target))) < math.log(1.5)
    res = fit(m, m.batches(train, 16), m.batches(held, 64), TrainConfig(epochs=10, patience=None, progress=False))
    after = cv.evaluate_translation(m, held)["perplexity"]
    assert after < before / 3
    assert math.exp(res.best_val_loss) == pytest.approx(after, rel=1e-9)
    assert res.history[-1]["tokens"] > 0 and res.stopped == "epochs"


class Killed(Exception):
    pass


def test_translation_resume_continues_exactly(tmp_path):
    """Killed in the middle of epoch 3 and resumed from last.pt (dropout on: the global RNG is
    restored too), the run ends with the weights and history of an uninterrupted one."""
    train, held = planted_pairs(60, 0), planted_pairs(20, 1)
    conf = dict(epochs=4, patience=None, progress=False)
    full = planted_model(dropout=0.1)
    res_full = fit(full, full.batches(train, 16), full.batches(held, 64), TrainConfig(checkpoint_dir=tmp_path / "a", **conf))

    def kill(info):
        if info["epoch"] == 2 and info["step"] == 2 * 4 + 2:
            raise Killed

    victim = planted_model(dropout=0.1)
    with pytest.raises(Killed):
        fit(victim, victim.batches(train, 16), victim.batches(held, 64),
            TrainConfig(checkpoint_dir=tmp_path / "b", **conf), callback=kill)
    torch.manual_seed(7)
    resumed = planted_model(dropout=0.1)
    res = fit(resumed, resumed.batches(train, 16), resumed.batches(held, 64),
              TrainConfig(checkpoint_dir=tmp_path / "b", resume=True, **conf))
    assert res.history == res_full.history and res.steps == res_full.steps == 16
    sa, sb = full.state_dict(), resumed.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)


class ExplodingTranslation(cv.TranslationModel):
    """Returns a NaN loss at its 6th step (epoch 2 with 4 batches an epoch)."""

    def train_step(self, batch, ctx):
        self._n = getattr(self, "_n", 0) + 1
        out = super().train_step(batch, ctx)
        return {**out, "loss": float("nan")} if self._n == 6 else out


def test_translation_nan_stops_and_keeps_the_last_good_epoch(tmp_path):
    from adlkit.train import NonFiniteLossError, load_checkpoint

    train = planted_pairs(60, 0)
    m = planted_model(cls=ExplodingTranslation)
    with pytest.raises(NonFiniteLossError, match="at epoch 2"):
        fit(m, m.batches(train, 16), None, TrainConfig(epochs=5, progress=False, checkpoint_dir=tmp_path))
    ck = load_checkpoint(tmp_path / "last.pt")
    assert ck["epoch"] == 1
    assert all(torch.equal(m.state_dict()[k], v) for k, v in ck["model_state"].items())


@pytest.mark.parametrize("objective", ["translation", "bilm"])
def test_load_model_rebuilds_the_objective_with_its_frozen_vectors(tmp_path, objective):
    """best.pt names the class and its JSON-safe arguments; load_model rebuilds it with zero
    vectors and the state dict restores the frozen ones: the same held-out loss as trained."""
    from adlkit.train import evaluate, load_model

    if objective == "translation":
        data = planted_pairs(30, 0)
        m = planted_model()
    else:
        data = [en for en, _ in pairs()]
        m = cv.BiLM(make(split=True, hidden=8), WORDS, dropout=0.0, lr=0.02)
    json.dumps(m.get_config())  # JSON-safe
    fit(m, m.batches(data, 8), m.batches(data, 64), TrainConfig(epochs=2, progress=False, checkpoint_dir=tmp_path))
    loaded = load_model(tmp_path / "best.pt")
    assert type(loaded) is type(m) and loaded.get_config() == m.get_config()
    assert torch.equal(loaded.cove.encoder.embedding.weight, m.cove.encoder.embedding.weight)
    assert not loaded.cove.encoder.embedding.weight.requires_grad
    assert evaluate(loaded, loaded.batches(data, 64)) == evaluate(m, m.batches(data, 64))
