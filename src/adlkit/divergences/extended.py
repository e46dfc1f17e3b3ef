r"""Divergences of discrete and uniform distributions, and of mixed pairs with a Gaussian.

Registered implementations (nats; ``"inf"`` in a spec answer is ``math.inf`` here):

- ``kl(Discrete, Discrete)``: :math:`\sum_x p(x)\log\frac{p(x)}{q(x)}` term by term over the
  union of the supports; a term with :math:`p(x) = 0` is 0, one with :math:`p(x) > 0 = q(x)` is
  :math:`+\infty` (q gives no mass where p does: the log-ratio is unbounded);
- ``kl(Uniform, Uniform)``: :math:`\log\frac{b_2-a_2}{b_1-a_1}` when :math:`[a_1,b_1]\subseteq[a_2,b_2]`,
  else :math:`+\infty`;
- ``kl(Uniform, Normal)``: :math:`-\log(b-a) + \frac12\log(2\pi\sigma^2) + \frac{(b-a)^2/12 + (\frac{a+b}{2}-\mu)^2}{2\sigma^2}`;
  ``kl(Normal, Uniform)`` is :math:`+\infty` (the Gaussian has mass outside the interval);
- ``kl`` between a discrete and a continuous distribution, either way: :math:`+\infty` (the
  two are mutually singular: one puts mass on a set the other gives probability 0);
- ``jsd``: a sum over the union of supports (discrete pairs); a sum over the pieces between the
  interval ends (uniform pairs, piecewise constant densities); adaptive quadrature (uniform and
  Gaussian); :math:`\log 2` for a discrete and a continuous distribution (mutually singular);
- ``wasserstein`` (p = 1, 2) between any two of Discrete, Uniform, Normal on the line (the
  Gaussian pair has its own closed form): the quantile integral
  :math:`W_p^p = \int_0^1 |F^{-1}(u) - G^{-1}(u)|^p\,du`, split at every level of a discrete
  CDF; on a piece where both quantile functions are affine in u (discrete: constant; uniform:
  :math:`a + (b-a)u`) the integral is exact in closed form, else (a Gaussian) adaptive
  quadrature after substituting :math:`u = \Phi(z)`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from adlkit.core.numbers import fmt, par
from adlkit.core.terms import Term, Terms
from adlkit.divergences.gaussian import LOG2, _check_p
from adlkit.divergences.registry import register_jsd, register_kl, register_wasserstein
from adlkit.divergences.types import Discrete, Normal, Uniform

INF = math.inf
CONTINUOUS = (Normal, Uniform)


def _xlogy_ratio(a: float, b: float) -> float:
    """a log(a / b) with 0 log(0/b) = 0 and a log(a/0) = inf for a > 0."""
    if a == 0.0:
        return 0.0
    if b == 0.0:
        return INF
    return a * math.log(a / b)


def _union(p: Discrete, q: Discrete) -> np.ndarray:
    return np.union1d(p.support, q.support)


# --------------------------------------------------------------------------------------------
# KL

@register_kl(Discrete, Discrete)
def kl_discrete_discrete(p: Discrete, q: Discrete) -> Terms:
    """KL(p || q) = sum_x p(x) log(p(x)/q(x)), one term per point of either support."""
    terms = []
    for x in _union(p, q):
        px, qx = p.prob(float(x)), q.prob(float(x))
        v = _xlogy_ratio(px, qx)
        if px == 0.0:
            sub = rf"0 \cdot \log\frac{{0}}{{{fmt(qx)}}} = 0"
        elif qx == 0.0:
            sub = rf"{fmt(px)} \log\frac{{{fmt(px)}}}{{0}} = +\infty"
        else:
            sub = rf"{fmt(px)} \log\frac{{{fmt(px)}}}{{{fmt(qx)}}}"
        terms.append(Term(f"x={fmt(float(x))}", v, rf"p({fmt(float(x))})\log\frac{{p({fmt(float(x))})}}{{q({fmt(float(x))})}}", sub))
    total = INF if any(t.value == INF for t in terms) else math.fsum(t.value for t in terms)
    return Terms(terms=terms, total=total,
                 latex=r"\mathrm{KL}(P\|Q) = \sum_x p(x)\log\frac{p(x)}{q(x)}"
                       r"\quad(0\log\frac{0}{q} = 0;\ p\log\frac{p}{0} = +\infty)")


@register_kl(Uniform, Uniform)
def kl_uniform_uniform(p: Uniform, q: Uniform) -> Terms:
    """log(width_q / width_p) when p's interval lies inside q's, else +inf."""
    inside = q.low <= p.low and p.high <= q.high
    v = math.log(q.width / p.width) if inside else INF
    sub = (rf"\log\frac{{{fmt(q.high)} - {par(q.low)}}}{{{fmt(p.high)} - {par(p.low)}}}" if inside else
           rf"[{fmt(p.low)}, {fmt(p.high)}] \not\subseteq [{fmt(q.low)}, {fmt(q.high)}]:\ "
           r"p > 0 = q \text{ on a set of positive length} \Rightarrow +\infty")
    return Terms(terms=[Term("log_width_ratio" if inside else "support", v,
                             r"\log\frac{b_2 - a_2}{b_1 - a_1}" if inside else r"\int p\log\frac{p}{q}", sub)],
                 total=v,
                 latex=r"\mathrm{KL}(U(a_1,b_1)\|U(a_2,b_2)) = \log\frac{b_2-a_2}{b_1-a_1}"
                       r"\text{ if } [a_1,b_1]\subseteq[a_2,b_2], \text{ else } +\infty")


@register_kl(Uniform, Normal)
def kl_uniform_normal(p: Uniform, q: Normal) -> Terms:
    """-H(p) - E_p[log q]: the three terms of the closed form."""
    t1 = -math.log(p.width)
    t2 = 0.5 * math.log(2 * math.pi * q.var)
    second = p.var + (p.mean - q.mean) ** 2
    t3 = second / (2 * q.var)
    return Terms(
        terms=[
            Term("neg_entropy", t1, r"-H(U) = -\log(b - a)", rf"-\log({fmt(p.high)} - {par(p.low)})"),
            Term("log_normaliser", t2, r"\frac{1}{2}\log(2\pi\sigma^2)", rf"\frac{{1}}{{2}}\log(2\pi \cdot {fmt(q.var)})"),
            Term("second_moment", t3, r"\frac{\mathbb{E}_U[(x-\mu)^2]}{2\sigma^2} = \frac{(b-a)^2/12 + (\frac{a+b}{2} - \mu)^2}{2\sigma^2}",
                 rf"\frac{{{fmt(p.var)} + ({fmt(p.mean)} - {par(q.mean)})^2}}{{2 \cdot {fmt(q.var)}}}"),
        ],
        total=t1 + t2 + t3,
        latex=r"\mathrm{KL}(U\|\mathcal{N}) = -\log(b-a) + \frac{1}{2}\log(2\pi\sigma^2) + "
              r"\frac{(b-a)^2/12 + (\frac{a+b}{2}-\mu)^2}{2\sigma^2}",
    )


def _kl_infinite(name: str, why: str, sub: str) -> Terms:
    return Terms(terms=[Term(name, INF, r"\int p\log\frac{p}{q} \text{ where } q = 0 < p", sub)], total=INF,
                 latex=r"\mathrm{KL}(P\|Q) = +\infty \text{ when } Q(A) = 0 < P(A) \text{ for some set } A" + f"\\ ({why})")


@register_kl(Normal, Uniform)
def kl_normal_uniform(p: Normal, q: Uniform) -> Terms:
    return _kl_infinite("outside_support", "the Gaussian has mass outside the interval",
                        rf"P(X \notin [{fmt(q.low)}, {fmt(q.high)}]) > 0 = Q(X \notin [{fmt(q.low)}, {fmt(q.high)}])")


def _kl_singular_dc(p: Discrete, q: Any) -> Terms:
    return _kl_infinite("singular", "a discrete P against a density Q",
                        r"P(\{x_i\}) > 0 = Q(\{x_i\}) \text{ (a density gives single points probability 0)}")


def _kl_singular_cd(p: Any, q: Discrete) -> Terms:
    return _kl_infinite("singular", "a density P against a discrete Q",
                        r"P(X \notin \{x_i\}) = 1 > 0 = Q(X \notin \{x_i\})")


for _C in CONTINUOUS:
    register_kl(Discrete, _C)(_kl_singular_dc)
    register_kl(_C, Discrete)(_kl_singular_cd)


# --------------------------------------------------------------------------------------------
# JSD

def _jsd_terms(kl_pm: float, kl_qm: float, how: str) -> Terms:
    return Terms(
        terms=[Term("half_kl_p_m", 0.5 * kl_pm, r"\frac{1}{2}\mathrm{KL}(P\|M)", rf"\frac{{1}}{{2}} \cdot {fmt(kl_pm, 6)}"),
               Term("half_kl_q_m", 0.5 * kl_qm, r"\frac{1}{2}\mathrm{KL}(Q\|M)", rf"\frac{{1}}{{2}} \cdot {fmt(kl_qm, 6)}")],
        total=0.5 * (kl_pm + kl_qm),
        latex=r"\mathrm{JSD}(P\|Q) = \frac{1}{2}\mathrm{KL}(P\|M) + \frac{1}{2}\mathrm{KL}(Q\|M),\quad M = \frac{P+Q}{2}" + how,
    )


@register_jsd(Discrete, Discrete)
def jsd_discrete_discrete(p: Discrete, q: Discrete) -> Terms:
    """Sums over the union of the supports (every term finite: M > 0 wherever P or Q is)."""
    xs = _union(p, q)
    pp = [p.prob(float(x)) for x in xs]
    qq = [q.prob(float(x)) for x in xs]
    kl_pm = math.fsum(_xlogy_ratio(a, 0.5 * (a + b)) for a, b in zip(pp, qq))
    kl_qm = math.fsum(_xlogy_ratio(b, 0.5 * (a + b)) for a, b in zip(pp, qq))
    return _jsd_terms(kl_pm, kl_qm, r",\ \text{sums over the union of the supports}")


@register_jsd(Uniform, Uniform)
def jsd_uniform_uniform(p: Uniform, q: Uniform) -> Terms:
    """Exact: both densities are constant between consecutive interval ends."""
    ends = sorted({p.low, p.high, q.low, q.high})
    kl_pm = kl_qm = 0.0
    for lo, hi in zip(ends[:-1], ends[1:]):
        mid = 0.5 * (lo + hi)
        a, b = float(p.pdf(mid)), float(q.pdf(mid))
        m = 0.5 * (a + b)
        kl_pm += (hi - lo) * _xlogy_ratio(a, m)
        kl_qm += (hi - lo) * _xlogy_ratio(b, m)
    return _jsd_terms(kl_pm, kl_qm, r",\ \text{exact: the densities are constant between the interval ends}")


def _half_kl_mixture_quad(p: Any, q: Any) -> float:
    """KL(p || (p+q)/2) by adaptive quadrature, breakpoints at the interval ends and means."""
    from adlkit.core.quadrature import integrate

    def integrand(x: np.ndarray) -> np.ndarray:
        a, b = p.pdf(x), q.pdf(x)
        with np.errstate(all="ignore"):
            v = a * (LOG2 + np.log(a) - np.log(a + b))
        return np.where(a > 0, v, 0.0)

    pts = []
    for d in (p, q):
        pts += [d.low, d.high] if isinstance(d, Uniform) else [d.mean - 8 * d.std, d.mean, d.mean + 8 * d.std]
    res = integrate(integrand, -math.inf, math.inf, pts)
    if not res.converged:
        raise ArithmeticError(f"JSD quadrature did not converge: {res.message}")
    return res.value


def _jsd_quad(p: Any, q: Any) -> Terms:
    return _jsd_terms(_half_kl_mixture_quad(p, q), _half_kl_mixture_quad(q, p),
                      r",\ \text{adaptive quadrature, split at the interval ends}")


register_jsd(Uniform, Normal)(_jsd_quad)
register_jsd(Normal, Uniform)(_jsd_quad)


def _jsd_singular(p: Any, q: Any) -> Terms:
    """Mutually singular P and Q: M = (P+Q)/2 gives each half its mass, KL(P||M) = log 2."""
    t = _jsd_terms(LOG2, LOG2, r",\ P \perp Q \text{ (discrete against a density)}: dP/dM = 2 \text{ on P's support}")
    return t


for _C in CONTINUOUS:
    register_jsd(Discrete, _C)(_jsd_singular)
    register_jsd(_C, Discrete)(_jsd_singular)


# --------------------------------------------------------------------------------------------
# Wasserstein on the line: the quantile integral

def _levels(d: Any) -> list[float]:
    if isinstance(d, Discrete):
        return [float(c) for c in np.cumsum(d.probs)[:-1]]
    return []


def _affine_on(d: Any, lo: float, hi: float) -> tuple[float, float] | None:
    """(alpha, beta) with F^{-1}(u) = alpha + beta u on (lo, hi), or None (a Gaussian)."""
    if isinstance(d, Uniform):
        return d.low, d.width
    if isinstance(d, Discrete):
        return float(d.ppf(0.5 * (lo + hi))), 0.0
    return None


def _affine_abs_power(alpha: float, beta: float, lo: float, hi: float, p: int) -> float:
    """int_lo^hi |alpha + beta u|^p du, exactly (p = 1, 2)."""
    if p == 2:
        # antiderivative of (alpha + beta u)^2
        F = lambda u: alpha * alpha * u + alpha * beta * u * u + beta * beta * u ** 3 / 3.0
        return F(hi) - F(lo)
    g = lambda u: alpha * u + 0.5 * beta * u * u
    if beta != 0.0:
        r = -alpha / beta
        if lo < r < hi:
            return abs(g(r) - g(lo)) + abs(g(hi) - g(r))
    return abs(g(hi) - g(lo))


def wasserstein_quantile(a: Any, b: Any, p: int = 2) -> Terms:
    r"""W_p between two distributions on the line from the quantile functions,
    :math:`W_p^p = \int_0^1 |F^{-1}(u) - G^{-1}(u)|^p du` (in 1-D the monotone coupling is optimal)."""
    from scipy.special import ndtr, ndtri

    from adlkit.core.quadrature import integrate

    p = _check_p(p)
    cuts = sorted({0.0, 1.0, *_levels(a), *_levels(b)})
    pieces, total = [], 0.0
    exact = True
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        fa, fb = _affine_on(a, lo, hi), _affine_on(b, lo, hi)
        if fa is not None and fb is not None:
            alpha, beta = fa[0] - fb[0], fa[1] - fb[1]
            v = _affine_abs_power(alpha, beta, lo, hi, p)
            sub = rf"\int_{{{fmt(lo)}}}^{{{fmt(hi)}}} |{fmt(alpha)} + {par(beta)}u|^{p}\,du"
        else:
            exact = False
            zlo, zhi = float(ndtri(lo)), float(ndtri(hi))

            def q_at(d: Any, z: np.ndarray, lo: float = lo, hi: float = hi) -> np.ndarray:
                # a Gaussian's quantile at u = Phi(z) is mean + std z exactly (no round trip)
                return d.mean + d.std * z if isinstance(d, Normal) else d.ppf(np.clip(ndtr(z), lo, hi))

            def integrand(z: np.ndarray) -> np.ndarray:
                return np.abs(q_at(a, z) - q_at(b, z)) ** p * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)

            inner = [float(ndtri(c)) for c in np.linspace(lo, hi, 9)[1:-1]]
            for d in (a, b):
                if isinstance(d, Normal):
                    inner.append(0.0)
            res = integrate(integrand, zlo, zhi, inner)
            if not res.converged:
                raise ArithmeticError(f"W_{p} quadrature did not converge: {res.message}")
            v = res.value
            sub = rf"\int_{{{fmt(lo)}}}^{{{fmt(hi)}}} |F^{{-1}}(u) - G^{{-1}}(u)|^{p}\,du \text{{ (quadrature, }} u = \Phi(z))"
        total += v
        pieces.append(Term(f"u in [{fmt(lo)}, {fmt(hi)}]", v, rf"\int_{{{fmt(lo)}}}^{{{fmt(hi)}}}|F^{{-1}}(u)-G^{{-1}}(u)|^{p}\,du", sub))
    how = r"\text{ (exact: affine quantile functions on each piece)}" if exact else r"\text{ (adaptive quadrature on the Gaussian pieces)}"
    return Terms(terms=pieces, total=total ** (1.0 / p),
                 latex=rf"W_{p} = \left(\int_0^1 |F^{{-1}}(u) - G^{{-1}}(u)|^{p}\,du\right)^{{1/{p}}}" + how)


for _A in (Discrete, Uniform, Normal):
    for _B in (Discrete, Uniform, Normal):
        if not (_A is Normal and _B is Normal):
            register_wasserstein(_A, _B)(wasserstein_quantile)
