"""The noise-conditional score model: it trains by the DSM code of the ``dsm`` type, it samples
through the Langevin update of the ``langevin_step`` type, and on Gaussian data its samples have
the data's mean and covariance."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import adlkit.ebm.score_model as sm
from adlkit.ebm.langevin import langevin_update


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def test_annealed_sampler_moves_only_through_langevin_update(monkeypatch):
    calls = []

    def counting(x, score, step, noise=0.0, form="half"):
        calls.append((step, form))
        return langevin_update(x, score, step, noise, form)

    monkeypatch.setattr(sm, "langevin_update", counting)
    torch.manual_seed(0)
    m = sm.ScoreModule(2, hidden=(8,), n_sigmas=3, sigma_max=1.0, sigma_min=0.1)
    m.sample(5, steps_per_level=4, step_ratio=0.1)
    assert len(calls) == 12 and all(f == "half" for _, f in calls)
    # step sizes r sigma_i^2, per level
    expected = [0.1 * s**2 for s in (1.0, 0.1**0.5, 0.1)]  # r sigma_i^2 at the geometric levels 1, 0.316, 0.1
    np.testing.assert_allclose(sorted({s for s, _ in calls}), sorted(expected), rtol=1e-5)


def test_samples_of_a_gaussian_have_its_mean_and_covariance():
    rng = np.random.default_rng(0)
    cov = np.array([[1.0, 0.6], [0.6, 0.8]])
    X = rng.multivariate_normal([2.0, -1.0], cov, size=4000)
    est = sm.ScoreModel(hidden=(64, 64), epochs=40, batch_size=256, sigma_max=2.0, sigma_min=0.05, random_state=0).fit(X)
    S = est.sample(2000, steps_per_level=60, random_state=1)
    np.testing.assert_allclose(S.mean(0), [2.0, -1.0], atol=0.12)
    np.testing.assert_allclose(np.cov(S, rowvar=False), cov, atol=0.15)


def test_w1_is_exact_on_a_tiny_case():
    # two points each: the optimal matching moves each point by 1
    assert sm.wasserstein1(np.array([[0.0, 0.0], [2.0, 0.0]]), np.array([[0.0, 1.0], [2.0, 1.0]])) == pytest.approx(1.0)
