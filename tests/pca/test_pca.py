"""adlkit.pca and the ``pca`` problem type against scikit-learn (PCA, KernelPCA), to 1e-10 up
to the stated sign convention (largest-magnitude entry of each direction positive)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA, KernelPCA

from adlkit.pca import kernel_pca, pca, sign_convention
from adlkit.solve import solve_spec


def _signed_like(ref: np.ndarray, ours: np.ndarray) -> np.ndarray:
    """sklearn's rows flipped to our convention (the sign of each row's largest-magnitude entry)."""
    return sign_convention(ref)


@pytest.mark.parametrize("n, d, k", [(10, 3, 2), (7, 5, 5), (30, 4, 1), (4, 6, 4)])
def test_pca_equals_sklearn_up_to_sign(n, d, k):
    X = np.random.default_rng(n * d + k).normal(size=(n, d)) @ np.diag(np.arange(1, d + 1))
    ref = PCA(n_components=k, svd_solver="full").fit(X)
    r = pca(X, k)
    np.testing.assert_allclose(r.mean, ref.mean_, atol=1e-10)
    np.testing.assert_allclose(r.components, sign_convention(ref.components_), atol=1e-10)
    np.testing.assert_allclose(r.eigenvalues[:k], ref.explained_variance_, atol=1e-10)
    np.testing.assert_allclose(r.explained_variance_ratio, ref.explained_variance_ratio_, atol=1e-10)
    flip = np.sign(np.sum(r.components * ref.components_, axis=1))  # +1/-1 per direction
    np.testing.assert_allclose(r.projection, ref.transform(X) * flip, atol=1e-10)
    np.testing.assert_allclose(r.covariance, np.cov(X, rowvar=False, ddof=1), atol=1e-10)
    recon = ref.inverse_transform(ref.transform(X))
    assert r.reconstruction_error == pytest.approx(np.mean((X - recon) ** 2), abs=1e-10)


def test_ddof_0_is_the_covariance_over_n():
    X = np.random.default_rng(1).normal(size=(6, 3))
    r = pca(X, ddof=0)
    np.testing.assert_allclose(r.covariance, np.cov(X, rowvar=False, ddof=0), atol=1e-12)
    np.testing.assert_allclose(r.eigenvalues, np.sort(np.linalg.eigvalsh(np.cov(X, rowvar=False, ddof=0)))[::-1], atol=1e-12)


def test_sign_convention_largest_magnitude_entry_positive():
    r = pca(np.random.default_rng(2).normal(size=(9, 4)))
    idx = np.argmax(np.abs(r.components), axis=1)
    assert np.all(r.components[np.arange(4), idx] > 0)
    np.testing.assert_allclose(r.components @ r.components.T, np.eye(4), atol=1e-12)


@pytest.mark.parametrize("kernel, extra", [("rbf", {"gamma": 0.5}), ("poly", {"gamma": 0.3, "degree": 2, "coef0": 1.0}),
                                           ("linear", {}), ("rbf", {})])
def test_kernel_pca_equals_sklearn_up_to_sign(kernel, extra):
    """Eigenvalues, unit eigenvectors and projections equal KernelPCA's (dense solver; default
    gamma 1/d in the last case) to 1e-10, each component up to its sign."""
    X = np.random.default_rng(3).normal(size=(25, 3))
    ref = KernelPCA(n_components=3, kernel=kernel, eigen_solver="dense", **extra).fit(X)
    r = kernel_pca(X, 3, kernel, **extra)
    np.testing.assert_allclose(r.eigenvalues, ref.eigenvalues_, rtol=1e-10)
    ref_proj = ref.transform(X)
    flip = np.sign(np.sum(r.projection * ref_proj, axis=0))
    np.testing.assert_allclose(r.projection, ref_proj * flip, rtol=0, atol=1e-10)
    np.testing.assert_allclose(r.projection, ref.fit_transform(X) * flip, rtol=0, atol=1e-10)
    np.testing.assert_allclose(r.alphas, ref.eigenvectors_ * flip, rtol=0, atol=1e-10)


def test_pca_problem_type_answers_are_sklearns():
    X = [[2, 0], [0, 1], [3, 4], [1, 1], [5, 2]]
    a = solve_spec({"problems": [{"type": "pca", "X": X, "k": 1}]}).results[0].answers
    ref = PCA(n_components=1).fit(np.array(X, float))
    np.testing.assert_allclose(a["components"], sign_convention(ref.components_), atol=1e-10)
    np.testing.assert_allclose(a["eigenvalues"][:1], ref.explained_variance_, atol=1e-10)
    np.testing.assert_allclose(a["eigenvalues"].sum(), np.trace(np.cov(np.array(X, float), rowvar=False)), atol=1e-10)
