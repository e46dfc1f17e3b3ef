"""adlkit.diffusion.schedule against closed forms and against diffusers' DDPMScheduler and
DDIMScheduler (skipped with the reason when diffusers is absent).

Index shift: diffusers' 0-based timestep i is our step t = i + 1 (alphas_cumprod[i] = alpha_bar_t).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from adlkit.diffusion.schedule import (
    Schedule,
    ScheduleError,
    ddim_sigma,
    ddim_step,
    ddpm_step,
    posterior,
    q_sample,
    strided_timesteps,
)

try:
    import diffusers
except Exception as err:  # diffusers is a bench/test extra, not a dependency
    diffusers = None
    WHY = f"diffusers is not importable ({type(err).__name__}: {err})"
else:
    WHY = ""
needs_diffusers = pytest.mark.skipif(diffusers is None, reason=WHY or "diffusers present")
TOL = 1e-6


def test_linear_schedule_is_the_linspace_of_betas_and_its_products():
    s = Schedule.linear(1e-4, 0.02, 1000)
    assert s.beta(1) == pytest.approx(1e-4, abs=1e-15) and s.beta(1000) == pytest.approx(0.02, abs=1e-15)
    assert s.beta(500) == pytest.approx(1e-4 + 499 * (0.02 - 1e-4) / 999, abs=1e-15)
    assert s.alpha_bar(10) == pytest.approx(math.prod(1 - (1e-4 + k * (0.02 - 1e-4) / 999) for k in range(10)), rel=1e-13)
    assert s.alpha_bar(0) == 1.0


def test_cosine_schedule_follows_the_contract_formula():
    T, s_ = 100, 0.008
    f = lambda t: math.cos(((t / T) + s_) / (1 + s_) * math.pi / 2) ** 2
    s = Schedule.cosine(T, s_)
    for t in (1, 7, 50, 99):
        assert s.alpha_bar(t) == pytest.approx(f(t) / f(0), rel=1e-12)


def test_the_three_readings_of_a_schedule_agree():
    alphas = [0.9, 0.8, 0.7]
    a, b, c = Schedule.from_alphas(alphas), Schedule.from_betas([0.1, 0.2, 0.3]), Schedule.from_alpha_bar([0.9, 0.72, 0.504])
    for s in (a, b, c):
        assert np.allclose(s.alpha_bars, [1, 0.9, 0.72, 0.504], atol=1e-15)


@pytest.mark.parametrize("make, field", [
    (lambda: Schedule.from_alphas([0.9, 0.0]), "alphas"), (lambda: Schedule.from_alphas([1.2]), "alphas"),
    (lambda: Schedule.from_betas([1.0]), "betas"), (lambda: Schedule.from_alpha_bar([0.5, 0.7]), "alpha_bar"),
])
def test_impossible_schedules_are_refused(make, field):
    with pytest.raises(ScheduleError) as err:
        make()
    assert err.value.field == field


def test_t_outside_the_schedule_is_refused():
    with pytest.raises(ScheduleError):
        Schedule.from_alphas([0.9, 0.8]).alpha_bar(3)


def test_leading_and_trailing_spacings_by_hand():
    # leading: 1 + k * (T // n); trailing: round(T - k T / n) (T = 10, n = 3: 10, 6.67, 3.33);
    # quadratic: 1 + floor((k sqrt(0.8 T) / (n - 1))^2) = 1 + floor(2 k^2) for T = 10, n = 3
    assert strided_timesteps(10, 3, "leading") == [7, 4, 1]
    assert strided_timesteps(10, 3, "trailing") == [10, 7, 3]
    assert strided_timesteps(10, 3, "quadratic") == [9, 3, 1]
    # T = 1000, n = 50: 1 + floor(k^2 800 / 49^2) = 1, 1, 2, 3 (2.99.. in floating point, as in the
    # DDIM code), 6 for k = 0..4; each collision moves up by one: 1, 2, 3, 4, 6
    q = strided_timesteps(1000, 50, "quadratic")
    assert q[0] == 801 and q[-5:] == [6, 4, 3, 2, 1] and len(set(q)) == 50 and q == sorted(q, reverse=True)
    assert strided_timesteps(10, 10, "trailing") == strided_timesteps(10, 10, "leading") == list(range(10, 0, -1))
    with pytest.raises(ScheduleError) as e:
        strided_timesteps(10, 3, "linspace")
    assert e.value.field == "spacing"


def test_posterior_is_bayes_rule_on_the_two_gaussians():
    # q(x_{t-1} | x_0) = N(sqrt(abar_{t-1}) x0, 1 - abar_{t-1}) times the likelihood of x_t given
    # x_{t-1}, N(x_t; sqrt(alpha_t) x_{t-1}, beta_t), as a Gaussian in x_{t-1}: precisions add
    s = Schedule.from_betas([0.1, 0.2, 0.3])
    x0, xt, t = 1.3, -0.4, 3
    ab_p, a = s.alpha_bar(t - 1), s.alpha(t)
    prec = 1 / (1 - ab_p) + a / (1 - a)
    mean = (math.sqrt(ab_p) * x0 / (1 - ab_p) + math.sqrt(a) * xt / (1 - a)) / prec
    m, var, _, _ = posterior(x0, xt, s.alpha_bar(t), ab_p, a)
    assert m == pytest.approx(mean, rel=1e-13) and var == pytest.approx(1 / prec, rel=1e-13)


def test_ddpm_mean_is_the_noise_form_of_ho_et_al():
    s = Schedule.linear(1e-4, 0.02, 50)
    x, eps, t = np.array([0.3, -1.1]), np.array([0.5, 0.2]), 20
    _, mean, sigma, _ = ddpm_step(x, eps, s.alpha_bar(t), s.alpha_bar(t - 1), s.alpha(t))
    expected = (x - s.beta(t) / math.sqrt(1 - s.alpha_bar(t)) * eps) / math.sqrt(s.alpha(t))
    assert np.allclose(mean, expected, atol=1e-14) and sigma == pytest.approx(math.sqrt(s.beta(t)))


def test_ddim_with_eta_1_has_the_ddpm_posterior_std_and_eta_0_is_deterministic():
    s = Schedule.linear(1e-4, 0.02, 100)
    t = 40
    _, var, _, _ = posterior(0.0, 0.0, s.alpha_bar(t), s.alpha_bar(t - 1), s.alpha(t))
    assert ddim_sigma(s.alpha_bar(t), s.alpha_bar(t - 1), 1.0) == pytest.approx(math.sqrt(var), rel=1e-12)
    x0, eps = 0.7, -0.2
    _, _, xt = q_sample(x0, eps, s.alpha_bar(t))
    # with the true noise, deterministic DDIM lands exactly on the forward process's x at t_prev with that noise
    _, _, _, xp = ddim_step(xt, s.alpha_bar(t), s.alpha_bar(10), eps_pred=eps)
    assert xp == pytest.approx(q_sample(x0, eps, s.alpha_bar(10))[2], abs=1e-14)


def test_impossible_ddim_sigma_is_refused():
    with pytest.raises(ScheduleError) as err:
        ddim_step(0.5, 0.5, 0.8, eps_pred=0.1, sigma=0.5)
    assert err.value.field == "sigma"


def test_torch_and_numpy_run_the_same_lines():
    s = Schedule.linear(1e-4, 0.02, 100)
    x, e = np.array([0.3, -0.2]), np.array([1.0, 0.4])
    a = ddpm_step(x, e, s.alpha_bar(30), s.alpha_bar(29), s.alpha(30), z=e)[3]
    b = ddpm_step(torch.tensor(x), torch.tensor(e), s.alpha_bar(30), s.alpha_bar(29), s.alpha(30), z=torch.tensor(e))[3]
    assert np.allclose(a, b.numpy(), atol=1e-15)


# -- diffusers -------------------------------------------------------------------------------------
def _in_float64(d):
    """diffusers' scheduler with its alpha-bar in float64 (the float32 values, cast): in float32
    its step coefficients lose digits (1 - alpha_bar_1 = 1e-4 keeps 4 of them), so the steps are
    compared in double precision on the very same alpha-bar values."""
    d.alphas_cumprod = d.alphas_cumprod.double()
    d.one = torch.tensor(1.0, dtype=torch.float64)
    if hasattr(d, "final_alpha_cumprod"):
        d.final_alpha_cumprod = torch.tensor(1.0, dtype=torch.float64)
    return d, Schedule.from_alpha_bar(d.alphas_cumprod.numpy())


@needs_diffusers
@pytest.mark.parametrize("T", [10, 1000])
def test_betas_and_alphas_cumprod_equal_diffusers(T):
    d = diffusers.DDPMScheduler(num_train_timesteps=T, beta_start=1e-4, beta_end=0.02, beta_schedule="linear")
    s = Schedule.linear(1e-4, 0.02, T)
    assert np.abs(d.betas.double().numpy() - s.betas).max() < TOL
    assert np.abs(d.alphas_cumprod.double().numpy() - s.alpha_bars[1:]).max() < TOL


@needs_diffusers
def test_cosine_schedule_equals_diffusers_where_diffusers_does_not_clip():
    T = 1000
    d = diffusers.DDPMScheduler(num_train_timesteps=T, beta_schedule="squaredcos_cap_v2")
    s = Schedule.cosine(T, 0.008)
    unclipped = s.betas < 0.999
    assert unclipped[:-1].all() and not unclipped[-1]  # only the last step's beta is clipped by diffusers
    assert np.abs(d.betas.double().numpy()[unclipped] - s.betas[unclipped]).max() < TOL


@needs_diffusers
def test_add_noise_equals_diffusers():
    d, s = _in_float64(diffusers.DDPMScheduler(num_train_timesteps=1000))
    g = torch.Generator().manual_seed(0)
    x0, eps = torch.randn(16, 2, generator=g, dtype=torch.float64), torch.randn(16, 2, generator=g, dtype=torch.float64)
    ts = torch.randint(0, 1000, (16,), generator=g)
    ref = d.add_noise(x0, eps, ts)
    ab = torch.tensor(s.alpha_bars[1:][ts.numpy()]).unsqueeze(1)
    assert (ref - q_sample(x0, eps, ab)[2]).abs().max().item() < TOL


def _close(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).abs().max())


@needs_diffusers
@pytest.mark.parametrize("variance_type, ours", [("fixed_small", "posterior"), ("fixed_large", "beta")])
def test_ddpm_step_equals_diffusers(variance_type, ours):
    d, s = _in_float64(diffusers.DDPMScheduler(num_train_timesteps=1000, clip_sample=False, variance_type=variance_type))
    g = torch.Generator().manual_seed(1)
    x, eps = torch.randn(8, 2, generator=g, dtype=torch.float64), torch.randn(8, 2, generator=g, dtype=torch.float64)
    for t in (1, 2, 10, 500, 999, 1000):
        ref = d.step(eps, t - 1, x, generator=torch.Generator().manual_seed(t))
        z = torch.randn(x.shape, generator=torch.Generator().manual_seed(t), dtype=torch.float64)  # diffusers' noise draw
        x0, _, _, xp = ddpm_step(x, eps, s.alpha_bar(t), s.alpha_bar(t - 1), s.alpha(t), z=z, variance=ours, last=t == 1)
        assert _close(x0, ref.pred_original_sample) < TOL, t
        assert _close(xp, ref.prev_sample) < TOL, t


@needs_diffusers
@pytest.mark.parametrize("spacing", ["leading", "trailing"])
@pytest.mark.parametrize("eta", [0.0, 0.5, 1.0])
def test_ddim_steps_equal_diffusers_on_its_strided_time_steps(eta, spacing):
    d, s = _in_float64(diffusers.DDIMScheduler(num_train_timesteps=1000, clip_sample=False, timestep_spacing=spacing))
    d.set_timesteps(50)
    ts = strided_timesteps(1000, 50, spacing)
    assert [t - 1 for t in ts] == d.timesteps.tolist()
    g = torch.Generator().manual_seed(2)
    x = torch.randn(8, 2, generator=g, dtype=torch.float64)
    for i, t in enumerate(ts):
        eps, z = torch.randn(8, 2, generator=g, dtype=torch.float64), torch.randn(8, 2, generator=g, dtype=torch.float64)
        tp = ts[i + 1] if i + 1 < len(ts) else 0
        ref = d.step(eps, t - 1, x, eta=eta, variance_noise=z)
        x0, _, _, xp = ddim_step(x, s.alpha_bar(t), s.alpha_bar(tp), eps_pred=eps, eta=eta, z=z)
        assert _close(x0, ref.pred_original_sample) < TOL and _close(xp, ref.prev_sample) < TOL, t
        x = xp


@needs_diffusers
@pytest.mark.parametrize("spacing", ["leading", "trailing"])
@pytest.mark.parametrize("n", [1, 7, 30, 50, 999, 1000])
def test_strided_time_steps_are_diffusers_timesteps_plus_one(spacing, n):
    d = diffusers.DDIMScheduler(num_train_timesteps=1000, timestep_spacing=spacing)
    d.set_timesteps(n)
    assert strided_timesteps(1000, n, spacing) == [t + 1 for t in d.timesteps.tolist()]
