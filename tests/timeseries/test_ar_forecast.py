"""adlkit.timeseries forecasts against statsmodels' ARIMA with the same fixed parameters (its
Kalman filter, an independent implementation), and the ``ar_forecast`` type by hand."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from adlkit.solve import solve_spec
from adlkit.timeseries import ar_forecast, difference, fit_ar, undifference

sm_arima = pytest.importorskip("statsmodels.tsa.arima.model")


@pytest.mark.parametrize("p, d, c", [(1, 0, 0.0), (2, 0, 0.7), (1, 1, 0.0), (2, 2, 0.0), (3, 1, 0.0)])
def test_forecasts_equal_statsmodels_arima(p, d, c):
    y = np.cumsum(np.random.default_rng(p * 10 + d).normal(size=40)) + 5
    phi = np.array([0.5, -0.3, 0.1][:p])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if d == 0:  # statsmodels' 'c' trend is the mean mu, with c = mu (1 - sum phi)
            res = sm_arima.ARIMA(y, order=(p, 0, 0), trend="c").filter(np.r_[c / (1 - phi.sum()), phi, 1.0])
        else:
            res = sm_arima.ARIMA(y, order=(p, d, 0), trend="n").filter(np.r_[phi, 1.0])
        ref = res.forecast(6)
    np.testing.assert_allclose(ar_forecast(y, phi, c, d, 6).forecast, ref, atol=1e-8)


def test_undifference_inverts_difference():
    """Future second differences, undone from the history's levels, give the future values back."""
    y = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0])
    future_w = difference(y, 2)[2][-2:]  # the second differences at t = 5, 6
    back = undifference(future_w, difference(y[:5], 2))
    np.testing.assert_allclose(back[-1], y[5:])
    np.testing.assert_allclose(back[1], np.diff(y)[-2:])


def test_problem_type_by_hand_and_fit():
    a = solve_spec({"problems": [{"type": "ar_forecast", "series": [1, 2, 4, 5, 7], "phi": [0.5], "c": 0.2, "d": 1,
                                  "steps": 3}]}).results[0].answers
    # w = diff = [1, 2, 1, 2]; w6 = 0.2 + 0.5*2 = 1.2, w7 = 0.8, w8 = 0.6; y = 7 + cumsum
    np.testing.assert_allclose(a["forecast"], [8.2, 9.0, 9.6])
    y = np.zeros(400)
    e = np.random.default_rng(0).normal(size=400)
    for t in range(2, 400):
        y[t] = 0.3 + 0.6 * y[t - 1] - 0.2 * y[t - 2] + e[t]
    phi, c = fit_ar(y, 2)
    np.testing.assert_allclose(phi, [0.6, -0.2], atol=0.1)
    assert c == pytest.approx(0.3, abs=0.15)
