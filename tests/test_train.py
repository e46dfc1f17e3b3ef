"""adlkit.train: seeds, early stopping, NaN stop, atomic checkpoints, load, resume after a
kill, and 2-process data parallelism under torchrun; on tensors and on batch sources of
variable-length sequences (held-out loss per token, wall-clock budget)."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

import adlkit
from adlkit.data import toys
from adlkit.flows import RealNVP, RealNVPFlow
from adlkit.train import (
    LengthBuckets,
    NonFiniteLossError,
    TrainConfig,
    evaluate,
    fit,
    held_out_totals,
    load_checkpoint,
    load_model,
    pad_sequences,
)
from adlkit.train.checkpoint import resolve_class


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
    np.random.seed(0)
    yield


def small_flow() -> RealNVPFlow:
    torch.manual_seed(0)
    return RealNVPFlow(2, n_couplings=2, hidden=(8,), actnorm=True, lr=1e-2).double()


def moons(n=96, seed=0) -> torch.Tensor:
    return torch.tensor(toys.sample("moons", n, random_state=seed, standardize=True))


def jitter(x: torch.Tensor) -> torch.Tensor:
    """A batch transform that draws from the global torch RNG (like dequantization)."""
    return x + 0.01 * torch.randn_like(x)


def cfg(tmp_path=None, **kw) -> TrainConfig:
    base = dict(epochs=5, batch_size=32, seed=0, patience=None, progress=False)
    if tmp_path is not None:
        base["checkpoint_dir"] = tmp_path
    base.update(kw)
    return TrainConfig(**base)


def states_equal(a: nn.Module, b: nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def test_same_seed_same_result_other_seed_differs():
    """Two runs with the same seed give bit-identical weights; another seed does not."""
    X = moons()
    m1, m2, m3 = small_flow(), small_flow(), small_flow()
    fit(m1, X, config=cfg(), transform=jitter)
    fit(m2, X, config=cfg(), transform=jitter)
    fit(m3, X, config=cfg(seed=1), transform=jitter)
    assert states_equal(m1, m2)
    assert not states_equal(m1, m3)


class MeanModel(nn.Module):
    """Learns a scalar mu by SGD on mean (x - mu)^2: mu_k = mu_0 (1 - 2 lr)^k on zero data."""

    def __init__(self, mu0: float = 5.0, lr: float = 0.1):
        super().__init__()
        self.mu = nn.Parameter(torch.tensor(mu0, dtype=torch.float64))
        self.lr = lr

    def get_config(self):
        return {"mu0": 5.0, "lr": self.lr}

    def configure_optimizers(self):
        return {"sgd": torch.optim.SGD(self.parameters(), lr=self.lr)}

    def train_step(self, batch, ctx):
        opt = ctx.optimizers["sgd"]
        opt.zero_grad()
        loss = ((batch - self.mu) ** 2).mean()
        ctx.backward(loss)
        opt.step()
        return {"loss": loss.item()}

    def eval_loss(self, batch):
        return float(((batch - self.mu) ** 2).mean())


def test_early_stopping_picks_the_closed_form_best_epoch():
    """Train data 0, held-out data 2, one step per epoch: mu_e = 5 * 0.8^e is closest to 2 at
    e = 4 (2.048 vs 1.638). With patience 3 the loop stops after epoch 7 and restores mu_4."""
    model = MeanModel()
    res = fit(model, torch.zeros(8, dtype=torch.float64), torch.full((4,), 2.0, dtype=torch.float64),
              cfg(epochs=50, batch_size=8, patience=3))
    assert res.best_epoch == 4
    assert res.stopped == "early_stopping" and len(res.history) == 7
    assert model.mu.item() == pytest.approx(5 * 0.8**4, abs=1e-12)
    assert res.best_val_loss == pytest.approx((2 - 5 * 0.8**4) ** 2, abs=1e-12)


class Exploding(RealNVPFlow):
    """Returns a NaN loss at a given step (as a diverging model would)."""

    explode_at = 10

    def train_step(self, batch, ctx):
        self._n = getattr(self, "_n", 0) + 1
        out = super().train_step(batch, ctx)
        if self._n == self.explode_at:
            with torch.no_grad():
                for p in self.parameters():
                    p.fill_(float("nan"))
            return {"loss": float("nan")}
        return out


def test_nan_stops_with_clear_message_and_keeps_last_good_checkpoint(tmp_path):
    """A NaN at step 10 (epoch 4 with 3 steps per epoch) raises NonFiniteLossError naming the
    epoch; last.pt stays at epoch 3 with finite weights, and the model is restored to them."""
    torch.manual_seed(0)
    model = Exploding(2, n_couplings=2, hidden=(8,)).double()
    with pytest.raises(NonFiniteLossError, match=r"non-finite training metric \(loss=nan\) at epoch 4"):
        fit(model, moons(), config=cfg(tmp_path, epochs=10))
    ck = load_checkpoint(tmp_path / "last.pt")
    assert ck["epoch"] == 3
    assert all(torch.isfinite(v).all() for v in ck["model_state"].values() if v.is_floating_point())
    assert all(torch.equal(model.state_dict()[k], v) for k, v in ck["model_state"].items())


def test_checkpoint_reloads_from_its_own_arguments(tmp_path):
    """load_model rebuilds the model from the file alone; log p matches the trained model.
    Checkpoints load with weights_only=True and no temporary files are left behind."""
    X = moons()
    model = small_flow()
    fit(model, X, X[:32], cfg(tmp_path))
    loaded = load_model(tmp_path / "best.pt")
    assert type(loaded) is RealNVPFlow and loaded.get_config() == model.get_config()
    assert torch.equal(loaded.log_prob(X), model.log_prob(X))
    raw = torch.load(tmp_path / "last.pt", weights_only=True)
    assert raw["epoch"] == 5 and set(raw["optimizers"]) == {"adam"}
    assert sorted(p.name for p in Path(tmp_path).iterdir()) == ["best.pt", "last.pt"]


def test_refuses_classes_outside_adlkit():
    with pytest.raises(ValueError, match="only adlkit classes"):
        resolve_class("os:system")


class Killed(Exception):
    pass


def test_resume_after_kill_equals_uninterrupted_run(tmp_path):
    """Kill in the middle of epoch 4, resume from last.pt: the weights, optimizer state and
    history are bit-identical to an uninterrupted run (RNG states restored too)."""
    X = moons()
    full = small_flow()
    res_full = fit(full, X, X[:32], cfg(tmp_path / "a", epochs=6), transform=jitter)

    def kill(info):
        if info["epoch"] == 3 and info["step"] == 11:
            raise Killed

    victim = small_flow()
    with pytest.raises(Killed):
        fit(victim, X, X[:32], cfg(tmp_path / "b", epochs=6), transform=jitter, callback=kill)
    assert load_checkpoint(tmp_path / "b" / "last.pt")["epoch"] == 3
    torch.manual_seed(123)  # the resumed process starts from an unrelated RNG state
    resumed = small_flow()
    res = fit(resumed, X, X[:32], cfg(tmp_path / "b", epochs=6, resume=True), transform=jitter)
    assert states_equal(full, resumed)
    assert res.history == res_full.history
    a = load_checkpoint(tmp_path / "a" / "last.pt")["optimizers"]["adam"]["state"]
    b = load_checkpoint(tmp_path / "b" / "last.pt")["optimizers"]["adam"]["state"]
    assert all(torch.equal(a[i]["exp_avg_sq"], b[i]["exp_avg_sq"]) for i in a)


def test_estimator_seed_reproduces():
    X = toys.sample("circles", 300, random_state=0)
    a = RealNVP(n_couplings=2, hidden=(8,), epochs=3, patience=None, random_state=7).fit(X)
    b = RealNVP(n_couplings=2, hidden=(8,), epochs=3, patience=None, random_state=7).fit(X)
    assert np.array_equal(a.score_samples(X), b.score_samples(X))


DDP_SCRIPT = textwrap.dedent(
    """
    import sys, torch
    from adlkit.flows import RealNVPFlow
    from adlkit.train import TrainConfig, fit

    torch.manual_seed(0)
    X = torch.randn(64, 2, dtype=torch.float64) * torch.tensor([1.0, 0.3], dtype=torch.float64)
    X[:, 1] += X[:, 0] ** 2
    model = RealNVPFlow(2, n_couplings=2, hidden=(8,), actnorm=True, lr=1e-2).double()
    fit(model, X, X[:16], TrainConfig(epochs=3, batch_size=16, seed=0, patience=None,
                                      progress=False, restore_best=False))
    # variable-length batches: equal lengths, so that each process's share has as many tokens
    # and the mean of the per-process means is the global mean; a wall-clock budget agreed on
    from adlkit.train import LengthBuckets, pad_sequences
    from test_train import Bigram, bigram_data
    seqs = [s[:5] for s in bigram_data(200, 2) if len(s) >= 5][:48]
    torch.manual_seed(0)
    lm = Bigram()
    fit(lm, LengthBuckets(seqs, 8, pad_sequences), LengthBuckets(seqs, 16, pad_sequences),
        TrainConfig(epochs=2, seed=0, patience=None, progress=False, restore_best=False, max_seconds=600))
    import torch.distributed as dist
    world = dist.get_world_size() if dist.is_initialized() else 1
    assert len(lm.seen) == 12 and all(len(b) == 8 // world for b in lm.seen)  # each its share
    if not dist.is_initialized() or dist.get_rank() == 0:
        torch.save(model.state_dict(), sys.argv[1])
        torch.save(lm.state_dict(), sys.argv[1] + ".lm")
    if dist.is_initialized():
        dist.destroy_process_group()
    """
)


def test_torchrun_two_processes_match_one_process(tmp_path):
    """2 processes (gloo) with batch 16 split 8 + 8 and averaged gradients reach the same
    weights as 1 process with batch 16 (float64, 1e-10); so do length-bucketed sequence batches
    (8 split 4 + 4), with a wall-clock budget checked by both processes."""
    script = tmp_path / "ddp.py"
    script.write_text(DDP_SCRIPT)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(adlkit.__file__).parents[1]), str(Path(__file__).parent)]),
               OMP_NUM_THREADS="1")
    env.pop("WORLD_SIZE", None)
    one = subprocess.run([sys.executable, str(script), str(tmp_path / "one.pt")], env=env,
                         capture_output=True, text=True, timeout=120)
    assert one.returncode == 0, one.stderr
    two = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                          str(script), str(tmp_path / "two.pt")], env=env, capture_output=True, text=True, timeout=180)
    assert two.returncode == 0, two.stderr[-2000:]
    a = torch.load(tmp_path / "one.pt", weights_only=True)
    b = torch.load(tmp_path / "two.pt", weights_only=True)
    assert a.keys() == b.keys()
    for k in a:
        assert torch.allclose(a[k], b[k], atol=1e-10, rtol=0), k
    init = RealNVPFlow(2, n_couplings=2, hidden=(8,), actnorm=True).double().state_dict()
    assert not all(torch.equal(a[k], init[k]) for k in a)  # it did train
    a = torch.load(str(tmp_path / "one.pt") + ".lm", weights_only=True)["logits.weight"]
    b = torch.load(str(tmp_path / "two.pt") + ".lm", weights_only=True)["logits.weight"]
    torch.manual_seed(0)
    assert torch.allclose(a, b, atol=1e-10, rtol=0) and not torch.equal(a, Bigram().logits.weight)


def test_resume_after_early_stop_does_not_train_further(tmp_path):
    """Resuming a run that stopped early leaves the best weights unchanged (no extra epochs)."""
    x_tr, x_va = torch.zeros(8, dtype=torch.float64), torch.full((4,), 2.0, dtype=torch.float64)
    first = MeanModel()
    res = fit(first, x_tr, x_va, cfg(tmp_path, epochs=50, batch_size=8, patience=3))
    again = MeanModel()
    res2 = fit(again, x_tr, x_va, cfg(tmp_path, epochs=50, batch_size=8, patience=3, resume=True))
    assert res2.stopped == "early_stopping" and res2.history == res.history
    assert again.mu.item() == first.mu.item() == pytest.approx(5 * 0.8**4, abs=1e-12)


def test_resume_without_held_out_data_keeps_the_resumed_weights(tmp_path):
    """Without held-out data best.pt is just the final model of a run; extending a finished run
    with resume must end on the extended run's weights (equal to an uninterrupted longer run),
    not on the stale best.pt of the shorter one."""
    X = moons()
    straight = small_flow()
    fit(straight, X, None, cfg(tmp_path / "a", epochs=4), transform=jitter)
    short = small_flow()
    fit(short, X, None, cfg(tmp_path / "b", epochs=2), transform=jitter)
    torch.manual_seed(321)
    extended = small_flow()
    fit(extended, X, None, cfg(tmp_path / "b", epochs=4, resume=True), transform=jitter)
    assert states_equal(straight, extended)
    assert not states_equal(short, extended)


# ----------------------------------------------------------------------------- batch sources
class Recording(MeanModel):
    """MeanModel that records every training batch it is given."""

    def __init__(self):
        super().__init__()
        self.seen: list[torch.Tensor] = []

    def train_step(self, batch, ctx):
        self.seen.append(batch.clone())
        return super().train_step(batch, ctx)


def test_tensor_data_follows_the_documented_batch_order():
    """A tensor is batched as before: one generator seeded with the config's seed, a fresh
    randperm of the rows per epoch, N // B whole batches; and the global RNG is seeded with it."""
    X = torch.arange(10, dtype=torch.float64)
    model = Recording()
    fit(model, X, None, cfg(epochs=3, batch_size=4, seed=5))
    g = torch.Generator().manual_seed(5)
    expected = []
    for _ in range(3):
        perm = torch.randperm(10, generator=g)
        expected += [X[perm[b * 4 : (b + 1) * 4]] for b in range(2)]
    assert len(model.seen) == 6 and all(torch.equal(a, b) for a, b in zip(model.seen, expected))


def test_length_buckets_cover_every_example_once_in_similar_lengths():
    """A training epoch holds every example once, batches sorted by length within each bucket of
    chunk = batch_size * bucket examples; epochs differ; evaluation is the unshuffled order; under
    torchrun the shares of the processes make up the global batch, and a batch with fewer
    examples than processes is left out on all of them."""
    rng = np.random.default_rng(0)
    seqs = [list(range(int(n))) for n in rng.integers(1, 30, size=103)]
    src = LengthBuckets(seqs, 8, list, bucket=2)
    assert len(src) == 13
    g = torch.Generator().manual_seed(0)
    ep1 = src.index_batches(g)
    ep2 = src.index_batches(g)
    assert sorted(i for b in ep1 for i in b) == list(range(103)) and ep1 != ep2
    for b in ep1:
        assert [len(seqs[i]) for i in b] == sorted(len(seqs[i]) for i in b)
    # within one bucket of 16 examples the batches split the sorted bucket
    ev = src.index_batches(None)
    assert ev[0] + ev[1] == sorted(range(16), key=lambda i: len(seqs[i]))
    assert [list(map(len, b)) for b in src.epoch(None)] == [[len(seqs[i]) for i in b] for b in ev]
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    global_batches = [b for b in src.index_batches(torch.Generator().manual_seed(3)) if len(b) >= 2]
    r0, r1 = list(src.epoch(g1, 0, 2)), list(src.epoch(g2, 1, 2))
    assert len(r0) == len(r1) == len(global_batches)
    for b, a0, a1 in zip(global_batches, r0, r1):
        assert a0 == [seqs[i] for i in b[0::2]] and a1 == [seqs[i] for i in b[1::2]]


class Bigram(nn.Module):
    """A bigram language model on padded id sequences (0 = padding): position t predicts
    token t+1. Batches are ``(ids, lengths)``; ``eval_loss`` is ``(summed NLL, predictions)``."""

    def __init__(self, n_words: int = 6, dropout: float = 0.0, explode_at: int = 0):
        super().__init__()
        self.n_words, self.dropout, self.explode_at = n_words, dropout, explode_at
        self.logits = nn.Embedding(n_words, n_words).double()
        self.drop = nn.Dropout(dropout)
        self.seen: list[list[int]] = []

    def get_config(self):
        return {"n_words": self.n_words, "dropout": self.dropout}

    def configure_optimizers(self):
        return {"adam": torch.optim.Adam(self.parameters(), lr=0.05)}

    def loss(self, ids, lengths):
        mask = torch.arange(ids.shape[1])[None, 1:] < lengths[:, None]
        out = self.drop(self.logits(ids[:, :-1]))[mask]
        return torch.nn.functional.cross_entropy(out, ids[:, 1:][mask], reduction="sum"), int(mask.sum())

    def train_step(self, batch, ctx):
        self.seen.append(batch[0].tolist())
        opt = ctx.optimizers["adam"]
        nll, n = self.loss(*batch)
        opt.zero_grad()
        ctx.backward(nll / n)
        opt.step()
        if len(self.seen) == self.explode_at:
            return {"loss": float("nan")}
        return {"loss": float(nll.detach()) / n}

    def eval_loss(self, batch):
        nll, n = self.loss(*batch)
        return float(nll), n


def bigram_data(n: int = 40, seed: int = 0) -> list[list[int]]:
    """Sequences of a planted chain (each id mostly followed by the next one), lengths 2..9."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        s = [int(rng.integers(1, 6))]
        for _ in range(int(rng.integers(1, 9))):
            s.append(s[-1] % 5 + 1 if rng.random() < 0.8 else int(rng.integers(1, 6)))
        out.append(s)
    return out


def test_sum_count_eval_is_the_loss_per_token():
    """eval_loss -> (sum, count): the held-out loss is the total NLL over all predictions,
    computed here one sequence at a time, not a mean of per-batch means."""
    data = bigram_data(30)
    torch.manual_seed(0)
    model = Bigram()
    got = evaluate(model, LengthBuckets(data, 7, pad_sequences))
    total = count = 0
    with torch.no_grad():
        for s in data:
            nll, n = model.loss(*pad_sequences([s]))
            total, count = total + float(nll), count + n
    assert count == sum(len(s) - 1 for s in data)
    assert got == pytest.approx(total / count, rel=1e-12)
    assert held_out_totals(model, LengthBuckets(data, 7, pad_sequences))[1] == count


def test_sequence_source_trains_early_stops_and_resumes_exactly(tmp_path):
    """On variable-length sequences: held-out loss falls below the initial one; a run killed in
    epoch 3 and resumed sees the same batches after the resume as the uninterrupted run, and ends
    with bit-identical weights and history (dropout draws from the restored global RNG)."""
    train, val = bigram_data(40, 0), bigram_data(20, 1)
    mk = lambda: LengthBuckets(train, 6, pad_sequences)
    vsrc = LengthBuckets(val, 50, pad_sequences)
    torch.manual_seed(0)
    full = Bigram(dropout=0.1)
    before = evaluate(full, vsrc)
    res_full = fit(full, mk(), vsrc, cfg(tmp_path / "a", epochs=5, patience=3))
    assert res_full.best_val_loss < before - 0.3

    def kill(info):
        if info["epoch"] == 2 and info["step"] == 2 * len(mk()) + 3:
            raise Killed

    torch.manual_seed(0)
    victim = Bigram(dropout=0.1)
    with pytest.raises(Killed):
        fit(victim, mk(), vsrc, cfg(tmp_path / "b", epochs=5, patience=3), callback=kill)
    torch.manual_seed(99)
    resumed = Bigram(dropout=0.1)
    res = fit(resumed, mk(), vsrc, cfg(tmp_path / "b", epochs=5, patience=3, resume=True))
    assert len(resumed.seen) == 3 * len(mk()) and resumed.seen == full.seen[2 * len(mk()):]
    assert states_equal(full, resumed) and res.history == res_full.history


def test_sequence_source_nan_stops_and_keeps_last_good_epoch(tmp_path):
    """A NaN loss at step 2 * len + 2 (in epoch 3) raises NonFiniteLossError; last.pt holds
    epoch 2 and the model is back at its weights."""
    data = bigram_data(30)
    torch.manual_seed(0)
    steps = len(LengthBuckets(data, 6, pad_sequences))
    model = Bigram(explode_at=2 * steps + 2)
    with pytest.raises(NonFiniteLossError, match="at epoch 3"):
        fit(model, LengthBuckets(data, 6, pad_sequences), None, cfg(tmp_path, epochs=6))
    ck = load_checkpoint(tmp_path / "last.pt")
    assert ck["epoch"] == 2
    assert all(torch.equal(model.state_dict()[k], v) for k, v in ck["model_state"].items())


def test_wall_clock_budget_stops_after_the_step_that_exceeds_it(tmp_path):
    """max_seconds=0: the first step already exceeds the budget; the cut epoch is evaluated and
    checkpointed, and the run reports why it stopped."""
    data = bigram_data(30)
    torch.manual_seed(0)
    model = Bigram()
    res = fit(model, LengthBuckets(data, 6, pad_sequences), LengthBuckets(data, 50, pad_sequences),
              cfg(tmp_path, epochs=10, max_seconds=0.0))
    assert res.stopped == "max_seconds" and res.steps == 1 and len(res.history) == 1
    assert "val_loss" in res.history[0] and load_checkpoint(tmp_path / "last.pt")["step"] == 1


def test_resume_from_a_broken_or_foreign_checkpoint_is_one_clear_error(tmp_path):
    """last.pt that is not a checkpoint, or one of a model of another shape: a ValueError naming
    the file in one line (no unpickling of it, no partial resume)."""
    (tmp_path / "last.pt").write_bytes(b"garbage")
    with pytest.raises(ValueError, match=r"cannot resume from .*last\.pt") as e:
        fit(Bigram(), LengthBuckets(bigram_data(10), 4, pad_sequences), None, cfg(tmp_path, resume=True))
    assert "\n" not in str(e.value)
    fit(Bigram(n_words=6), LengthBuckets(bigram_data(10), 4, pad_sequences), None, cfg(tmp_path, epochs=1))
    with pytest.raises(ValueError, match="cannot resume from .*size mismatch"):
        fit(Bigram(n_words=7), LengthBuckets(bigram_data(10), 4, pad_sequences), None, cfg(tmp_path, resume=True))
