"""Helpers that several problem types share (never imported from a sibling problem module):
the Gaussian convention and its reading step, checks that span two fields, and the draws of
random parameter values in the spec's raw form.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from adlkit.core.expr import evaluate, symbol
from adlkit.core.grid import scan_grid
from adlkit.core.numbers import fmt, fmt_matrix, fmt_vec, par
from adlkit.divergences.types import Discrete, MultivariateNormal, Normal, Uniform
from adlkit.solve.model import Step
from adlkit.solve.schema import OMIT
from adlkit.solve.spec import INVALID, Fields, Gaussian

GAUSSIAN_CONVENTION = "N(m, v) means mean m and VARIANCE v (the course's notation); std = sqrt(v)"


# -- Gaussians ------------------------------------------------------------------------------------
def read_step(name: str, g: Gaussian, sub: str) -> Step:
    """Step: read a Gaussian's parameters (variance, and the std it implies)."""
    if g.multivariate:
        return Step(f"{name}: mean and covariance",
                    formula=rf"\mu_{sub} = {fmt_vec(g.mean)},\quad \Sigma_{sub} = {fmt_matrix(g.cov)}")
    return Step(f"{name} = {gaussian_text(g)}: mean {fmt(g.mean)}, variance {fmt(g.var)}",
                formula=rf"\mu_{sub} = {fmt(g.mean)},\quad \sigma_{sub}^2 = {fmt(g.var)}"
                        rf",\quad \sigma_{sub} = \sqrt{{{fmt(g.var)}}}",
                value=fmt(math.sqrt(g.var)))


def gaussian_text(g: Gaussian) -> str:
    """``N(m, v)`` (v the variance) or ``N([..], [[..]])``, as a statement writes it."""
    if g.multivariate:
        return f"N({_plain_list(g.mean)}, {_plain_list(g.cov)})"
    return f"N({fmt(g.mean)}, {fmt(g.var)})"


def _plain_list(a: Any) -> str:
    a = np.asarray(a)
    if a.ndim == 0:
        return fmt(float(a))
    return "[" + ", ".join(_plain_list(x) for x in a) + "]"


def same_shape(f: Fields, first: str, second: str, a: Any, b: Any) -> bool:
    """Record an error on ``second`` unless the two Gaussians have the same dimension."""
    if a is INVALID or b is INVALID:
        return False
    if a.multivariate != b.multivariate or a.dim != b.dim:
        f.error(second, f"must have the same dimension as '{first}' ({a.dim}), got {b.dim}")
        return False
    return True


# -- discrete and uniform distributions (CONTRACT.md, "Distributions, extended") -------------------
DISTRIBUTION_CONVENTION = ("discrete {probs, support}: mass probs[i] at support[i] (support 0..k-1 by default); "
                           "uniform U(a, b): density 1/(b - a) on [a, b]")


def is_gaussian(d: Any) -> bool:
    return isinstance(d, (Normal, MultivariateNormal))


def distribution_text(d: Any) -> str:
    """A Gaussian as :func:`gaussian_text`; ``U(a, b)``; ``{x1: p1, x2: p2, ...}`` for a discrete one."""
    if isinstance(d, Uniform):
        return f"U({fmt(d.low)}, {fmt(d.high)})"
    if isinstance(d, Discrete):
        return "{" + ", ".join(f"P({fmt(float(x))}) = {fmt(float(q))}" for x, q in zip(d.support, d.probs)) + "}"
    return gaussian_text(d)


def distribution_read_step(name: str, d: Any, sub: str) -> Step:
    """Step: read a distribution (a Gaussian through :func:`read_step`)."""
    if isinstance(d, Uniform):
        return Step(f"{name} = U({fmt(d.low)}, {fmt(d.high)}): uniform on [{fmt(d.low)}, {fmt(d.high)}]",
                    formula=rf"p_{sub}(x) = \frac{{1}}{{{fmt(d.high)} - {par(d.low)}}} = {fmt(1 / d.width)}"
                            rf"\text{{ on }} [{fmt(d.low)}, {fmt(d.high)}],\ 0 \text{{ elsewhere}}")
    if isinstance(d, Discrete):
        return Step(f"{name}: discrete, mass at {len(d.support)} point(s)",
                    formula=",\\ ".join(rf"p_{sub}({fmt(float(x))}) = {fmt(float(q))}" for x, q in zip(d.support, d.probs)))
    return read_step(name, d, sub)


def draw_distribution(rng: np.random.Generator, drawn: dict[str, Any], like: str | None = None,
                      multivariate: float = 0.0, other: float = 0.3) -> Any:
    """A Gaussian (:func:`draw_gaussian`), or with probability ``other`` a discrete
    ``{probs, support}`` or a uniform ``"U(a, b)"`` / ``{uniform: [a, b]}``. With ``like``, a
    multivariate Gaussian follows a multivariate one."""
    prev = drawn.get(like) if like else None
    if (isinstance(prev, dict) and "cov" in prev) or rng.random() >= other:
        return draw_gaussian(rng, drawn, like=like, multivariate=multivariate)
    kind = int(rng.integers(3))
    if kind == 0:
        k = int(rng.integers(2, 5))
        w = rng.integers(1, 6, size=k).astype(float)
        probs = [round(float(x), 4) for x in w / w.sum()]
        probs[-1] = round(1.0 - sum(probs[:-1]), 4)
        if rng.random() < 0.5:
            return {"probs": probs}
        return {"probs": probs, "support": sorted(float(x) for x in rng.choice(np.arange(-3, 5), size=k, replace=False))}
    a, b = draw_interval(rng)
    return f"U({a:g}, {b:g})" if kind == 1 else {"uniform": [a, b]}


