"""adlkit.train: seeds, early stopping, NaN stop, atomic checkpoints, load, resume after a
kill, and 2-process data parallelism under torchrun."""

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
from adlkit.train import NonFiniteLossError, TrainConfig, fit, load_checkpoint, load_model
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
    import torch.distributed as dist
    if not dist.is_initialized() or dist.get_rank() == 0:
        torch.save(model.state_dict(), sys.argv[1])
    if dist.is_initialized():
        dist.destroy_process_group()
    """
)


def test_torchrun_two_processes_match_one_process(tmp_path):
    """2 processes (gloo) with batch 16 split 8 + 8 and averaged gradients reach the same
    weights as 1 process with batch 16 (float64, 1e-10)."""
    script = tmp_path / "ddp.py"
    script.write_text(DDP_SCRIPT)
    env = dict(os.environ, PYTHONPATH=str(Path(adlkit.__file__).parents[1]), OMP_NUM_THREADS="1")
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
