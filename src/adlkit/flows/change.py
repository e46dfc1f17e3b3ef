r"""The change of variables for two simple bijections, in the flows' ``(outputs, log|det|)`` form.

For x = f(z) with f a bijection and z ~ p_Z,

.. math::

    \log p_X(x) = \log p_Z(f^{-1}(x)) - \log\left|\det \frac{\partial f}{\partial z}\right|_{z = f^{-1}(x)}.

- :class:`MonotoneMap`: a 1-D strictly monotone f given as an expression in ``z``
  (:mod:`adlkit.core.expr`). Its inverse is SymPy's solution of x = f(z) when one is found within
  the time-out (:func:`adlkit.core.symbolic.with_timeout`) and checks out numerically, else a
  bracketing root-finder (Brent's method); the log-det log|f'(z)| is taken by torch autograd
  through the expression (float64), like the Jacobians of the coupling and planar layers.
- :class:`LinearMap`: x = A z + b, log|det A| from ``slogdet``; a singular A has no inverse and
  no density (``invertible`` False).

Both follow the layers' convention: ``forward(z) -> (x, log|det dx/dz|)`` and
``inverse(x) -> (z, log|det dz/dx|)`` (= minus the forward log-det at that z).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import sympy as sp

from adlkit.core.expr import evaluate, symbol
from adlkit.core.grid import scan_grid
from adlkit.core.symbolic import FAILED, TIMED_OUT, with_timeout

Z = symbol("z")
X = sp.Symbol("x", real=True)


class NotMonotoneError(ValueError):
    """f is not strictly monotone on the real line (so not a bijection onto its range)."""


def _values(expr: sp.Expr, z: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.broadcast_to(np.asarray(evaluate(expr, {Z: z}, backend="numpy"), dtype=np.float64), z.shape)


@dataclass
class MonotoneMap:
    """x = f(z) for a strictly monotone expression ``f`` in z on the real line.

    ``derivative`` is SymPy's f'(z); ``inverse_expr`` SymPy's f^{-1}(x) (in the symbol ``x``)
    or None when none was found (the inverse is then found numerically). Raises
    :class:`NotMonotoneError` when a scan of f' on the real line changes sign or f is not real.
    """

    f: sp.Expr
    timeout: float = 2.0

    def __post_init__(self) -> None:
        self.derivative = sp.diff(self.f, Z)
        grid = scan_grid(-math.inf, math.inf)
        grid = grid[np.abs(grid) <= 1e3]
        near = np.abs(grid) <= 20
        if not np.all(np.isfinite(_values(self.f, grid[near]))):
            raise NotMonotoneError("is not finite (or not real) everywhere on the real line")
        d = _values(self.derivative, grid)
        d = np.where(np.isnan(d) & ~near, 0.0, d)
        if np.any(np.isnan(d)):
            raise NotMonotoneError("has no derivative (not real) somewhere on the real line")
        if np.all(d >= 0) and np.any(d > 0):
            self.increasing = True
        elif np.all(d <= 0) and np.any(d < 0):
            self.increasing = False
        else:
            sgn = np.sign(d)
            nz = np.flatnonzero(sgn)
            turn = nz[np.flatnonzero(sgn[nz][:-1] * sgn[nz][1:] < 0)]
            bad = grid[turn[0]] if turn.size else grid[0]
            raise NotMonotoneError(f"is not strictly monotone on the real line (f' changes sign near z = {bad:.4g})")
        inner = np.abs(grid) <= 10  # beyond, saturating maps (tanh) have f' = 0 in float64
        flat = inner[:-1] & (d[:-1] == 0) & (d[1:] == 0)
        if np.any(flat):
            raise NotMonotoneError(f"is constant on an interval near z = {grid[int(np.argmax(flat))]:.4g} (not one-to-one)")
        self.inverse_expr = self._symbolic_inverse()

    def _symbolic_inverse(self) -> sp.Expr | None:
        found = with_timeout(sp.solve, sp.Eq(X, self.f), Z, timeout=self.timeout)
        if found in (TIMED_OUT, FAILED) or not isinstance(found, list):
            return None
        # keep the branch that inverts f at a few test points of its range
        zs = np.array([-2.0, -0.5, 0.3, 1.7])
        xs = _values(self.f, zs)
        for cand in found:
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    back = [complex(sp.N(cand.subs(X, float(x)))) for x in xs]
            except (TypeError, ValueError):
                continue
            if all(abs(b.imag) < 1e-9 and abs(b.real - z) < 1e-7 * (1 + abs(z)) for b, z in zip(back, zs)):
                return cand
        return None

    def forward(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """x = f(z) and log|f'(z)| (torch autograd through the expression, float64)."""
        import torch

        zt = torch.tensor(np.asarray(z, dtype=np.float64).reshape(-1), requires_grad=True)
        x = torch.as_tensor(evaluate(self.f, {Z: zt}, backend="torch"), dtype=torch.float64).expand(zt.shape)
        (dx,) = torch.autograd.grad(x.sum(), zt)
        return x.detach().numpy(), np.log(np.abs(dx.numpy()))

    def range(self) -> tuple[float, float]:
        """(inf f, sup f) over the real line: SymPy's limits at -oo and oo (under the time-out),
        else the extreme values of a scan out to |z| = 1e3."""
        ends = []
        for end in (-sp.oo, sp.oo):
            lim = with_timeout(sp.limit, self.f, Z, end, timeout=self.timeout)
            try:
                v = float(lim) if lim not in (TIMED_OUT, FAILED) else math.nan
            except (TypeError, ValueError):
                v = math.nan
            ends.append(v)
        if any(math.isnan(v) for v in ends):
            grid = scan_grid(-math.inf, math.inf)
            fv = _values(self.f, grid[np.abs(grid) <= 1e3])
            fv = fv[~np.isnan(fv)]
            ends = [float(fv[0]), float(fv[-1])]
        return (min(ends), max(ends))

    def inverse_value(self, x: float) -> float:
        """f^{-1}(x): SymPy's inverse when found, else Brent's method on f(z) - x; raises
        ValueError when x is outside the range of f."""
        from scipy.optimize import brentq

        if self.inverse_expr is not None:
            v = complex(sp.N(self.inverse_expr.subs(X, x), 30))
            if abs(v.imag) < 1e-12 and math.isfinite(v.real):
                back = float(_values(self.f, np.array([v.real]))[0])
                if abs(back - x) <= 1e-9 * (1 + abs(x)):  # the branch holds at this x too
                    return v.real
        g = lambda t: float(_values(self.f, np.array([t]))[0]) - x
        lo, hi = -1.0, 1.0
        for _ in range(60):
            glo, ghi = g(lo), g(hi)
            if math.isfinite(glo) and math.isfinite(ghi) and glo * ghi <= 0:
                return float(brentq(g, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500))
            lo, hi = lo * 2, hi * 2
            if hi > 1e3:
                break
        raise ValueError(f"x = {x:g} is outside the range of f")

    def inverse(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        z = np.array([self.inverse_value(float(v)) for v in np.asarray(x, dtype=np.float64).reshape(-1)])
        _, ld = self.forward(z)
        return z, -ld


@dataclass
class LinearMap:
    """x = A z + b on R^d."""

    A: np.ndarray
    b: np.ndarray

    def __post_init__(self) -> None:
        self.A = np.asarray(self.A, dtype=np.float64)
        self.b = np.asarray(self.b, dtype=np.float64)
        sign, logabs = np.linalg.slogdet(self.A)
        self.det = float(sign * math.exp(logabs)) if sign != 0 else 0.0
        self.log_abs_det = float(logabs)  # -inf when singular
        self.invertible = bool(sign != 0 and np.linalg.cond(self.A) < 1e14)

    def forward(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        z = np.atleast_2d(z)
        return z @ self.A.T + self.b, np.full(z.shape[0], self.log_abs_det)

    def inverse(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not self.invertible:
            raise ValueError("A is singular: x = A z + b has no inverse (and x no density)")
        x = np.atleast_2d(x)
        return np.linalg.solve(self.A, (x - self.b).T).T, np.full(x.shape[0], -self.log_abs_det)


def log_density(log_pz: np.ndarray, log_det_forward: np.ndarray) -> np.ndarray:
    """log p_X(x) = log p_Z(z) - log|det dx/dz|."""
    return np.asarray(log_pz) - np.asarray(log_det_forward)
