r"""Wasserstein distance between two 1-D empirical distributions of equal size (the sheet's
definition): sort both samples and pair them in order,

.. math:: W_p(P, Q) = \left(\frac{1}{n}\sum_{i=1}^n |X_{(i)} - Y_{(i)}|^p\right)^{1/p}.

In one dimension the sorted pairing is the optimal coupling, so this is the exact W_p of the
empirical measures.
"""

from __future__ import annotations

import numpy as np

from adlkit.core.numbers import fmt
from adlkit.core.terms import Term, Terms
from adlkit.divergences.gaussian import _check_p
from adlkit.divergences.registry import register_wasserstein
from adlkit.divergences.types import Empirical


@register_wasserstein(Empirical, Empirical)
def wasserstein_empirical(a: Empirical, b: Empirical, p: int = 2) -> Terms:
    p = _check_p(p)
    if a.n != b.n:
        raise ValueError(f"samples must have equal length, got {a.n} and {b.n}")
    xs, ys = np.sort(a.samples), np.sort(b.samples)
    gaps = np.abs(xs - ys) ** p
    mean = float(np.mean(gaps))
    show = 8
    listed = " + ".join(f"|{fmt(x)} - {fmt(y)}|^{p}" for x, y in zip(xs[:show], ys[:show]))
    if a.n > show:
        listed += r" + \dots"
    return Terms(
        terms=[
            Term("sorted_a", float("nan"), r"X_{(1)} \le \dots \le X_{(n)}",
                 "[" + ", ".join(fmt(x) for x in xs[:show]) + (r", \dots" if a.n > show else "") + "]"),
            Term("sorted_b", float("nan"), r"Y_{(1)} \le \dots \le Y_{(n)}",
                 "[" + ", ".join(fmt(y) for y in ys[:show]) + (r", \dots" if b.n > show else "") + "]"),
            Term("mean_cost", mean, rf"\frac{{1}}{{n}}\sum_i |X_{{(i)}} - Y_{{(i)}}|^{p}",
                 rf"\frac{{1}}{{{a.n}}}\left({listed}\right)"),
        ],
        total=mean ** (1.0 / p),
        latex=rf"W_{p} = \left(\frac{{1}}{{n}}\sum_{{i=1}}^n |X_{{(i)}} - Y_{{(i)}}|^{p}\right)^{{1/{p}}}",
    )
