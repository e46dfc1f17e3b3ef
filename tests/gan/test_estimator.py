"""The GAN estimator: scikit-learn's contract (clone, get_params, GridSearchCV), training through
the trainer's path, sampling, and its score (minus the exact W1) against an independent solver."""

import numpy as np
import pytest
import torch
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from adlkit.gan import GAN
from adlkit.gan.trainer import load_data, train_gan

TINY = dict(hidden=(8, 8), iters=2, batch_size=16)


def _shifted_gaussian(n, seed=0):
    """N((3, 3), 0.25 I): a generator that starts near 0 has far to go."""
    return np.random.default_rng(seed).standard_normal((n, 2)) * 0.5 + 3.0


def test_clone_copies_hyperparameters_and_no_fitted_state():
    est = GAN("wgan", latent_dim=3, betas=None, clip=0.02, random_state=4, **TINY)
    c = clone(est)
    assert c.get_params() == est.get_params() and c is not est
    est.fit(_shifted_gaussian(200))
    c = clone(est)
    assert c.get_params() == est.get_params()
    assert hasattr(est, "module_") and not hasattr(c, "module_")
    assert GAN(**est.get_params()).get_params() == est.get_params()


def test_fit_trains_exactly_what_the_trainer_trains():
    """The estimator on the trainer's rows gives the trainer's weights (same seed, same
    hyperparameters: the trainer's, which include the data set's defaults, adlkit.gan.defaults),
    so `adlkit train gan`, bench and notebook runs agree."""
    d = load_data("8gaussians", n_train=320, n_test=100, seed=0)
    run = train_gan("wgan-gp", d, iters=3, batch_size=32, seed=1, progress=False, hidden=[16, 16])
    c = run.model.config
    est = GAN("wgan-gp", hidden=(16, 16), gp_lambda=c.gp_lambda, lr=c.lr, iters=3, batch_size=32,
              random_state=1).fit(d.train.numpy())
    assert est.data_shape_ == (2,) and est.run_.steps == 3
    for k, v in run.model.state_dict().items():
        assert torch.equal(est.module_.state_dict()[k], v), k


def test_sample_shapes_and_random_state():
    est = GAN("gan", **TINY).fit(np.random.default_rng(0).random((100, 3, 2)))
    a, b = est.sample(5, random_state=1), est.sample(5, random_state=1)
    assert a.shape == (5, 3, 2) and np.array_equal(a, b)
    assert not np.array_equal(a, est.sample(5, random_state=2))
    assert est.sample().shape == (1, 3, 2)


def test_score_is_minus_the_exact_w1_of_an_independent_solver():
    """With as many generated points as rows and uniform weights, the optimal transport plan
    is a permutation (Birkhoff): W1 = the min-cost matching / n, by scipy's assignment solver."""
    X = _shifted_gaussian(150, seed=1)
    est = GAN("wgan", **TINY).fit(_shifted_gaussian(200))
    s = est.sample(len(X), random_state=est.random_state)
    cost = cdist(s.astype(np.float64), X)
    r, c = linear_sum_assignment(cost)
    assert est.score(X) == pytest.approx(-cost[r, c].mean(), rel=1e-9)
    assert est.score(X) == est.score(X)  # repeatable: the noise comes from random_state


def test_grid_search_picks_the_learning_rate_that_moves_the_generator():
    """GridSearchCV (cv=2) over lr: 1e-7 leaves the generator near 0, about 4 W1 units from the
    target; 2e-3 moves it at least one unit closer in 100 iterations, so it scores higher."""
    X = _shifted_gaussian(400)
    gs = GridSearchCV(GAN("wgan-gp", hidden=(16, 16), n_critic=2, iters=100, batch_size=64),
                      {"lr": [1e-7, 2e-3]}, cv=2).fit(X)
    assert gs.best_params_ == {"lr": 2e-3}
    low, high = gs.cv_results_["mean_test_score"]
    assert low < -3.0 and high > low + 1.0
    assert isinstance(gs.best_estimator_, GAN) and gs.best_estimator_.module_.config.lr == 2e-3


def test_bad_input():
    with pytest.raises(RuntimeError, match="not fitted"):
        GAN().sample(2)
    with pytest.raises(ValueError, match="NaN"):
        GAN(**TINY).fit(np.array([[0.0, np.nan]] * 100))
    with pytest.raises(ValueError, match="loss must be one of"):
        GAN("lsgan", **TINY).fit(_shifted_gaussian(100))
    est = GAN(**TINY).fit(_shifted_gaussian(100))
    with pytest.raises(ValueError, match="the model generates"):
        est.score(np.zeros((10, 3)))
    with pytest.raises(ValueError, match="X_val rows"):
        GAN(**TINY).fit(_shifted_gaussian(100), np.zeros((10, 3)))
