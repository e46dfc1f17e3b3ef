r"""Principal component analysis (module 2): linear PCA by the SVD, and kernel PCA.

For data X (n rows, d columns) with column means :math:`\mu`, centred :math:`X_c = X - 1\mu^\top`
and its thin SVD :math:`X_c = U S V^\top`:

- the covariance is :math:`C = X_c^\top X_c / (n - \mathrm{ddof})` (ddof = 1: the unbiased
  sample covariance, scikit-learn's; ddof = 0: the maximum-likelihood one);
- its eigenvalues are :math:`s_i^2 / (n - \mathrm{ddof})`, descending, and its eigenvectors the
  rows of :math:`V^\top` (the principal directions), each signed so that its largest-magnitude
  entry is positive (an eigenvector is defined up to sign; this makes the answer unique);
- the projection (scores) is :math:`X_c V_k` and the rank-k reconstruction
  :math:`\mu + X_c V_k V_k^\top`.

Kernel PCA (Schölkopf et al., 1998): centre the Gram matrix,
:math:`\tilde K = K - 1_n K - K 1_n + 1_n K 1_n`, take its top eigenpairs
:math:`(\lambda_i, a_i)` with unit :math:`a_i`; the training projections are
:math:`\sqrt{\lambda_i}\,a_i` (the eigenvectors in feature space :math:`a_i/\sqrt{\lambda_i}` have
unit norm).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PCAResult", "pca", "sign_convention", "kernel_pca", "rbf_kernel", "KernelPCAResult"]


def sign_convention(components: np.ndarray) -> np.ndarray:
    """Flip each row so that its largest-magnitude entry is positive (the first such entry when
    several tie)."""
    comps = np.array(components, dtype=np.float64, copy=True)
    for row in comps:
        i = int(np.argmax(np.abs(row)))
        if row[i] < 0:
            row *= -1.0
    return comps


@dataclass
class PCAResult:
    mean: np.ndarray  # (d,)
    covariance: np.ndarray  # (d, d)
    eigenvalues: np.ndarray  # (d,) descending
    components: np.ndarray  # (k, d), unit rows, sign convention applied
    explained_variance_ratio: np.ndarray  # (k,)
    projection: np.ndarray  # (n, k)
    reconstruction: np.ndarray  # (n, d)
    reconstruction_error: float  # mean over all n*d entries of the squared error
    ddof: int
    k: int


def pca(X: np.ndarray, k: int | None = None, ddof: int = 1) -> PCAResult:
    """PCA of the rows of ``X`` keeping ``k`` components (default all d)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be a matrix (rows are samples), got shape {X.shape}")
    n, d = X.shape
    k = d if k is None else int(k)
    if not 1 <= k <= min(n, d):
        raise ValueError(f"need 1 <= k <= min(n, d) = {min(n, d)}, got {k}")
    if not n - ddof > 0:
        raise ValueError(f"need n - ddof > 0, got n = {n}, ddof = {ddof}")
    mean = X.mean(axis=0)
    Xc = X - mean
    _, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    eig = np.zeros(d)
    eig[: s.size] = s**2 / (n - ddof)
    comps = sign_convention(Vt[:k])
    proj = Xc @ comps.T
    recon = mean + proj @ comps
    total = float(eig.sum())
    ratio = eig[:k] / total if total > 0 else np.zeros(k)
    return PCAResult(mean, Xc.T @ Xc / (n - ddof), eig, comps, ratio, proj, recon,
                     float(np.mean((X - recon) ** 2)), ddof, k)


def rbf_kernel(A: np.ndarray, B: np.ndarray, gamma: float) -> np.ndarray:
    r""":math:`k(a, b) = \exp(-\gamma \|a - b\|^2)`."""
    sq = (A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2 * A @ B.T
    return np.exp(-gamma * np.maximum(sq, 0.0))


KERNELS = ("linear", "rbf", "poly")


def _kernel(A: np.ndarray, B: np.ndarray, kernel: str, gamma: float, degree: int, coef0: float) -> np.ndarray:
    if kernel == "linear":
        return A @ B.T
    if kernel == "rbf":
        return rbf_kernel(A, B, gamma)
    if kernel == "poly":
        return (gamma * A @ B.T + coef0) ** degree
    raise ValueError(f"kernel must be one of {KERNELS}, got {kernel!r}")


@dataclass
class KernelPCAResult:
    eigenvalues: np.ndarray  # (k,) of the centred Gram matrix, descending
    alphas: np.ndarray  # (n, k) unit eigenvectors, sign convention applied per column
    projection: np.ndarray  # (n, k) = alphas * sqrt(eigenvalues)
    centred_kernel: np.ndarray


def kernel_pca(X: np.ndarray, k: int, kernel: str = "rbf", gamma: float | None = None,
               degree: int = 3, coef0: float = 1.0) -> KernelPCAResult:
    """Kernel PCA of the rows of X; ``gamma`` defaults to 1/d (scikit-learn's default)."""
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= n = {n}, got {k}")
    gamma = 1.0 / d if gamma is None else gamma
    K = _kernel(X, X, kernel, gamma, degree, coef0)
    one = np.full((n, n), 1.0 / n)
    Kc = K - one @ K - K @ one + one @ K @ one
    Kc = 0.5 * (Kc + Kc.T)
    w, V = np.linalg.eigh(Kc)
    order = np.argsort(w)[::-1][:k]
    w, V = np.maximum(w[order], 0.0), V[:, order]
    V = sign_convention(V.T).T
    return KernelPCAResult(w, V, V * np.sqrt(w), Kc)
