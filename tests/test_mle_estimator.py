"""adlkit.mle.Bernoulli as a scikit-learn estimator: clone, and GridSearchCV over the prior."""

import math
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold

from adlkit.data import digits
from adlkit.mle import Bernoulli


def _images():
    return digits.binarize(digits.load_digits("train")[0]).reshape(-1, 8, 8)


def test_clone_gives_an_unfitted_estimator_with_equal_params():
    prior = (2.0, 3.0)
    b = Bernoulli(per_pixel=True, prior=prior)
    assert b.prior is prior  # __init__ stores what it is given
    for e in (b, b.fit(_images())):
        c = clone(e)
        assert type(c) is Bernoulli and not hasattr(c, "p_") and c.get_params() == e.get_params()


def _fold_score(X_train: np.ndarray, X_test: np.ndarray, prior) -> float:
    """Mean log P(x) of the test images under per-pixel p fitted on the training images: the
    MLE k/n, or with a Beta(2, 2) prior the posterior mode (k + 1)/(n + 2)."""
    k, n = X_train.sum(0), len(X_train)
    p = k / n if prior is None else (k + 1) / (n + 2)
    with np.errstate(divide="ignore"):
        ll = np.where(X_test == 1, np.log(p), np.log1p(-p))
    return float(ll.reshape(len(X_test), -1).sum(1).mean())


@pytest.mark.parametrize("n_images, best", [(40, (2.0, 2.0)), (None, None)])
def test_grid_search_over_the_prior_selects_by_score(n_images, best):
    """GridSearchCV (cv=2) over prior in {None (the MLE), Beta(2, 2)}: every split score is the
    held-out fold's closed-form mean log-likelihood, recomputed by hand. With 40 images a pixel
    is never on in one fold, the MLE gives a held-out image log P = -inf and the prior wins;
    with the whole training set the MLE wins."""
    X = _images()[:n_images]
    grid = [None, (2.0, 2.0)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn warns about the -inf score
        gs = GridSearchCV(Bernoulli(per_pixel=True), {"prior": grid}, cv=2).fit(X)
    means = []
    for i, prior in enumerate(grid):
        folds = [_fold_score(X[tr], X[te], prior) for tr, te in KFold(2).split(X)]
        for k, want in enumerate(folds):
            got = gs.cv_results_[f"split{k}_test_score"][i]
            assert got == want == -math.inf or got == pytest.approx(want, rel=1e-12)
        means.append(np.mean(folds))
    assert gs.best_params_ == {"prior": best} == {"prior": grid[int(np.argmax(means))]}
    assert (n_images is None) == bool(np.isfinite(means).all())


def test_sample_takes_n_samples():
    b = Bernoulli(per_pixel=True, prior=(2.0, 2.0)).fit(_images())
    s = b.sample(n_samples=5, random_state=0)
    assert s.shape == (5, 8, 8) and set(np.unique(s)) <= {0, 1}
    np.testing.assert_array_equal(s, b.sample(5, random_state=0))
