r"""Closed forms (and one quadrature) between Gaussians, written as named terms.

Registered implementations (all float64, natural logarithms, variances not standard
deviations):

- ``kl(Normal, Normal)``:
  :math:`\log\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2 + (\mu_1-\mu_2)^2}{2\sigma_2^2} - \frac12`
- ``kl(MultivariateNormal, MultivariateNormal)``:
  :math:`\frac12\left[\operatorname{tr}(\Sigma_2^{-1}\Sigma_1) + (\mu_2-\mu_1)^\top\Sigma_2^{-1}(\mu_2-\mu_1) - d + \log\frac{\det\Sigma_2}{\det\Sigma_1}\right]`
- ``jsd(Normal, Normal)``: :math:`\frac12 KL(P\|M) + \frac12 KL(Q\|M)`, :math:`M = (P+Q)/2`,
  by adaptive quadrature (a mixture has no closed-form entropy; vectorised adaptive Gauss-Legendre);
- ``wasserstein(Normal, Normal, p=2)``: :math:`\sqrt{(\mu_1-\mu_2)^2 + (\sigma_1-\sigma_2)^2}`;
  ``p=1``: the quantile integral :math:`\int_0^1 |F^{-1}(u) - G^{-1}(u)|\,du` by quadrature;
- ``wasserstein(MultivariateNormal, MultivariateNormal, p=2)``: the Bures form
  :math:`\|\mu_1-\mu_2\|^2 + \operatorname{tr}(\Sigma_1 + \Sigma_2 - 2(\Sigma_2^{1/2}\Sigma_1\Sigma_2^{1/2})^{1/2})`
  under a square root.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from adlkit.core.numbers import fmt, par
from adlkit.core.terms import Term, Terms
from adlkit.divergences.backend import get_backend
from adlkit.divergences.registry import register_jsd, register_kl, register_wasserstein
from adlkit.divergences.types import MultivariateNormal, Normal

LOG2 = math.log(2.0)


# --------------------------------------------------------------------------------------------
# KL divergence

class NormalKL(NamedTuple):
    r"""The named terms of :math:`\mathrm{KL}(\mathcal N(\mu_1, \sigma_1^2)\,\|\,\mathcal N(\mu_2, \sigma_2^2))`,
    elementwise (floats, arrays or tensors, the shape of the broadcast arguments)."""

    log_std_ratio: Any  # log(sigma_2 / sigma_1) = 1/2 log(sigma_2^2 / sigma_1^2)
    quadratic: Any  # (sigma_1^2 + (mu_1 - mu_2)^2) / (2 sigma_2^2)
    constant: float  # -1/2

    @property
    def total(self) -> Any:
        """The KL: the sum of the three terms (nats)."""
        return self.log_std_ratio + self.quadratic + self.constant


def kl_normal(mean1: Any, var1: Any, mean2: Any, var2: Any) -> NormalKL:
    r"""KL(N(mean1, var1) || N(mean2, var2)) as named terms, elementwise, in nats.

    The one implementation of this closed form (VARIANCES, not standard deviations): Python
    floats for the worked solutions, numpy arrays, or batched torch tensors (any dtype and
    device, differentiable) for the VAE's KL term; the operations come from the arguments'
    types (:func:`adlkit.divergences.backend.get_backend`).

    .. math:: \log\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2 + (\mu_1-\mu_2)^2}{2\sigma_2^2} - \frac12
    """
    nx = get_backend(mean1, var1, mean2, var2)
    return NormalKL(0.5 * nx.log(var2 / var1), (var1 + (mean1 - mean2) ** 2) / (2.0 * var2), -0.5)


@register_kl(Normal, Normal)
def kl_normal_normal(p: Normal, q: Normal) -> Terms:
    """KL(p || q) between univariate Gaussians, in nats (the terms of :func:`kl_normal`)."""
    t = kl_normal(p.mean, p.var, q.mean, q.var)
    return Terms(
        terms=[
            Term("log_std_ratio", t.log_std_ratio,
                 r"\log\frac{\sigma_2}{\sigma_1} = \frac{1}{2}\log\frac{\sigma_2^2}{\sigma_1^2}",
                 rf"\frac{{1}}{{2}}\log\frac{{{fmt(q.var)}}}{{{fmt(p.var)}}}"),
            Term("quadratic", t.quadratic, r"\frac{\sigma_1^2 + (\mu_1 - \mu_2)^2}{2\sigma_2^2}",
                 rf"\frac{{{fmt(p.var)} + ({fmt(p.mean)} - {par(q.mean)})^2}}{{2 \cdot {fmt(q.var)}}}"),
            Term("constant", t.constant, r"-\frac{1}{2}", r"-\frac{1}{2}"),
        ],
        total=t.total,
        latex=r"\mathrm{KL}(\mathcal{N}(\mu_1,\sigma_1^2)\,\|\,\mathcal{N}(\mu_2,\sigma_2^2)) = "
              r"\log\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2 + (\mu_1-\mu_2)^2}{2\sigma_2^2} - \frac{1}{2}",
    )


def kl_diag_normal_elementwise(mu_q: Any, logvar_q: Any, mu_p: Any, logvar_p: Any) -> Any:
    """Per-dimension KL(N(mu_q, exp(logvar_q)) || N(mu_p, exp(logvar_p))): :func:`kl_normal`
    on log-variances (the encoder's outputs), same shape as the broadcast inputs."""
    nx = get_backend(mu_q, logvar_q, mu_p, logvar_p)
    return kl_normal(mu_q, nx.exp(logvar_q), mu_p, nx.exp(logvar_p)).total


def kl_diag_normal(mu_q: Any, logvar_q: Any, mu_p: Any, logvar_p: Any) -> Any:
    """KL between diagonal Gaussians q || p, summed over the last dimension: (..., d) -> (...)
    (arrays or tensors). For a learned prior p (e.g. a conditional VAE); with mu_p = 0 and
    logvar_p = 0 it is :func:`kl_normal_std_normal`."""
    return kl_diag_normal_elementwise(mu_q, logvar_q, mu_p, logvar_p).sum(-1)


def kl_normal_std_normal_elementwise(mu: Any, logvar: Any) -> Any:
    """Per-dimension KL(N(mu, exp(logvar)) || N(0, 1)): :func:`kl_normal` with the standard
    normal second, same shape as the inputs."""
    return kl_normal(mu, get_backend(mu, logvar).exp(logvar), 0.0, 1.0).total


def kl_normal_std_normal(mu: Any, logvar: Any) -> Any:
    r"""KL(N(mu, diag(exp(logvar))) || N(0, I)) summed over the last dimension: (..., d) -> (...).

    The VAE's KL term, the course's :math:`-\frac12\sum_j(1 + \log\sigma_j^2 - \mu_j^2 - \sigma_j^2)`,
    computed as the sum of the terms of :func:`kl_normal` (arrays or tensors)."""
    return kl_normal_std_normal_elementwise(mu, logvar).sum(-1)


@register_kl(MultivariateNormal, MultivariateNormal)
def kl_mvn_mvn(p: MultivariateNormal, q: MultivariateNormal) -> Terms:
    """KL(p || q) between d-dimensional Gaussians, in nats (Cholesky solves, no inverses)."""
    if p.dim != q.dim:
        raise ValueError(f"dimensions differ: {p.dim} vs {q.dim}")
    d = p.dim
    Lq = q.scale_tril
    # tr(Sq^-1 Sp) = ||Lq^-1 Lp||_F^2 ; mahalanobis = ||Lq^-1 (mq - mp)||^2
    A = np.linalg.solve(Lq, p.scale_tril)
    trace = float(np.sum(A * A))
    diff = np.linalg.solve(Lq, q.mean - p.mean)
    maha = float(diff @ diff)
    logdet_q = 2.0 * float(np.sum(np.log(np.diag(Lq))))
    logdet_p = 2.0 * float(np.sum(np.log(np.diag(p.scale_tril))))
    t1, t2, t3, t4 = 0.5 * trace, 0.5 * maha, -0.5 * d, 0.5 * (logdet_q - logdet_p)
    return Terms(
        terms=[
            Term("trace", t1, r"\frac{1}{2}\operatorname{tr}(\Sigma_2^{-1}\Sigma_1)",
                 rf"\frac{{1}}{{2}} \cdot {fmt(trace)}"),
            Term("mahalanobis", t2, r"\frac{1}{2}(\mu_2-\mu_1)^\top\Sigma_2^{-1}(\mu_2-\mu_1)",
                 rf"\frac{{1}}{{2}} \cdot {fmt(maha)}"),
            Term("dimension", t3, r"-\frac{d}{2}", rf"-\frac{{{d}}}{{2}}"),
            Term("log_det_ratio", t4, r"\frac{1}{2}\log\frac{\det\Sigma_2}{\det\Sigma_1}",
                 rf"\frac{{1}}{{2}}({fmt(logdet_q)} - {par(logdet_p)})"),
        ],
        total=t1 + t2 + t3 + t4,
        latex=r"\mathrm{KL}(P\|Q) = \frac{1}{2}\left[\operatorname{tr}(\Sigma_2^{-1}\Sigma_1) + "
              r"(\mu_2-\mu_1)^\top\Sigma_2^{-1}(\mu_2-\mu_1) - d + \log\frac{\det\Sigma_2}{\det\Sigma_1}\right]",
    )


# --------------------------------------------------------------------------------------------
# Jensen-Shannon divergence (quadrature)

def _half_kl_to_mixture(p: Normal, q: Normal) -> float:
    """KL(p || M) with M = (p + q)/2, by adaptive quadrature of
    p(x) [log 2 + log p(x) - logaddexp(log p(x), log q(x))]."""
    from adlkit.core.quadrature import integrate

    def integrand(x: np.ndarray) -> np.ndarray:
        lp, lq = p.log_prob(x), q.log_prob(x)
        return np.exp(lp) * (LOG2 + lp - np.logaddexp(lp, lq))

    lo = min(p.mean - 40 * p.std, q.mean - 40 * q.std)
    hi = max(p.mean + 40 * p.std, q.mean + 40 * q.std)
    pts = [lo, p.mean - 8 * p.std, p.mean, p.mean + 8 * p.std, q.mean, hi]
    res = integrate(integrand, -math.inf, math.inf, pts)
    if not res.converged:
        raise ArithmeticError(f"JSD quadrature did not converge: {res.message}")
    return res.value


@register_jsd(Normal, Normal)
def jsd_normal_normal(p: Normal, q: Normal) -> Terms:
    """JSD(p || q) = 1/2 KL(p||M) + 1/2 KL(q||M), M = (p+q)/2, in nats (0 <= JSD <= log 2)."""
    kl_pm = _half_kl_to_mixture(p, q)
    kl_qm = _half_kl_to_mixture(q, p)
    return Terms(
        terms=[
            Term("half_kl_p_m", 0.5 * kl_pm,
                 r"\frac{1}{2}\mathrm{KL}(P\|M) = \frac{1}{2}\int p(x)\log\frac{2p(x)}{p(x)+q(x)}\,dx",
                 rf"\frac{{1}}{{2}} \cdot {fmt(kl_pm, 6)}"),
            Term("half_kl_q_m", 0.5 * kl_qm,
                 r"\frac{1}{2}\mathrm{KL}(Q\|M) = \frac{1}{2}\int q(x)\log\frac{2q(x)}{p(x)+q(x)}\,dx",
                 rf"\frac{{1}}{{2}} \cdot {fmt(kl_qm, 6)}"),
        ],
        total=0.5 * (kl_pm + kl_qm),
        latex=r"\mathrm{JSD}(P\|Q) = \frac{1}{2}\mathrm{KL}(P\|M) + \frac{1}{2}\mathrm{KL}(Q\|M),\quad M = \frac{P+Q}{2}",
    )


# --------------------------------------------------------------------------------------------
# Wasserstein distances

def _check_p(p: int) -> int:
    if p not in (1, 2):
        raise ValueError(f"p must be 1 or 2, got {p!r}")
    return int(p)


@register_wasserstein(Normal, Normal)
def wasserstein_normal_normal(a: Normal, b: Normal, p: int = 2) -> Terms:
    """W_p between univariate Gaussians: p = 2 closed form, p = 1 quantile integral."""
    p = _check_p(p)
    if p == 2:
        t_mean = (a.mean - b.mean) ** 2
        t_std = (a.std - b.std) ** 2
        return Terms(
            terms=[
                Term("mean", t_mean, r"(\mu_1 - \mu_2)^2", rf"({fmt(a.mean)} - {par(b.mean)})^2"),
                Term("std", t_std, r"(\sigma_1 - \sigma_2)^2",
                     rf"({fmt(a.std)} - {fmt(b.std)})^2"),
            ],
            total=math.sqrt(t_mean + t_std),
            latex=r"W_2 = \sqrt{(\mu_1-\mu_2)^2 + (\sigma_1-\sigma_2)^2}",
        )
    return _w1_normal_quantile(a, b)


def _w1_normal_quantile(a: Normal, b: Normal) -> Terms:
    r"""W1 = int_0^1 |F^{-1}(u) - G^{-1}(u)| du with F^{-1}(u) = mu + sigma Phi^{-1}(u).
    Substituting u = Phi(z): int |dm + ds z| phi(z) dz, integrated on both sides of the kink
    z0 = -dm/ds (where the quantile functions cross)."""
    from adlkit.core.quadrature import integrate

    dm, ds = a.mean - b.mean, a.std - b.std
    c = 1.0 / math.sqrt(2.0 * math.pi)

    def integrand(z: np.ndarray) -> np.ndarray:
        return np.abs(dm + ds * z) * c * np.exp(-0.5 * z * z)

    pts = [-40.0, 0.0, 40.0]
    z0 = None
    if ds != 0.0:
        z0 = -dm / ds
        pts.append(z0)
    res = integrate(integrand, -math.inf, math.inf, pts)
    if not res.converged:
        raise ArithmeticError(f"W1 quadrature did not converge: {res.message}")
    terms = [
        Term("quantile_difference", float("nan"),
             r"F^{-1}(u) - G^{-1}(u) = (\mu_1-\mu_2) + (\sigma_1-\sigma_2)\,\Phi^{-1}(u)",
             rf"{fmt(dm)} + {par(ds)}\,\Phi^{{-1}}(u)"),
    ]
    if z0 is not None:
        terms.append(Term("crossing", float(z0), r"z_0 = -\frac{\mu_1-\mu_2}{\sigma_1-\sigma_2}",
                          rf"-\frac{{{fmt(dm)}}}{{{par(ds)}}}"))
    terms.append(Term("integral", res.value,
                      r"\int_0^1 |F^{-1}(u)-G^{-1}(u)|\,du = \int_{-\infty}^{\infty} |(\mu_1-\mu_2) + (\sigma_1-\sigma_2) z|\,\varphi(z)\,dz",
                      rf"\int |{fmt(dm)} + {par(ds)} z|\,\varphi(z)\,dz"))
    return Terms(terms=terms, total=res.value,
                 latex=r"W_1 = \int_0^1 |F^{-1}(u) - G^{-1}(u)|\,du")


def sqrtm_psd(A: np.ndarray) -> np.ndarray:
    """Symmetric square root of a symmetric positive semi-definite matrix (eigh)."""
    A = 0.5 * (np.asarray(A, dtype=np.float64) + np.asarray(A, dtype=np.float64).T)
    w, V = np.linalg.eigh(A)
    return (V * np.sqrt(np.clip(w, 0.0, None))) @ V.T


@register_wasserstein(MultivariateNormal, MultivariateNormal)
def wasserstein_mvn_mvn(a: MultivariateNormal, b: MultivariateNormal, p: int = 2) -> Terms:
    """W2 between d-dimensional Gaussians (Bures); W1 has no closed form and is refused."""
    p = _check_p(p)
    if p != 2:
        raise NotImplementedError("W1 between multivariate Gaussians has no closed form; use p=2")
    if a.dim != b.dim:
        raise ValueError(f"dimensions differ: {a.dim} vs {b.dim}")
    diff = a.mean - b.mean
    t_mean = float(diff @ diff)
    s2 = sqrtm_psd(b.cov)
    cross = sqrtm_psd(s2 @ a.cov @ s2)
    t_bures = float(np.trace(a.cov) + np.trace(b.cov) - 2.0 * np.trace(cross))
    t_bures = max(t_bures, 0.0)  # rounding can leave -1e-16
    return Terms(
        terms=[
            Term("mean", t_mean, r"\|\mu_1 - \mu_2\|^2", fmt(t_mean)),
            Term("bures", t_bures,
                 r"\operatorname{tr}\left(\Sigma_1 + \Sigma_2 - 2(\Sigma_2^{1/2}\Sigma_1\Sigma_2^{1/2})^{1/2}\right)",
                 rf"{fmt(np.trace(a.cov))} + {fmt(np.trace(b.cov))} - 2 \cdot {fmt(np.trace(cross))}"),
        ],
        total=math.sqrt(t_mean + t_bures),
        latex=r"W_2 = \sqrt{\|\mu_1-\mu_2\|^2 + \operatorname{tr}\left(\Sigma_1 + \Sigma_2 - 2(\Sigma_2^{1/2}\Sigma_1\Sigma_2^{1/2})^{1/2}\right)}",
    )
