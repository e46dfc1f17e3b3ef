"""The ``bernoulli_mle`` problem type and adlkit.mle.Bernoulli."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

from adlkit.mle import Bernoulli
from adlkit.solve import SpecError, solve_one

SHEET_IMAGES = [[[1, 1], [1, 1]], [[0, 1], [0, 0]], [[1, 0], [1, 1]], [[0, 0], [1, 0]]]


def test_seed_sheet_question_1b():
    # the sheet: k = 9 ones among n = 16 pixels, p_hat = 9/16 = 0.5625
    a = solve_one("bernoulli_mle", images=SHEET_IMAGES).answers
    assert (a["k"], a["n"]) == (9, 16)
    assert a["p_hat"] == 0.5625
    assert a["log_likelihood"] == pytest.approx(9 * np.log(9 / 16) + 7 * np.log(7 / 16), rel=1e-14)


def _numeric_argmax(loglik):
    res = optimize.minimize_scalar(lambda p: -loglik(p), bounds=(1e-9, 1 - 1e-9), method="bounded",
                                   options={"xatol": 1e-12})
    return res.x


@pytest.mark.parametrize("seed", range(5))
def test_mle_maximises_the_likelihood_numerically(seed):
    rng = np.random.default_rng(seed)
    imgs = (rng.random((int(rng.integers(1, 6)), 3, 4)) < rng.random()).astype(int)
    flat = imgs.ravel()
    a = solve_one("bernoulli_mle", images=imgs.tolist()).answers
    p_num = _numeric_argmax(lambda p: stats.bernoulli.logpmf(flat, p).sum())
    if 0 < flat.mean() < 1:
        assert a["p_hat"] == pytest.approx(p_num, abs=1e-6)
    assert a["log_likelihood"] == pytest.approx(stats.bernoulli.logpmf(flat, a["p_hat"]).sum(), abs=1e-9)


def test_map_is_the_mode_of_the_posterior():
    imgs = np.array(SHEET_IMAGES)
    flat = imgs.ravel()
    alpha, beta = 3.0, 2.0
    a = solve_one("bernoulli_mle", images=SHEET_IMAGES, prior={"alpha": alpha, "beta": beta}).answers
    log_post = lambda p: stats.bernoulli.logpmf(flat, p).sum() + stats.beta.logpdf(p, alpha, beta)
    assert a["p_hat"] == pytest.approx(_numeric_argmax(log_post), abs=1e-6)


def test_per_pixel_estimates_each_position():
    a = solve_one("bernoulli_mle", images=SHEET_IMAGES, per_pixel=True).answers
    # by hand: position (0,0): images 1, 3 -> 2/4; (0,1): 1, 2 -> 2/4; (1,0): 1, 3, 4 -> 3/4; (1,1): 1, 3 -> 2/4
    assert np.allclose(a["p_hat"], [[0.5, 0.5], [0.75, 0.5]])


def test_score_samples_and_sample_on_real_digits():
    from sklearn.datasets import load_digits

    X = (load_digits().images > 8).astype(int)
    train, test = X[:1500], X[1500:]
    model = Bernoulli(per_pixel=True, prior=(1.0 + 1e-3, 1.0 + 1e-3)).fit(train)
    ll = model.score_samples(test)
    p = np.asarray(model.p_)
    ref = stats.bernoulli.logpmf(test, p).reshape(len(test), -1).sum(axis=1)
    np.testing.assert_allclose(ll, ref, rtol=1e-12)
    # a per-pixel model must beat one shared p on held-out digits
    shared = Bernoulli().fit(train)
    assert model.score(test) > shared.score(test) + 5
    s = model.sample(4000, random_state=0)
    assert s.shape == (4000, 8, 8)
    np.testing.assert_allclose(s.mean(axis=0), p, atol=0.04)


def test_non_binary_pixels_are_an_error_not_a_rounding():
    with pytest.raises(ValueError, match="0 or 1"):
        Bernoulli().fit(np.array([[[0.4, 1]]]))
    with pytest.raises(SpecError, match=r"q1: field 'images' image 2 has a pixel 2"):
        solve_one("bernoulli_mle", id="q1", images=[[[0, 1]], [[2, 1]]])
    with pytest.raises(SpecError, match=r"field 'prior' must be >= 1"):
        solve_one("bernoulli_mle", images=[[[0, 1]]], prior={"alpha": 0.5, "beta": 2})
    with pytest.raises(SpecError, match=r"same shape when per_pixel"):
        solve_one("bernoulli_mle", images=[[[0, 1]], [[1], [0]]], per_pixel=True)
