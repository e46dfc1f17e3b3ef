r"""Maximum-likelihood (and MAP) estimation of Bernoulli pixel models (question 1B).

Every pixel is an independent Bernoulli variable, :math:`P(x=1) = p`; :math:`\hat p = k/n`, or
with a Beta(alpha, beta) prior the posterior mode :math:`(k+\alpha-1)/(n+\alpha+\beta-2)`.

- :mod:`adlkit.mle.closed_form` (numpy only, imported here): :func:`fit_bernoulli`,
  :func:`bernoulli_log_likelihood`, :func:`beta_mode`, :func:`xlogy`: what a worked solution
  needs, without loading scikit-learn (and SciPy behind it);
- :class:`Bernoulli` (:mod:`adlkit.mle.estimator`, imported on first use): the same estimate as
  a scikit-learn estimator.
"""

from __future__ import annotations

import importlib
from typing import Any

from adlkit.mle.closed_form import BernoulliFit, bernoulli_log_likelihood, beta_mode, fit_bernoulli, xlogy

__all__ = ["Bernoulli", "BernoulliFit", "bernoulli_log_likelihood", "beta_mode", "fit_bernoulli", "xlogy"]


def __getattr__(name: str) -> Any:
    if name == "Bernoulli":
        return importlib.import_module("adlkit.mle.estimator").Bernoulli
    raise AttributeError(f"module 'adlkit.mle' has no attribute {name!r}")
