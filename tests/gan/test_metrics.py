"""Metrics against independent references: scipy's 1-D W1, hand-built mode counts."""

import numpy as np
import pytest
from scipy.stats import wasserstein_distance

from adlkit.data import toys
from adlkit.gan.metrics import mode_coverage, nearest_neighbour_distances, wasserstein1


def test_exact_w1_matches_scipy_in_one_dimension():
    rng = np.random.default_rng(0)
    a, b = rng.normal(0, 1, 300), rng.normal(0.5, 2, 200)
    assert wasserstein1(a[:, None], b[:, None]) == pytest.approx(wasserstein_distance(a, b), rel=1e-6)


def test_exact_w1_of_a_translation_is_the_shift():
    x = np.random.default_rng(1).normal(size=(100, 2))
    assert wasserstein1(x, x + np.array([3.0, 4.0])) == pytest.approx(5.0, rel=1e-9)


def test_mode_coverage_counts_modes_and_quality():
    centres, std = toys.mixture_modes("8gaussians")
    rng = np.random.default_rng(2)
    # 900 points on 3 modes (300 each) and 100 far away: 3 modes, 90 % high quality
    x = np.concatenate([centres[k] + std * 0.5 * rng.standard_normal((300, 2)) for k in (0, 3, 5)]
                       + [np.full((100, 2), 10.0)])
    cov = mode_coverage(x, centres, std)
    assert cov.modes == 3 and cov.n_modes == 8
    assert cov.high_quality == pytest.approx(0.9)
    assert cov.counts[0] == cov.counts[3] == cov.counts[5] == 300


def test_mode_needs_its_stated_share():
    centres, std = toys.mixture_modes("25gaussians")
    assert len(centres) == 25
    # the stated share: 0.25 / 25 * 1000 = 10 samples. 10 on mode 0 cover it, 9 do not
    x = np.concatenate([np.repeat(centres[:1], 10, 0), np.repeat(centres[1:2], 990, 0)])
    assert mode_coverage(x, centres, std).modes == 2
    x = np.concatenate([np.repeat(centres[:1], 9, 0), np.repeat(centres[1:2], 991, 0)])
    assert mode_coverage(x, centres, std).modes == 1


def test_nearest_neighbour_distances_by_hand():
    train = np.array([[0.0, 0.0], [10.0, 0.0]])
    gen = np.array([[1.0, 0.0]])
    held = np.array([[0.0, 2.0], [10.0, 3.0]])
    d = nearest_neighbour_distances(gen, train, held)
    assert d["gen_to_train"] == pytest.approx(1.0)
    assert d["heldout_to_gen"] == pytest.approx((np.sqrt(1 + 4) + np.sqrt(81 + 9)) / 2)
    assert d["heldout_to_train"] == pytest.approx(2.5)
