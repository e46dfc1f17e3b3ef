r"""Divergences and distances between distributions: KL, Jensen-Shannon, Wasserstein.

Dispatch is by the types of the two arguments through registries
(:mod:`adlkit.divergences.registry`), the way ``torch.distributions.kl`` works; every
implementation returns named :class:`adlkit.core.terms.Terms` (``kl_terms`` etc.) whose terms the
worked-solution engine shows as steps, and the plain functions return the float.

    >>> from adlkit.divergences import Normal, kl, jsd, wasserstein
    >>> round(kl(Normal(3, 2), Normal(4, 1)), 4)        # N(mean, VARIANCE)
    0.6534
    >>> round(wasserstein(Normal(3, 2), Normal(4, 1), p=2), 4)
    1.0824

Registered pairs:

==============  ==========================================  ==============================
divergence      (P, Q)                                      method
==============  ==========================================  ==============================
kl              (Normal, Normal), (MVN, MVN)                closed form
jsd             (Normal, Normal)                            adaptive quadrature
wasserstein     (Normal, Normal) p=2 / p=1                  closed form / quantile integral
wasserstein     (MVN, MVN) p=2                              closed form (Bures)
wasserstein     (Empirical, Empirical) p=1, 2               sorted samples
kl              Discrete/Uniform pairs, (Uniform, Normal)   closed form, term by term;
                discrete vs density, (Normal, Uniform)      +inf (no mass where p has mass)
jsd             Discrete/Uniform pairs; Uniform-Normal      exact sums / quadrature;
                discrete vs density                         log 2 (mutually singular)
wasserstein     any two of Discrete, Uniform, Normal        quantile integral (exact on
                (1-D; not Normal-Normal), p=1, 2            affine pieces, else quadrature)
==============  ==========================================  ==============================
(:mod:`adlkit.divergences.extended` for the discrete and uniform ones.)

Each closed form is written once (:func:`kl_normal` for the Gaussian KL) and runs on Python
floats, numpy arrays and batched torch tensors alike (:mod:`adlkit.divergences.backend`): the
registered ``kl(Normal, Normal)`` builds its terms from it, and so does the VAE's KL term,
:func:`kl_normal_std_normal` (summed over the last dimension; :func:`kl_diag_normal` for a
learned prior). Units: nats (natural logarithm) throughout.
"""

from __future__ import annotations

from typing import Any

from adlkit.core.terms import Terms
from adlkit.divergences import empirical as _empirical  # noqa: F401  (registers)
from adlkit.divergences import extended as _extended  # noqa: F401  (registers)
from adlkit.divergences import gaussian as _gaussian  # noqa: F401  (registers)
from adlkit.divergences.gaussian import (
    NormalKL,
    kl_diag_normal,
    kl_diag_normal_elementwise,
    kl_normal,
    kl_normal_std_normal,
    kl_normal_std_normal_elementwise,
)
from adlkit.divergences.registry import JSD, KL, WASSERSTEIN, DivergenceRegistry, register_jsd, register_kl, register_wasserstein
from adlkit.divergences.types import Discrete, Empirical, MultivariateNormal, Normal, Uniform

__all__ = [
    "Normal", "MultivariateNormal", "Empirical", "Discrete", "Uniform",
    "kl", "jsd", "wasserstein", "kl_terms", "jsd_terms", "wasserstein_terms",
    "register_kl", "register_jsd", "register_wasserstein", "DivergenceRegistry",
    "KL", "JSD", "WASSERSTEIN",
    "kl_normal", "NormalKL", "kl_normal_std_normal", "kl_normal_std_normal_elementwise",
    "kl_diag_normal", "kl_diag_normal_elementwise",
]


def kl_terms(p: Any, q: Any) -> Terms:
    """KL(p || q) as named terms (nats)."""
    return KL(p, q)


def jsd_terms(p: Any, q: Any) -> Terms:
    """JSD(p || q) as named terms (nats)."""
    return JSD(p, q)


def wasserstein_terms(a: Any, b: Any, p: int = 2) -> Terms:
    """W_p(a, b) as named terms."""
    return WASSERSTEIN(a, b, p=p)


def kl(p: Any, q: Any) -> float:
    """KL(p || q) in nats."""
    return float(KL(p, q).total)


def jsd(p: Any, q: Any) -> float:
    """Jensen-Shannon divergence in nats (between 0 and log 2)."""
    return float(JSD(p, q).total)


def wasserstein(a: Any, b: Any, p: int = 2) -> float:
    """The p-Wasserstein distance W_p(a, b), p in {1, 2}."""
    return float(WASSERSTEIN(a, b, p=p).total)
