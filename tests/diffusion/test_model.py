"""The diffusion model: with the exact noise predictor of Gaussian data (a closed form), the
variational bound equals the true NLL and both samplers reproduce the data's spread; the
estimator trains through adlkit.train, samples, scores and survives a checkpoint."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from adlkit.diffusion.model import Diffusion, DiffusionModule, sinusoidal_embedding


class ExactEps(torch.nn.Module):
    """For x_0 ~ N(0, s^2 I): E[eps | x_t] = sqrt(1 - abar_t) x_t / (abar_t s^2 + 1 - abar_t)."""

    def __init__(self, alpha_bars: torch.Tensor, s: float):
        super().__init__()
        self.ab, self.s2 = alpha_bars, s * s

    def forward(self, x, t):
        ab = self.ab[t].unsqueeze(1)
        return torch.sqrt(1 - ab) * x / (ab * self.s2 + 1 - ab)


def _exact_module(s: float, steps: int = 1000) -> DiffusionModule:
    m = DiffusionModule(2, steps=steps).double()
    m.net = ExactEps(m.alpha_bars, s)
    return m


def test_bound_of_the_exact_model_of_standard_normal_data_is_its_nll():
    # with sigma_t^2 = beta_t the exact model's reverse chain IS q's (N(0, I) is stationary), so
    # the bound is tight: its mean over x equals the true NLL up to Monte Carlo error
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4000, 2, generator=g, dtype=torch.float64)
    nll = (0.5 * x.pow(2) + 0.5 * math.log(2 * math.pi)).sum(1)
    gap = _exact_module(1.0).bound(x, g, variance="beta") - nll
    assert abs(float(gap.mean())) < 4 * float(gap.std()) / math.sqrt(4000) + 1e-3
    # the posterior variance is smaller than the true reverse variance here: a looser bound, never below
    loose = _exact_module(1.0).bound(x, g, variance="posterior") - nll
    assert float(loose.mean()) > 0.5


@pytest.mark.parametrize("kw", [{"sampler": "ddpm"}, {"sampler": "ddim", "steps": 100}])
def test_samplers_reproduce_the_spread_of_gaussian_data(kw):
    X = _exact_module(0.7).sample(10000, generator=torch.Generator().manual_seed(1), **kw)
    assert torch.allclose(X.std(0), torch.full((2,), 0.7, dtype=torch.float64), atol=0.03)
    assert X.mean(0).abs().max() < 0.03


def test_sinusoidal_embedding_is_cos_and_sin_of_t_times_the_frequencies():
    e = sinusoidal_embedding(torch.tensor([0, 3]), 4)
    w = [1.0, 1e-2]  # 10000^(-k/2), k = 0, 1
    assert torch.allclose(e[1], torch.tensor([math.cos(3 * w[0]), math.cos(3 * w[1]), math.sin(3 * w[0]), math.sin(3 * w[1])],
                                             dtype=torch.float64))


def test_estimator_trains_samples_scores_and_checkpoints(tmp_path):
    from adlkit.data.registry import density_split
    from adlkit.train import load_model, save_checkpoint

    s = density_split("moons", n_train=512, n_test=256)
    est = Diffusion(hidden=(32, 32), steps=50, epochs=3, batch_size=128, random_state=0).fit(s.train, s.val)
    h = est.result_.history
    assert len(h) == 3 and all(np.isfinite(r["train_loss"]) for r in h)
    X = est.sample(64, sampler="ddim", steps=10, random_state=0)
    assert X.shape == (64, 2) and np.isfinite(X).all()
    assert np.array_equal(X, est.sample(64, sampler="ddim", steps=10, random_state=0))
    ll = est.score_samples(s.test[:32])
    assert ll.shape == (32,) and np.isfinite(ll).all()
    save_checkpoint(est.module_, tmp_path / "m.pt")
    again = Diffusion.from_module(load_model(tmp_path / "m.pt"))
    assert np.allclose(again.sample(8, sampler="ddpm", random_state=3), est.sample(8, sampler="ddpm", random_state=3))


def test_binary_images_use_the_conv_net_and_a_discrete_bound():
    rng = np.random.default_rng(0)
    X = (rng.random((64, 64)) < 0.3).astype(float)
    est = Diffusion(network="conv", data="binary", channels=8, steps=20, epochs=1, batch_size=32).fit(X)
    b = est.bound(X[:8])
    assert (b > 0).all()  # minus the log of a probability (a discrete distribution), so positive
    S = est.sample(4, sampler="ddim", steps=5, random_state=0)
    assert S.shape == (4, 64) and S.min() >= 0 and S.max() <= 1
    with pytest.raises(ValueError, match="0/1"):
        est.fit(X + 0.5)


def test_evaluate_digits_gives_per_image_bounds_of_discrete_pixels_that_the_table_averages(tmp_path, monkeypatch):
    # a tiny budget (T = 10, 20 training steps): the facts hold for any trained model
    import adlkit.compare as C
    from adlkit.data.registry import density_split
    from adlkit.diffusion.model import evaluate_digits

    r = evaluate_digits(seed=0, quick=True, steps=20, timesteps=10)
    per = np.asarray(r["test_ll_per_image"])
    n_test = len(density_split("digits", 0).test)
    assert per.shape == (n_test,) and r["steps"] == 20
    assert math.isclose(float(per.mean()), r["test_ll"], rel_tol=1e-12)
    # minus an upper bound on -log P(x) of 0/1 pixels: log P(x) <= 0, so every value is <= 0
    assert (per <= 0).all()
    # through the table: the +- is the standard error of the per-image values, bits/dim = nats / (64 ln 2)
    monkeypatch.setattr(C, "DIGITS_ENTRIES", ())
    monkeypatch.setattr(C, "PENDING", ())
    monkeypatch.setattr(C, "digits_entries", lambda: ([C.DigitsEntry("diffusion", lambda seed, quick: r)], []))
    (row,), _ = C.compare("digits", quick=True, out=tmp_path, progress=False, log=lambda s: None)
    assert math.isclose(row["stderr_nats"], float(np.std(per, ddof=1) / math.sqrt(n_test)))
    assert math.isclose(row["bits_per_dim"], -r["test_ll"] / (64 * math.log(2)))


def test_linear_lr_decay_runs_update_k_at_lr_times_one_minus_k_over_total_and_continues_after_a_reload():
    """lr_decay_steps = T: update k (0-based) of the module's Adam runs at lr (1 - k / T), the
    schedule of diffusers' get_scheduler("linear") without warm-up; k is read from the
    optimizer's state, so an optimizer given that state (as on resume) continues the decay."""
    from adlkit.train import StepContext

    T, lr = 5, 2e-3
    torch.manual_seed(0)
    batch = torch.randn(16, 2)
    m = DiffusionModule(2, hidden=(8,), steps=10, lr=lr, lr_decay_steps=T)
    opt = m.configure_optimizers()
    ctx = StepContext(optimizers=opt)
    seen = []
    for _ in range(3):
        m.train_step(batch, ctx)
        seen.append(opt["adam"].param_groups[0]["lr"])
    assert seen == [pytest.approx(lr * (1 - k / T), rel=1e-12) for k in range(3)]
    fresh = m.configure_optimizers()
    fresh["adam"].load_state_dict(opt["adam"].state_dict())
    m.train_step(batch, StepContext(optimizers=fresh))  # k = 3
    assert fresh["adam"].param_groups[0]["lr"] == pytest.approx(lr * (1 - 3 / T), rel=1e-12)
    with pytest.raises(ValueError, match="lr_decay_steps"):
        DiffusionModule(2, lr_decay_steps=0)


