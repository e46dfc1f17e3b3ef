"""Question 4B: the comparison code against the closed form, and a trained discriminator."""

import math

import numpy as np
import pytest
from scipy.stats import norm

from adlkit.divergences import Normal, jsd
from adlkit.gan import discriminator_check as dc


def d_star_by_hand(x):
    # D* = p_data / (p_data + p_g) with scipy's densities: N(3, var 2), N(4, var 1)
    a, b = norm.pdf(x, 3.0, math.sqrt(2.0)), norm.pdf(x, 4.0, 1.0)
    return a / (a + b)


def test_exact_discriminator_has_no_gap_and_the_optimal_value():
    chk = dc.compare(d_star_by_hand)
    assert chk.max_gap_bulk < 1e-12 and chk.max_gap_all < 1e-12
    # V(D*) by quadrature of our own against -log 4 + 2 JSD from the divergences library
    assert chk.value_trained == pytest.approx(-math.log(4) + 2 * jsd(Normal(3, 2), Normal(4, 1)), abs=1e-7)
    assert chk.value_star == pytest.approx(-math.log(4) + 2 * jsd(Normal(3, 2), Normal(4, 1)), abs=1e-9)


def test_uninformed_discriminator_gap_and_value_by_hand():
    chk = dc.compare(lambda x: np.full_like(x, 0.5))
    lo, hi = chk.bulk
    x = chk.grid[(chk.grid >= lo) & (chk.grid <= hi)]
    assert chk.max_gap_bulk == pytest.approx(np.abs(d_star_by_hand(x) - 0.5).max(), rel=1e-9)
    assert chk.mean_gap_bulk == pytest.approx(np.abs(d_star_by_hand(x) - 0.5).mean(), rel=1e-9)
    assert chk.value_trained == pytest.approx(-math.log(4), abs=1e-7)  # V at D = 1/2


def test_bulk_is_the_central_99_percent_of_the_mixture():
    lo, hi = dc.mixture_quantiles(Normal(3, 2), Normal(4, 1), [0.005, 0.995])
    cdf = lambda t: 0.5 * (norm.cdf(t, 3, math.sqrt(2)) + norm.cdf(t, 4, 1))
    assert cdf(lo) == pytest.approx(0.005, abs=1e-9) and cdf(hi) == pytest.approx(0.995, abs=1e-9)


def test_trained_discriminator_is_within_005_of_d_star_on_the_bulk():
    chk = dc.run(steps=400)
    assert chk.max_gap_bulk < 0.05
    # no discriminator beats D*: the trained value is below, and close
    assert chk.value_trained <= chk.value_star + 1e-9
    assert chk.value_star - chk.value_trained < 0.01