def pair_registered(f: Fields, registry: Any, first: str, second: str, a: Any, b: Any) -> bool:
    """Record an error naming both distributions unless ``registry`` computes the pair."""
    if a is INVALID or b is INVALID:
        return False
    if registry.lookup(type(a), type(b)) is None:
        f.error(second, f"{registry.name} of a {type(a).__name__} '{first}' and a {type(b).__name__} "
                        f"'{second}' has no closed form or exact 1-D integral here")
        return False
    return True


# -- expressions on a domain ----------------------------------------------------------------------
def check_defined(f: Fields, name: str, expr: Any, domain: tuple[float, float], *,
                  nonnegative: bool = False) -> bool:
    """Record an error unless ``expr`` is real (and finite where |x| <= 20, and >= 0 when
    asked) on a scan of the domain."""
    xs = scan_grid(*domain)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            v = np.broadcast_to(np.asarray(evaluate(expr, {symbol("x"): xs}, backend="numpy"),
                                           dtype=np.float64), xs.shape)
        except Exception as err:  # an expression numpy cannot evaluate
            f.error(name, f"cannot be evaluated numerically: {err}")
            return False
    bad = np.isnan(v)
    if np.any(bad):
        x0 = xs[int(np.argmax(bad))]
        f.error(name, f"is not defined (not real) at x = {x0:.6g} in the domain; restrict 'domain'")
        return False
    bad = np.isinf(v) & (np.abs(xs) <= 20)
    if np.any(bad):
        x0 = xs[int(np.argmax(bad))]
        f.error(name, f"is not finite at x = {x0:.6g} in the domain")
        return False
    if nonnegative and np.all(v == 0):
        f.error(name, "is zero everywhere on the domain: there is nothing to normalise")
        return False
    if nonnegative and np.any(v < 0):
        x0 = xs[int(np.argmax(v < 0))]
        f.error(name, f"must be a non-negative (unnormalised) density, but f({x0:.6g}) = {float(v[xs == x0][0]):.6g} < 0")
        return False
    return True


# -- draws: random values in the spec's raw form (plain Python numbers, lists and strings) --------
def draw_number(rng: np.random.Generator, lo: float, hi: float, decimals: int = 1) -> float:
    """A number in [lo, hi], rounded to ``decimals`` (a value a person would write)."""
    return round(float(rng.uniform(lo, hi)), decimals)


def draw_numbers(rng: np.random.Generator, n: int, lo: float, hi: float, decimals: int = 1) -> list[float]:
    return [draw_number(rng, lo, hi, decimals) for _ in range(n)]


def draw_normal(rng: np.random.Generator) -> Any:
    """A univariate Gaussian in one of the spec's spellings: ``"N(m, v)"``, ``{mean, var}`` or
    ``{mean, std}``."""
    mean = draw_number(rng, -3, 3)
    spread = draw_number(rng, 0.5, 3)
    form = int(rng.integers(3))
    if form == 0:
        return f"N({mean:g}, {spread:g})"
    return {"mean": mean, ("var" if form == 1 else "std"): spread}


def draw_mvn(rng: np.random.Generator, d: int = 2) -> dict[str, Any]:
    """A d-dimensional Gaussian ``{mean, cov}``, cov = A A^T + I with small integer A (SPD)."""
    A = rng.integers(-1, 2, size=(d, d))
    cov = A @ A.T + np.eye(d)
    return {"mean": draw_numbers(rng, d, -2, 2), "cov": [[float(c) for c in row] for row in cov]}


def draw_gaussian(rng: np.random.Generator, drawn: dict[str, Any], like: str | None = None,
                  multivariate: float = 0.0) -> Any:
    """A Gaussian: multivariate with probability ``multivariate``, or of the same dimension as
    the drawn field ``like``."""
    if like is not None and like in drawn:
        other = drawn[like]
        if isinstance(other, dict) and "cov" in other:
            return draw_mvn(rng, len(other["mean"]))
        return draw_normal(rng)
    return draw_mvn(rng) if rng.random() < multivariate else draw_normal(rng)


def draw_interval(rng: np.random.Generator) -> list[float]:
    """An interval ``[a, b]``, a < b, with ends a person would write."""
    a = draw_number(rng, -3, 1)
    return [a, round(a + draw_number(rng, 0.5, 4), 1)]


def maybe(rng: np.random.Generator, value: Any, p: float = 0.5) -> Any:
    """``value`` with probability ``p``, else :data:`OMIT` (the field's default is used)."""
    return value if rng.random() < p else OMIT