def test_the_estimator_spans_the_decay_over_max_steps_or_every_epoch_and_none_keeps_lr(tmp_path):
    """Diffusion(lr_decay="linear"): the decay spans the run, min(max_steps, epochs x
    floor(n / batch_size)) (the loop's whole batches per epoch; the fit's step count checks it);
    "none" builds no decay; a checkpoint remembers it; an unknown name is refused, named."""
    from adlkit.train import load_model, save_checkpoint

    X = np.random.default_rng(0).standard_normal((100, 2))
    T = torch.as_tensor(X)
    assert Diffusion(epochs=3, batch_size=32).decay_steps(T) == 3 * 3
    assert Diffusion(epochs=3, max_steps=7, batch_size=32).decay_steps(T) == 7
    assert Diffusion(epochs=2, max_steps=70, batch_size=32).decay_steps(T) == 6
    assert Diffusion(lr_decay="none").decay_steps(T) is None
    est = Diffusion(hidden=(8,), steps=10, epochs=2, batch_size=32, random_state=0).fit(X)
    assert est.result_.steps == 6 and est.module_.config.lr_decay_steps == 6
    assert Diffusion(hidden=(8,), steps=10, epochs=1, lr_decay="none").fit(X).module_.config.lr_decay_steps is None
    save_checkpoint(est.module_, tmp_path / "m.pt")
    assert Diffusion.from_module(load_model(tmp_path / "m.pt")).get_params()["lr_decay"] == "linear"
    with pytest.raises(ValueError, match="lr_decay must be one of none, linear"):
        Diffusion(lr_decay="cosine").fit(X)


