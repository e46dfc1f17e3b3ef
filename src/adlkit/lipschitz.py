r"""Lipschitz constants: of a 1-D expression on an interval or the real line, and bounds for a
torch network.

A differentiable f is K-Lipschitz on an interval I iff :math:`\sup_{x\in I}|f'(x)| \le K`, so the
smallest constant is :math:`L = \sup_I |f'|`. :func:`lipschitz_constant` finds it the way a
solution sheet does:

1. differentiate (SymPy);
2. candidates for the sup of :math:`|f'|`: the critical points of :math:`f'` (zeros of
   :math:`f''`, SymPy ``solveset``) inside I, the finite endpoints, and the limits of
   :math:`|f'|` at infinite ends (the sup need not be attained: softplus, tanh at the ends);
3. :math:`L` = the largest candidate; an infinite limit means f is not Lipschitz (:math:`L=\infty`).

Every SymPy call is guarded by a timeout (:mod:`adlkit.core.symbolic`). A dense numeric scan of
:math:`|f'|` (tree-walking evaluator, float64) with golden-section refinement always runs too:
it checks the symbolic answer and replaces it when the critical points form an infinite family
(sin, cos) or SymPy gives up. WGAN needs a 1-Lipschitz critic: ``wgan_ok`` is :math:`L \le 1`.

For networks: :func:`spectral_norm_bound` (product of layer spectral norms times activation
constants, an upper bound) and :func:`gradient_norm_lower_bound` (largest per-sample input
gradient norm, a lower bound).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from adlkit.core.domain import parse_domain, sympy_bound
from adlkit.core.grid import scan_grid
from adlkit.core.symbolic import FAILED, TIMED_OUT, with_timeout

if TYPE_CHECKING:  # sympy is imported inside the functions: the network bounds do not need it
    import sympy as sp

WGAN_TOL = 1e-12


@dataclass
class Candidate:
    """A candidate for sup |f'|: where (LaTeX), its kind, the value, the exact SymPy value."""

    kind: str  # "critical", "endpoint", "limit", "limsup", "numeric", "constant"
    where: str
    value: float
    exact: Any = None


@dataclass
class LipschitzResult:
    constant: float  # math.inf when not Lipschitz
    derivative: sp.Expr
    second_derivative: sp.Expr | None
    domain: tuple[float, float]
    candidates: list[Candidate] = field(default_factory=list)
    critical_points: Any = None  # SymPy set of zeros of f'' in the domain (None: unknown)
    exact: Any = None  # SymPy value of the constant when found symbolically
    attained: bool = True  # False when the sup is a limit (not reached)
    method: str = "symbolic"  # "symbolic" or "numeric"
    numeric_max: float = float("nan")  # the numeric scan's sup, for the cross-check
    notes: list[str] = field(default_factory=list)

    @property
    def is_lipschitz(self) -> bool:
        return math.isfinite(self.constant)

    @property
    def wgan_ok(self) -> bool:
        return self.constant <= 1.0 + WGAN_TOL


def _x() -> sp.Symbol:
    from adlkit.core.expr import symbol

    return symbol("x")


def _as_float(v: Any) -> float:
    import sympy as sp
    if v is sp.oo or v == sp.oo:
        return math.inf
    if v is sp.zoo or v is sp.nan or v == -sp.oo:
        return math.inf  # |f'| blows up in either direction / oscillates unboundedly
    try:
        return float(v)
    except (TypeError, ValueError):
        c = complex(sp.N(v))
        return abs(c.real) if abs(c.imag) < 1e-12 else math.nan


