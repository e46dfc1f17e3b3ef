"""all_but_the_top against an independent computation (eigenvectors of the covariance matrix)."""

from __future__ import annotations

import numpy as np
import pytest

from adlkit.embeddings import KeyedVectors, all_but_the_top


def frequency_dominated(v: int = 400, d: int = 12, seed: int = 0) -> np.ndarray:
    """Vectors with a large common mean and two dominant directions (as trained vectors have)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((v, d))
    x += 5.0 * rng.standard_normal(d)  # common mean
    x += np.outer(6.0 * rng.standard_normal(v), rng.standard_normal(d))
    x += np.outer(3.0 * rng.standard_normal(v), rng.standard_normal(d))
    return x.astype(np.float32)


def reference(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The post-processed vectors and the removed directions, via eigh of the covariance matrix."""
    x = x.astype(np.float64)
    c = x - x.sum(axis=0) / len(x)
    w, vecs = np.linalg.eigh(c.T @ c)
    u = vecs[:, np.argsort(w)[::-1][:k]]  # (d, k), top-k eigenvectors
    return c - c @ u @ u.T, u


@pytest.mark.parametrize("k", [0, 1, 2, 3, 5])
def test_matches_the_covariance_eigenvector_computation(k):
    x = frequency_dominated()
    got = all_but_the_top(x, k)
    want, u = reference(x, k)
    assert got.dtype == np.float32 and got.shape == x.shape
    np.testing.assert_allclose(got, want, atol=2e-4 * np.abs(want).max())
    # zero mean, orthogonal to the removed directions
    np.testing.assert_allclose(got.astype(np.float64).mean(axis=0), 0.0, atol=1e-4)
    if k:
        assert np.abs(got.astype(np.float64) @ u).max() < 1e-3 * np.abs(x).max()


def test_removes_the_dominant_directions_and_keeps_the_rest():
    x = frequency_dominated()
    y = all_but_the_top(x, 2).astype(np.float64)
    c = x.astype(np.float64) - x.mean(axis=0)
    # the remaining variance is the centred variance minus the top two eigenvalues
    w = np.sort(np.linalg.eigvalsh(c.T @ c))[::-1]
    assert (y ** 2).sum() == pytest.approx(w[2:].sum(), rel=1e-4)


def test_keyedvectors_in_keyedvectors_out():
    x = frequency_dominated(v=50, d=6)
    words = [f"w{i}" for i in range(50)]
    kv = KeyedVectors(x, words, counts=np.arange(50, 0, -1))
    out = all_but_the_top(kv, 1)
    assert isinstance(out, KeyedVectors) and out.index_to_key == words
    np.testing.assert_array_equal(out.counts, kv.counts)
    np.testing.assert_allclose(out.vectors, all_but_the_top(x, 1), atol=1e-6)
    np.testing.assert_array_equal(kv.vectors, x)  # the input is not modified


@pytest.mark.parametrize("k", [-1, 7])
def test_bad_number_of_components(k):
    with pytest.raises(ValueError, match="n_components"):
        all_but_the_top(frequency_dominated(v=50, d=6), k)
