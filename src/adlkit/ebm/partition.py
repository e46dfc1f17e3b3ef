r"""Partition functions :math:`Z = \int \tilde p(x)\,dx` of unnormalised densities.

For a 1-D expression (:func:`partition_function`):

1. **Gaussian form** (recognised, not searched for): :math:`\tilde p = C e^{g(x)}` with g a
   quadratic with negative leading coefficient. Completing the square,
   :math:`g = -\frac{(x-\mu)^2}{2\sigma^2} + k`, so :math:`Z = C e^k \sigma\sqrt{2\pi}` on the
   real line (erf differences on an interval). A quadratic with positive leading coefficient on
   an unbounded domain is not normalisable: :math:`Z = \infty`.
2. Otherwise **SymPy** ``integrate`` (Gamma-function forms such as
   :math:`\int e^{-x^4}dx = \Gamma(1/4)/2`, :math:`\int e^{-|x|}dx = 2`, rational forms), under
   a timeout (:mod:`adlkit.core.symbolic`): SymPy can run for minutes.
3. **Adaptive quadrature** always (:mod:`adlkit.core.quadrature`, vectorised), and the two are
   compared. Where no closed form was found, Z is the quadrature value; when the quadrature
   reports divergence (or SymPy finds :math:`\infty`), :math:`Z = \infty`.

For energies of models on grids (the EBM's 1-D/2-D visualisations):
:func:`log_partition_grid_1d` and :func:`log_partition_grid_2d` (trapezoid rule in log space).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from adlkit.core.domain import parse_domain, sympy_bound
from adlkit.core.grid import scan_grid
from adlkit.core.symbolic import FAILED, TIMED_OUT, with_timeout

if TYPE_CHECKING:  # sympy is imported inside the functions: the grid helpers do not need it
    import sympy as sp


@dataclass
class GaussianForm:
    """:math:`C \\exp(a_2 x^2 + a_1 x + a_0) = C e^{k} \\exp(-(x-\\mu)^2 / (2\\sigma^2))`."""

    C: sp.Expr
    a2: sp.Expr
    a1: sp.Expr
    a0: sp.Expr
    mean: sp.Expr
    var: sp.Expr
    k: sp.Expr


@dataclass
class PartitionResult:
    Z: float  # math.inf when not normalisable
    Z_exact: Any = None  # SymPy expression when a closed form was found
    numeric: float = float("nan")  # adaptive quadrature value
    numeric_error: float = float("nan")
    converged: bool = True
    method: str = "quadrature"  # "gaussian", "sympy" or "quadrature"
    gaussian: GaussianForm | None = None
    domain: tuple[float, float] = (-math.inf, math.inf)
    notes: list[str] = field(default_factory=list)

    @property
    def normalizable(self) -> bool:
        return math.isfinite(self.Z) and self.Z > 0

    @property
    def agree(self) -> bool:
        """Do the closed form and the quadrature agree (relative 1e-7)?"""
        if self.Z_exact is None or not math.isfinite(self.Z):
            return True
        return abs(self.Z - self.numeric) <= 1e-7 * max(abs(self.Z), 1e-300)


def _x() -> sp.Symbol:
    from adlkit.core.expr import symbol

    return symbol("x")


def gaussian_form(f: sp.Expr, x: sp.Symbol | None = None) -> GaussianForm | None:
    """Recognise :math:`C\\,e^{g(x)}` with g a polynomial of degree 2 (any sign of the
    leading coefficient); None otherwise."""
    import sympy as sp

    x = x or _x()
    C, rest = f.as_independent(x, as_Add=False)
    rest = sp.powsimp(rest, combine="exp")
    if isinstance(rest, sp.Pow) and rest.base == sp.E:
        g = rest.exp
    elif isinstance(rest, sp.exp):
        g = rest.args[0]
    else:
        return None
    g = sp.expand(g)
    if not g.is_polynomial(x):
        return None
    poly = sp.Poly(g, x)
    if poly.degree() != 2:
        return None
    a2, a1, a0 = (poly.coeff_monomial(x**k) for k in (2, 1, 0))
    if not (C.is_number and a2.is_number and a1.is_number and a0.is_number):
        return None
    if a2 == 0:
        return None
    mean = sp.nsimplify(-a1 / (2 * a2))
    var = sp.nsimplify(-1 / (2 * a2))
    k = sp.nsimplify(a0 - a1**2 / (4 * a2))
    return GaussianForm(C, a2, a1, a0, mean, var, k)


def _gaussian_Z(gf: GaussianForm, a: sp.Expr, b: sp.Expr) -> sp.Expr:
    import sympy as sp

    if gf.a2 > 0:
        if a.is_infinite or b.is_infinite:
            return sp.oo
        # finite interval with a convex exponent: erfi form
        s = sp.sqrt(gf.a2)
        return sp.simplify(gf.C * sp.exp(gf.k) * sp.sqrt(sp.pi) / (2 * s)
                           * (sp.erfi(s * (b - gf.mean)) - sp.erfi(s * (a - gf.mean))))
    s = sp.sqrt(-gf.a2)  # = 1 / (sigma sqrt 2)
    full = gf.C * sp.exp(gf.k) * sp.sqrt(2 * sp.pi * gf.var)
    if a == -sp.oo and b == sp.oo:
        return full
    return sp.simplify(full / 2 * (sp.erf(s * (b - gf.mean)) - sp.erf(s * (a - gf.mean))))


def partition_function(f: Any, domain: Sequence[Any] | None = None, *,
                       timeout: float = 3.0) -> PartitionResult:
    """Z of the unnormalised density ``f`` (SymPy expression in ``x`` or expression string) on
    ``domain`` (default the real line). See the module docstring for the method."""
    import sympy as sp

    x = _x()
    if isinstance(f, str):
        from adlkit.core.expr import parse

        f = parse(f, ["x"])
    a, b = parse_domain(domain)
    sa, sb = sympy_bound(a), sympy_bound(b)
    res = PartitionResult(math.nan, domain=(a, b))

    # closed form
    gf = gaussian_form(f, x)
    exact = None
    if gf is not None:
        res.gaussian = gf
        exact = _gaussian_Z(gf, sa, sb)
        res.method = "gaussian"
    else:
        r = with_timeout(sp.integrate, f, (x, sa, sb), timeout=timeout)
        if r in (TIMED_OUT, FAILED):
            res.notes.append("SymPy found no closed form in time" if r is TIMED_OUT
                             else "SymPy could not integrate")
        elif r.has(sp.Integral) or r.has(sp.Piecewise) or r is sp.nan:
            res.notes.append("SymPy returned no closed form")
        else:
            exact = r
            res.method = "sympy"

    # quadrature (always)
    num = integrate_expression(f, a, b)
    res.numeric, res.numeric_error, res.converged = num.value, num.error, num.converged

    if exact is not None:
        ex = sp.simplify(exact) if exact.has(sp.Abs, sp.I) else exact
        val = with_timeout(lambda: complex(sp.N(ex, 30)), timeout=timeout)
        if ex == sp.oo or (val not in (TIMED_OUT, FAILED) and math.isinf(abs(val))):
            res.Z, res.Z_exact = math.inf, sp.oo
            return res
        if val in (TIMED_OUT, FAILED) or abs(val.imag) > 1e-12 * max(1.0, abs(val.real)):
            res.notes.append("the closed form could not be evaluated to a real number")
            exact = None
        else:
            res.Z, res.Z_exact = float(val.real), ex
            if num.converged and not res.agree:
                res.notes.append(f"closed form {res.Z:.12g} and quadrature {res.numeric:.12g} "
                                 "disagree; the quadrature is reported")
                res.Z, res.Z_exact, res.method = res.numeric, None, "quadrature"
            return res
    res.method = "quadrature"
    if not num.converged or not math.isfinite(num.value):
        res.Z = math.inf
        res.notes.append("the quadrature diverges" + (f" ({num.message})" if num.message else ""))
    else:
        res.Z = num.value
    return res


def integrate_expression(f: sp.Expr, a: float = -math.inf, b: float = math.inf):
    """Adaptive quadrature of a 1-D SymPy expression in ``x`` (float64, tree-walking
    evaluator). Returns :class:`adlkit.core.quadrature.QuadResult`."""
    from adlkit.core.expr import evaluate
    from adlkit.core.quadrature import QuadResult, integrate

    x = _x()

    def g(t: np.ndarray) -> np.ndarray:
        v = evaluate(f, {x: t}, backend="numpy")
        return np.broadcast_to(np.asarray(v, dtype=np.float64), np.shape(t))

    pts = [p for p in (-10.0, -1.0, 0.0, 1.0, 10.0) if a < p < b]
    # the peak of f on a dense scan is a breakpoint too (a narrow bump far from 0 is then found)
    xs = scan_grid(a, b)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = g(xs)
    if np.any(np.isfinite(v)):
        pts.append(float(xs[int(np.nanargmax(np.where(np.isfinite(v), np.abs(v), -np.inf)))]))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return integrate(g, a, b, pts)
        except (OverflowError, ZeroDivisionError, ValueError) as err:
            return QuadResult(math.inf, math.inf, False, str(err))


# --------------------------------------------------------------------------------------------
# Grids (for model energies)

def _trapezoid_log_weights(n: int, h: float) -> np.ndarray:
    w = np.full(n, h)
    w[0] = w[-1] = h / 2
    return np.log(w)


def log_partition_grid_1d(energy: Callable[[Any], Any], lo: float, hi: float,
                          n: int = 2001) -> float:
    """:math:`\\log \\int_{lo}^{hi} e^{-E(x)} dx` by the trapezoid rule in log space.
    ``energy`` maps an (n,) float64 array (or tensor: anything with ``.detach``) of points to
    (n,) energies."""
    xs = np.linspace(lo, hi, n)
    E = _call_energy(energy, xs[:, None] if _wants_2d(energy) else xs)
    logw = _trapezoid_log_weights(n, (hi - lo) / (n - 1))
    return float(_logsumexp(-E + logw))


def log_partition_grid_2d(energy: Callable[[Any], Any], xlim: tuple[float, float],
                          ylim: tuple[float, float], n: int = 301) -> float:
    """:math:`\\log \\iint e^{-E(x, y)}\\,dx\\,dy` on an n x n grid (trapezoid rule, log space).
    ``energy`` maps (n*n, 2) points to (n*n,) energies (numpy, or a torch model: tensors in
    and out are converted)."""
    gx, gy = np.linspace(*xlim, n), np.linspace(*ylim, n)
    X, Y = np.meshgrid(gx, gy, indexing="ij")
    pts = np.stack([X.ravel(), Y.ravel()], axis=1)
    E = _call_energy(energy, pts).reshape(n, n)
    lwx = _trapezoid_log_weights(n, (xlim[1] - xlim[0]) / (n - 1))
    lwy = _trapezoid_log_weights(n, (ylim[1] - ylim[0]) / (n - 1))
    return float(_logsumexp(-E + lwx[:, None] + lwy[None, :]))


def _wants_2d(energy: Any) -> bool:
    return hasattr(energy, "parameters")  # torch modules take (N, 1) inputs


def _call_energy(energy: Callable[[Any], Any], pts: np.ndarray) -> np.ndarray:
    if hasattr(energy, "parameters"):
        import torch

        p = next(iter(energy.parameters()), None)
        dtype = p.dtype if p is not None else torch.float64
        with torch.no_grad():
            out = energy(torch.as_tensor(pts, dtype=dtype))
        return out.detach().to(torch.float64).cpu().numpy().reshape(-1)
    out = energy(pts)
    if hasattr(out, "detach"):
        out = out.detach().cpu().numpy()
    return np.asarray(out, dtype=np.float64).reshape(-1)


def _logsumexp(v: np.ndarray) -> float:
    m = float(np.max(v))
    if not math.isfinite(m):
        return m
    return m + math.log(float(np.sum(np.exp(v - m))))


# --------------------------------------------------------------------------------------------
# Energies and discrete states

def density_from_energy(energy: Any, temperature: float = 1.0) -> sp.Expr:
    r"""The unnormalised Boltzmann density :math:`\tilde p(x) = e^{-E(x)/T}` of an energy (SymPy
    expression in ``x`` or expression string)."""
    import sympy as sp

    if not temperature > 0:
        raise ValueError(f"need temperature > 0, got {temperature}")
    if isinstance(energy, str):
        from adlkit.core.expr import parse

        energy = parse(energy, ["x"])
    return sp.exp(-energy / sp.nsimplify(temperature))


@dataclass
class DiscretePartition:
    Z: float
    log_Z: float
    probabilities: np.ndarray
    weights: np.ndarray  # e^{-E_i/T}


def discrete_partition(energies: Sequence[float], temperature: float = 1.0) -> DiscretePartition:
    r""":math:`Z = \sum_i e^{-E_i/T}` and :math:`p_i = e^{-E_i/T}/Z` over finitely many states
    (log-sum-exp, so large energies neither overflow nor underflow)."""
    if not temperature > 0:
        raise ValueError(f"need temperature > 0, got {temperature}")
    a = -np.asarray(energies, dtype=np.float64) / temperature
    log_z = _logsumexp(a)
    return DiscretePartition(math.exp(log_z), log_z, np.exp(a - log_z), np.exp(a))