def _numeric_abs_derivative(df: sp.Expr, x: sp.Symbol):
    from adlkit.core.expr import evaluate

    def g(xs: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v = evaluate(df, {x: xs}, backend="numpy")
            v = np.abs(np.broadcast_to(np.asarray(v, dtype=np.float64), np.shape(xs)))
        return v

    return g


def _golden_max(g, lo: float, hi: float, iters: int = 120) -> tuple[float, float]:
    phi = (math.sqrt(5) - 1) / 2
    c, d = hi - phi * (hi - lo), lo + phi * (hi - lo)
    gc, gd = float(g(np.array([c]))[0]), float(g(np.array([d]))[0])
    for _ in range(iters):
        if gc >= gd:
            hi, d, gd = d, c, gc
            c = hi - phi * (hi - lo)
            gc = float(g(np.array([c]))[0])
        else:
            lo, c, gc = c, d, gd
            d = lo + phi * (hi - lo)
            gd = float(g(np.array([d]))[0])
    return (c, gc) if gc >= gd else (d, gd)


def numeric_sup(df: sp.Expr, a: float, b: float) -> tuple[float, float]:
    """(sup, argmax) of |df| over [a, b] by a dense scan refined by golden section around the
    best few grid points. Infinite values (overflow) give (inf, x)."""
    x = _x()
    g = _numeric_abs_derivative(df, x)
    xs = scan_grid(a, b)
    vals = g(xs)
    finite = np.isfinite(vals)
    if np.any(np.isposinf(vals)):
        i = int(np.argmax(np.isposinf(vals)))
        return math.inf, float(xs[i])
    if not np.any(finite):
        return math.nan, math.nan
    vals = np.where(finite, vals, -np.inf)
    best_x, best = float(xs[int(np.argmax(vals))]), float(np.max(vals))
    for i in np.argsort(vals)[-5:]:
        lo, hi = xs[max(i - 1, 0)], xs[min(i + 1, len(xs) - 1)]
        if hi > lo:
            xm, vm = _golden_max(g, float(lo), float(hi))
            if vm > best:
                best, best_x = vm, xm
    return best, best_x


def _near_max(df: sp.Expr, a: float, b: float) -> float:
    g = _numeric_abs_derivative(df, _x())
    xs = np.linspace(max(a, -100.0), min(b, 100.0), 20001)
    v = g(xs)
    return float(np.max(np.where(np.isfinite(v), v, -np.inf)))


def _tail_grows(df: sp.Expr, a: float, b: float) -> tuple[bool, float, float]:
    """Heuristic for an infinite end whose limit SymPy could not find: |f'| sampled on
    windows far out (|x| in [1e6, 1e8]) exceeds 1e6 and 1000 times its max on |x| <= 100."""
    g = _numeric_abs_derivative(df, _x())
    far = np.concatenate([np.linspace(10.0**k, 1.01 * 10.0**k, 4001) for k in (6, 7, 8)])
    pts = np.concatenate([far if b == math.inf else np.array([]), -far if a == -math.inf else np.array([])])
    v = g(pts)
    v = np.where(np.isfinite(v), v, -np.inf)
    if v.size == 0:
        return False, math.nan, math.nan
    i = int(np.argmax(v))
    big = float(v[i])
    return bool(big > 1e6 and big > 1e3 * max(_near_max(df, a, b), 1e-300)), float(pts[i]), big


def _best(cands: list[Candidate]) -> Candidate:
    """The largest candidate; on a tie an attained one (critical point, endpoint) wins over
    a limit."""
    vals = [c.value for c in cands if not math.isnan(c.value)]
    top = max(vals)
    tied = [c for c in cands if not math.isnan(c.value) and c.value >= top - 1e-12 * max(1.0, abs(top))]
    for c in tied:
        if c.kind not in ("limit", "limsup"):
            return c
    return tied[0]


def lipschitz_constant(f: Any, domain: Sequence[Any] | None = None, *,
                       timeout: float = 2.0) -> LipschitzResult:
    """The smallest Lipschitz constant of ``f`` (SymPy expression in ``x``, or an expression
    string of the safe grammar) on ``domain`` = (a, b) (default the real line; +-inf or "oo"
    allowed). Returns a :class:`LipschitzResult` (``constant`` is ``math.inf`` when f is not
    Lipschitz there)."""
    import sympy as sp

    x = _x()
    if isinstance(f, str):
        from adlkit.core.expr import parse

        f = parse(f, ["x"])
    a, b = parse_domain(domain)
    df = sp.diff(f, x)
    d2 = with_timeout(sp.diff, df, x, timeout=timeout)
    d2 = None if d2 in (TIMED_OUT, FAILED) else d2
    ga, gb = sympy_bound(a), sympy_bound(b)
    interval = sp.Interval(ga, gb)
    absdf = sp.Abs(df)
    res = LipschitzResult(math.nan, df, d2, (a, b))
    complete = True

    # critical points of f' inside the domain
    crit = None
    if d2 is not None and d2 == 0:
        res.candidates.append(Candidate("constant", r"\text{every } x", _as_float(sp.Abs(df)), sp.Abs(df)))
        d2_constant = True
    else:
        d2_constant = False
    if d2_constant:
        crit = sp.S.EmptySet
    elif d2 is not None and not d2.has(sp.DiracDelta, sp.Heaviside, sp.Max, sp.Min):
        crit = with_timeout(sp.solveset, d2, x, interval, timeout=timeout)
        if crit in (TIMED_OUT, FAILED):
            crit = None
    if crit is sp.S.EmptySet or isinstance(crit, sp.FiniteSet):
        res.critical_points = crit
        for c in crit:
            v = with_timeout(lambda c=c: sp.simplify(absdf.subs(x, c)), timeout=timeout)
            if v in (TIMED_OUT, FAILED):
                complete = False
                continue
            res.candidates.append(Candidate("critical", rf"x = {sp.latex(c)}", _as_float(v), v))
    else:
        complete = False
        if crit is not None:
            res.critical_points = crit
            res.notes.append("the critical points of f' form an infinite or implicit set; "
                             "the supremum over them is located numerically")
        else:
            res.notes.append("the critical points of f' were not found symbolically; "
                             "located numerically")

    # endpoints (finite: one-sided limits, to allow sqrt(x) at 0) and limits at infinite ends.
    # The limit is taken of f' (faster and more often found by SymPy than of |f'|); where it
    # exists, lim |f'| = |lim f'|; an AccumBounds result gives the range of limit points.
    for end, side in ((ga, "+"), (gb, "-")):
        if end.is_finite:
            v = with_timeout(sp.limit, df, x, end, side, timeout=timeout)
            kind, where = "endpoint", rf"x = {sp.latex(end)}"
        else:
            v = with_timeout(sp.limit, df, x, end, timeout=timeout)
            kind, where = "limit", rf"x \to {sp.latex(end)}"
        if v in (TIMED_OUT, FAILED) or isinstance(v, sp.Limit):
            complete = False
            res.notes.append(f"the {kind} value at {sp.latex(end)} was not found symbolically")
            continue
        if isinstance(v, sp.AccumBounds):  # no limit: f' oscillates; sup of its limit points
            top = sp.Max(sp.Abs(v.min), sp.Abs(v.max))
            res.candidates.append(Candidate("limsup", where, _as_float(top), top))
            continue
        if v.has(sp.AccumBounds):
            if v.has(sp.oo) or v.has(-sp.oo):  # e.g. oo*sign(AccumBounds(-1, 1)): limsup |f'| = oo
                res.candidates.append(Candidate(kind, where, math.inf, sp.oo))
            else:
                complete = False
                res.notes.append(f"the {kind} value at {sp.latex(end)} was not found symbolically")
            continue
        av = sp.Abs(v)
        res.candidates.append(Candidate(kind, where, _as_float(av), av))

    num_sup, num_arg = numeric_sup(df, a, b)
    res.numeric_max = num_sup
    unresolved_tail = any(f"at {sp.latex(e)} was not found" in n for e in (ga, gb) if e.is_infinite
                          for n in res.notes)
    if unresolved_tail and math.isfinite(num_sup):
        grows, where, big = _tail_grows(df, a, b)
        if grows:
            res.notes.append(f"|f'| grows without bound numerically (|f'| = {big:.3g} near "
                             f"x = {where:.3g}, against at most {_near_max(df, a, b):.3g} for |x| <= 100)")
            res.constant, res.exact, res.attained, res.method = math.inf, sp.oo, False, "numeric"
            return res
    sym_vals = [c.value for c in res.candidates if not math.isnan(c.value)]
    sym_max = max(sym_vals) if sym_vals else -math.inf
    if sym_max == math.inf:
        res.constant, res.exact, res.attained = math.inf, sp.oo, False
        res.method = "symbolic"
        return res
    if complete and math.isfinite(sym_max) and (
            math.isnan(num_sup) or num_sup <= sym_max * (1 + 1e-9) + 1e-12):
        best = _best(res.candidates)
        res.constant, res.exact = sym_max, best.exact
        res.attained = best.kind not in ("limit", "limsup")
        res.method = "symbolic"
        return res
    # numeric (possibly combined with the symbolic candidates found)
    res.method = "numeric"
    if complete and num_sup > sym_max * (1 + 1e-9) + 1e-12:
        res.notes.append("the numeric scan found a larger |f'| than the symbolic candidates")
    if math.isinf(num_sup):
        res.constant, res.exact, res.attained = math.inf, sp.oo, False
        res.candidates.append(Candidate("numeric", rf"x \approx {num_arg:.6g}", math.inf))
        return res
    res.candidates.append(Candidate("numeric", rf"x \approx {num_arg:.6g}", num_sup))
    best = _best(res.candidates)
    res.constant = best.value
    res.attained = best.kind not in ("limit", "limsup")
    res.exact = best.exact
    if res.exact is None:
        near = sp.nsimplify(res.constant, [sp.pi, sp.E], tolerance=1e-10, rational=False)
        if abs(float(near) - res.constant) <= 1e-10 * max(1.0, abs(res.constant)):
            res.exact = near
    return res


# --------------------------------------------------------------------------------------------
# Networks

ACTIVATION_CONSTANTS = {
    "ReLU": 1.0, "Tanh": 1.0, "Sigmoid": 0.25, "Softplus": 1.0, "Identity": 1.0,
    "Flatten": 1.0, "Unflatten": 1.0, "Dropout": 1.0, "SiLU": 1.0998, "GELU": 1.1290,
    "Hardtanh": 1.0, "ReLU6": 1.0, "Softsign": 1.0, "Mish": 1.0900,
}


def _activation_constant(m: Any) -> float | None:
    name = type(m).__name__
    if name == "LeakyReLU":
        return max(1.0, abs(float(m.negative_slope)))
    if name == "ELU":
        return max(1.0, float(m.alpha))
    if name == "Softplus":
        return 1.0  # any beta: derivative sigmoid(beta x) <= 1
    return ACTIVATION_CONSTANTS.get(name)


def _chain(net: Any) -> list[Any]:
    import torch.nn as nn

    if isinstance(net, nn.Sequential):
        out: list[Any] = []
        for m in net:
            out.extend(_chain(m))
        return out
    return [net]


def conv_spectral_norm(conv: Any, input_shape: tuple[int, ...], iters: int = 200,
                       seed: int = 0) -> float:
    """Spectral norm of the linear map x -> conv(x) without bias (Conv1d/Conv2d), on inputs of
    shape ``input_shape`` = (C, L) or (C, H, W), by power iteration on A^T A (the transpose is
    the autograd vector-Jacobian product). float64."""
    import torch

    g = torch.Generator().manual_seed(seed)
    w = conv.weight.detach().to(torch.float64)
    x = torch.randn((1, *input_shape), generator=g, dtype=torch.float64)

    def A(v):
        return conv._conv_forward(v, w, None)

    sigma = 0.0
    for _ in range(iters):
        x = x / x.norm()
        x.requires_grad_(True)
        y = A(x)
        (xt,) = torch.autograd.grad(y, x, grad_outputs=y)  # A^T A x
        new = float(xt.norm()) ** 0.5  # ||A^T A x|| -> sigma^2 for the top singular vector
        x = xt.detach()
        if abs(new - sigma) <= 1e-12 * max(new, 1.0):
            sigma = new
            break
        sigma = new
    return sigma


def spectral_norm_bound(net: Any, input_shape: tuple[int, ...] | None = None) -> float:
    r"""Upper bound on the Lipschitz constant (Euclidean norms) of a chain of layers
    (``nn.Sequential``, possibly nested, of ``nn.Linear``, ``nn.Conv1d``/``nn.Conv2d`` and
    1-Lipschitz-bounded activations): :math:`\prod_l \|W_l\|_2 \cdot \prod_a L_a`, the spectral
    norm being the largest singular value of each layer's linear map (for convolutions: of the
    convolution operator on the actual input shape, by power iteration; give ``input_shape``
    (per sample, without batch) when the net has convolutions). Raises TypeError for a module it
    cannot bound."""
    import torch
    import torch.nn as nn

    bound = 1.0
    shape = tuple(input_shape) if input_shape is not None else None
    for m in _chain(net):
        if isinstance(m, nn.Linear):
            W = m.weight.detach().to(torch.float64)
            bound *= float(torch.linalg.matrix_norm(W, ord=2))
        elif isinstance(m, (nn.Conv1d, nn.Conv2d)):
            if shape is None:
                raise TypeError("spectral_norm_bound needs input_shape for convolutional layers")
            bound *= conv_spectral_norm(m, shape)
        else:
            c = _activation_constant(m)
            if c is None:
                raise TypeError(f"cannot bound the Lipschitz constant of {type(m).__name__}: "
                                "expected nn.Linear, nn.Conv1d/2d or a known activation in an nn.Sequential")
            bound *= c
        if shape is not None:
            with torch.no_grad():
                p = next(iter(m.parameters()), None)
                dt = p.dtype if p is not None else torch.float64
                shape = tuple(m(torch.zeros((1, *shape), dtype=dt)).shape[1:])
    return bound


def gradient_norm_lower_bound(net: Any, x: Any) -> float:
    r"""Lower bound on the Lipschitz constant of a scalar-output network: the largest
    per-sample input-gradient norm :math:`\max_i \|\nabla_x D(x_i)\|_2` (norm over all
    non-batch dimensions). ``x``: (N, ...) samples. The network must treat samples
    independently (eval mode, no batch norm in training mode)."""
    import torch

    x = torch.as_tensor(x).detach().clone().requires_grad_(True)
    out = net(x)
    if out.shape[0] != x.shape[0] or out.numel() != x.shape[0]:
        raise ValueError(f"expected one scalar output per sample, got output shape {tuple(out.shape)}")
    (grad,) = torch.autograd.grad(out.sum(), x)
    return float(grad.reshape(x.shape[0], -1).norm(dim=1).max())


def network_lipschitz_bounds(net: Any, x: Any) -> tuple[float, float]:
    """(lower, upper): gradient-norm lower bound on samples ``x`` and spectral-norm product."""
    return gradient_norm_lower_bound(net, x), spectral_norm_bound(net)


# --------------------------------------------------------------------------------------------
# Power iteration: the spectral normalization of a critic (Miyato et al., 2018)

@dataclass
class PowerIterationStep:
    """One iteration: the vectors after it and the estimate u^T W v there."""

    iteration: int
    u: Any
    v: Any
    sigma: Any


@dataclass
class PowerIteration:
    """The result of :func:`power_iteration`: the final u, v and sigma = u^T W v, and every
    iteration (``steps``); ``start`` says which vector the iteration started from."""

    u: Any
    v: Any
    sigma: Any
    steps: list[PowerIterationStep]
    start: str  # "u" or "v"


def _normalize(x: Any, eps: float) -> Any:
    """x / max(||x||, eps), as ``torch.nn.functional.normalize`` (numpy arrays or tensors)."""
    n = (x * x).sum() ** 0.5
    if hasattr(n, "clamp"):
        return x / n.clamp(min=eps)
    return x / max(float(n), eps)


def power_iteration(W: Any, iterations: int = 1, *, u0: Any = None, v0: Any = None,
                    eps: float = 1e-12) -> PowerIteration:
    r"""Power iteration for the largest singular value of a matrix ``W`` (m x n), the estimate of
    spectral normalization (Miyato et al., 2018):

    - from ``u0`` (length m; the default, e1 when neither is given), an iteration is
      :math:`v \leftarrow W^\top u / \|W^\top u\|`, then :math:`u \leftarrow W v / \|W v\|`;
    - from ``v0`` (length n), it is :math:`u \leftarrow W v/\|W v\|`, then
      :math:`v \leftarrow W^\top u/\|W^\top u\|` (the order of ``torch.nn.utils.parametrizations.spectral_norm``);

    and the estimate is :math:`\sigma = u^\top W v` (at most the largest singular value, which
    it approaches as the iterations grow). Works on numpy arrays and torch tensors alike (the
    spectrally normalized critic calls it on its weights, under ``torch.no_grad``); normalisation
    divides by max(norm, eps), as torch does. The start vector is normalised first.
    """
    if u0 is not None and v0 is not None:
        raise ValueError("give u0 or v0, not both")
    if iterations < 0:
        raise ValueError(f"iterations must be >= 0, got {iterations}")
    m = W.shape[0]
    if v0 is None:
        if u0 is None:
            u0 = W.new_zeros(m) if hasattr(W, "new_zeros") else np.zeros(m, dtype=np.float64)
            u0[0] = 1.0
        u, v, start = _normalize(u0, eps), None, "u"
    else:
        u, v, start = None, _normalize(v0, eps), "v"
    steps: list[PowerIterationStep] = []
    for k in range(1, iterations + 1):
        if start == "u":
            v = _normalize(W.T @ u, eps)
            u = _normalize(W @ v, eps)
        else:
            u = _normalize(W @ v, eps)
            v = _normalize(W.T @ u, eps)
        steps.append(PowerIterationStep(k, u, v, u @ (W @ v)))
    if v is None:  # no iteration from u0: v = normalize(W^T u) to define the estimate
        v = _normalize(W.T @ u, eps)
    if u is None:
        u = _normalize(W @ v, eps)
    return PowerIteration(u, v, u @ (W @ v), steps, start)