def test_the_decay_equals_diffusers_linear_scheduler_at_every_update():
    """The learning rates of T updates equal those of diffusers' get_scheduler("linear",
    num_warmup_steps=0, num_training_steps=T) stepped after each update (the bench's reference)."""
    pytest.importorskip("diffusers", reason="diffusers (a bench extra) is not installed")
    from diffusers.optimization import get_scheduler

    from adlkit.train import StepContext

    T, lr = 6, 1e-3
    m = DiffusionModule(2, hidden=(8,), steps=10, lr=lr, lr_decay_steps=T)
    opt = m.configure_optimizers()
    ours = []
    for _ in range(T):
        m.train_step(torch.randn(8, 2), StepContext(optimizers=opt))
        ours.append(opt["adam"].param_groups[0]["lr"])
    p = torch.nn.Parameter(torch.zeros(1))
    ref_opt = torch.optim.Adam([p], lr=lr)
    ref, sched = [], get_scheduler("linear", ref_opt, num_warmup_steps=0, num_training_steps=T)
    for _ in range(T):
        ref.append(ref_opt.param_groups[0]["lr"])
        p.grad = torch.ones(1)
        ref_opt.step()
        sched.step()
    assert ours == pytest.approx(ref, rel=1e-12, abs=1e-18)


def test_ema_of_the_weights_follows_the_warm_up_recursion_and_samples_with_the_average(tmp_path):
    """ema_decay = D: after update k the average is d_k avg + (1 - d_k) theta_k with d_1 = 0 and
    d_k = min(D, k / (9 + k)) (recomputed here in float64 from the weights after each update);
    sampling and the held-out loss use the average, training updates only the network; the
    average survives a checkpoint; a decay outside [0, 1) is refused, named."""
    from adlkit.train import StepContext, load_model, save_checkpoint
    from adlkit.train.ema import ema_decay

    torch.manual_seed(0)
    D, batch = 0.5, torch.randn(32, 2)
    m = DiffusionModule(2, hidden=(8,), steps=10, ema_decay=D)
    opt = m.configure_optimizers()
    assert all(p.requires_grad is False for p in m.ema.parameters())
    assert {id(p) for p in opt["adam"].param_groups[0]["params"]} == {id(p) for p in m.net.parameters()}
    avg = None
    for k in range(1, 8):
        m.train_step(batch, StepContext(optimizers=opt))
        theta = [p.detach().double().clone() for p in m.net.parameters()]
        d = 0.0 if k == 1 else min(D, k / (9 + k))
        assert ema_decay(k, D) == d
        avg = theta if avg is None else [d * a + (1 - d) * t for a, t in zip(avg, theta, strict=True)]
        for a, e in zip(avg, m.ema.parameters(), strict=True):
            assert torch.allclose(e.double(), a, rtol=1e-6, atol=1e-7)
    assert ema_decay(10**6, 0.999) == 0.999 and ema_decay(100, 0.999) == pytest.approx(100 / 109)
    # the average, not the last weights, predicts the noise
    x, t = torch.randn(5, 2), 3
    assert torch.equal(m.eps(x, t), m.ema(x, torch.full((5,), t)))
    assert not torch.equal(m.eps(x, t), m.net(x, torch.full((5,), t)))
    path = tmp_path / "m.pt"
    save_checkpoint(m, path)
    back = load_model(path)
    assert back.config.ema_decay == D and torch.equal(back.eps(x, t), m.eps(x, t))
    with pytest.raises(ValueError, match="ema_decay must be in"):
        DiffusionModule(2, ema_decay=1.0)


def test_ema_equals_diffusers_ema_model_update_by_update():
    """The average after each update equals diffusers' EMAModel(decay=D) stepped on the same
    weights (its default warm-up), the reference a diffusers training script uses."""
    pytest.importorskip("diffusers", reason="diffusers (a bench extra) is not installed")
    from diffusers.training_utils import EMAModel

    from adlkit.train import StepContext

    torch.manual_seed(1)
    D = 0.9
    m = DiffusionModule(2, hidden=(16, 16), steps=20, ema_decay=D)
    ref = EMAModel(m.net.parameters(), decay=D)
    opt = m.configure_optimizers()
    for _ in range(30):
        m.train_step(torch.randn(64, 2), StepContext(optimizers=opt))
        ref.step(m.net.parameters())
        for a, b in zip(m.ema.parameters(), ref.shadow_params, strict=True):
            assert torch.allclose(a, b, rtol=1e-5, atol=1e-6)
