"""The EBM as a scikit-learn estimator: clone, get_params, defaults from its config, GridSearchCV."""

import numpy as np
import pytest
from sklearn.base import DensityMixin, clone
from sklearn.model_selection import GridSearchCV

from adlkit.data.registry import density_split
from adlkit.ebm import EBM, EBMConfig

TINY = dict(hidden=(8,), max_steps=5, patience=None, batch_size=100, buffer_size=200, langevin_steps=2,
            quad_points=101)


@pytest.fixture(scope="module")
def moons():
    return density_split("moons", 0, n_train=400).train


def test_clone_copies_hyperparameters_and_no_fitted_state(moons):
    est = EBM(method="dsm", dsm_sigma=0.2, random_state=3, **TINY)
    c = clone(est)
    assert c.get_params() == est.get_params() and c is not est
    est.fit(moons)
    c = clone(est)
    assert c.get_params() == est.get_params()
    assert hasattr(est, "module_") and not hasattr(c, "module_")
    assert isinstance(est, DensityMixin)


def test_defaults_are_the_configs():
    """The estimator's module hyperparameters default to EBMConfig's, one place for each."""
    params = EBM().get_params()
    cfg = EBMConfig(2)
    assert {k: params[k] for k in EBM._MODULE_ARGS} == {k: getattr(cfg, k) for k in EBM._MODULE_ARGS}
    assert set(EBM._MODULE_ARGS) == set(cfg.as_dict()) - {"dim"}


def test_score_is_the_mean_per_sample_log_likelihood(moons):
    est = EBM(**TINY).fit(moons)
    X = moons[:50]
    assert est.score(X) == pytest.approx(float(np.mean(est.score_samples(X))), rel=1e-12)
    assert est.score_samples(X).shape == (50,)


def test_grid_search_prefers_a_confining_term_as_wide_as_the_data(moons):
    """GridSearchCV (cv=2) over base_std: on standardised data (unit variance per axis) a
    confining Gaussian of std 0.3 costs about |u|^2 / (2 * 0.09) = 11 nats per point, which five
    steps cannot undo; std 1.5 wins by several nats."""
    gs = GridSearchCV(EBM(**TINY), {"base_std": [0.3, 1.5]}, cv=2).fit(moons)
    assert gs.best_params_ == {"base_std": 1.5}
    narrow, wide = gs.cv_results_["mean_test_score"]
    assert wide > narrow + 3.0
    assert gs.best_estimator_.module_.config.base_std == 1.5
