r"""The optimal discriminator of the original GAN game and the game's value at it
(Goodfellow et al., 2014, Proposition 1 and Theorem 1).

For a fixed generator, :math:`V(D) = \mathbb{E}_{p_{data}}[\log D] + \mathbb{E}_{p_g}[\log(1-D)]`
is maximised pointwise by

.. math:: D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)} = \sigma\big(\log p_{data}(x) - \log p_g(x)\big),

and :math:`V(D^*) = -\log 4 + 2\,\mathrm{JSD}(p_{data}\,\|\,p_g)` (natural logarithms).
For two univariate Gaussians the log-ratio is a quadratic :math:`a x^2 + b x + c`
(:func:`log_ratio_coefficients`), so :math:`D^*` is a sigmoid of a quadratic.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from adlkit.core.numbers import fmt, par
from adlkit.core.terms import Term, Terms
from adlkit.divergences import Normal, jsd_terms

LOG4 = math.log(4.0)


def optimal_discriminator(log_p_data: Any, log_p_g: Any) -> Any:
    """:math:`D^* = \\sigma(\\log p_{data} - \\log p_g)` from log-densities (numpy arrays or
    torch tensors; stable where both densities underflow)."""
    if hasattr(log_p_data, "sigmoid") or hasattr(log_p_g, "sigmoid"):
        import torch

        return torch.sigmoid(torch.as_tensor(log_p_data) - torch.as_tensor(log_p_g))
    z = np.asarray(log_p_data, dtype=np.float64) - np.asarray(log_p_g, dtype=np.float64)
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = sigmoid(z), no overflow


def optimal_discriminator_at(p_data: Any, p_g: Any, x: Any) -> np.ndarray:
    """D*(x) for two distributions with ``log_prob`` (e.g. :class:`adlkit.divergences.Normal`,
    :class:`adlkit.divergences.MultivariateNormal`)."""
    return optimal_discriminator(p_data.log_prob(x), p_g.log_prob(x))


def log_ratio_coefficients(p_data: Normal, p_g: Normal) -> Terms:
    r""":math:`\log p_{data}(x) - \log p_g(x) = a x^2 + b x + c` for univariate Gaussians:
    :math:`a = \frac{1}{2\sigma_g^2} - \frac{1}{2\sigma_d^2}`,
    :math:`b = \frac{\mu_d}{\sigma_d^2} - \frac{\mu_g}{\sigma_g^2}`,
    :math:`c = \frac{\mu_g^2}{2\sigma_g^2} - \frac{\mu_d^2}{2\sigma_d^2} + \frac12\log\frac{\sigma_g^2}{\sigma_d^2}`.
    ``total`` is unused (nan): the terms are the coefficients."""
    md, vd, mg, vg = p_data.mean, p_data.var, p_g.mean, p_g.var
    a = 1.0 / (2 * vg) - 1.0 / (2 * vd)
    b = md / vd - mg / vg
    c = mg**2 / (2 * vg) - md**2 / (2 * vd) + 0.5 * math.log(vg / vd)
    return Terms(
        terms=[
            Term("a", a, r"a = \frac{1}{2\sigma_g^2} - \frac{1}{2\sigma_d^2}",
                 rf"\frac{{1}}{{2 \cdot {fmt(vg)}}} - \frac{{1}}{{2 \cdot {fmt(vd)}}}"),
            Term("b", b, r"b = \frac{\mu_d}{\sigma_d^2} - \frac{\mu_g}{\sigma_g^2}",
                 rf"\frac{{{fmt(md)}}}{{{fmt(vd)}}} - \frac{{{fmt(mg)}}}{{{fmt(vg)}}}"),
            Term("c", c, r"c = \frac{\mu_g^2}{2\sigma_g^2} - \frac{\mu_d^2}{2\sigma_d^2} + \frac{1}{2}\log\frac{\sigma_g^2}{\sigma_d^2}",
                 rf"\frac{{{par(mg)}^2}}{{2 \cdot {fmt(vg)}}} - \frac{{{par(md)}^2}}{{2 \cdot {fmt(vd)}}} + \frac{{1}}{{2}}\log\frac{{{fmt(vg)}}}{{{fmt(vd)}}}"),
        ],
        total=float("nan"),
        latex=r"\log\frac{p_{data}(x)}{p_g(x)} = a x^2 + b x + c",
    )


def crossing_points(p_data: Normal, p_g: Normal) -> list[float]:
    """The x where D*(x) = 1/2 (the densities are equal): real roots of a x^2 + b x + c."""
    t = log_ratio_coefficients(p_data, p_g)
    a, b, c = t["a"].value, t["b"].value, t["c"].value
    if a == 0.0:
        return [] if b == 0.0 else [-c / b]
    disc = b * b - 4 * a * c
    if disc < 0:
        return []
    r = math.sqrt(disc)
    # stable quadratic roots
    q = -0.5 * (b + math.copysign(r, b)) if b != 0 else 0.5 * r
    roots = {q / a, c / q} if q != 0 else {r / (2 * a), -r / (2 * a)}
    return sorted(roots)


def value_at_optimum(p_data: Any, p_g: Any) -> Terms:
    """:math:`V(D^*, G) = -\\log 4 + 2\\,\\mathrm{JSD}(p_{data}\\|p_g)`, JSD from
    :mod:`adlkit.divergences` (nats)."""
    j = jsd_terms(p_data, p_g)
    return Terms(
        terms=[Term("minus_log4", -LOG4, r"-\log 4", r"-\log 4"),
               Term("two_jsd", 2.0 * j.total, r"2\,\mathrm{JSD}(p_{data}\|p_g)",
                    rf"2 \cdot {fmt(j.total, 6)}")],
        total=-LOG4 + 2.0 * j.total,
        latex=r"V(D^*, G) = -\log 4 + 2\,\mathrm{JSD}(p_{data}\|p_g)",
    )
