"""Problem type ``kl``: KL divergences between Gaussians, both directions (question 3C i-ii).

Computed by :mod:`adlkit.divergences` (the same closed forms the VAE's KL term uses); each
named term of the closed form is one step.
"""

from __future__ import annotations

import math
from typing import Any

from adlkit.core.numbers import fmt, fmt_matrix, fmt_vec
from adlkit.solve.model import Solution, Step
from adlkit.solve.registry import register
from adlkit.solve.spec import INVALID, Fields, Gaussian

GAUSSIAN_CONVENTION = "N(m, v) means mean m and VARIANCE v (the course's notation); std = sqrt(v)"


def to_distribution(g: Gaussian) -> Any:
    """The :mod:`adlkit.divergences` type of a validated spec Gaussian."""
    from adlkit.divergences import MultivariateNormal, Normal

    if g.multivariate:
        return MultivariateNormal(g.mean, g.var)
    return Normal(g.mean, g.var)


def same_shape(f: Fields, first: str, second: str, a: Any, b: Any) -> bool:
    """Record an error on ``second`` unless the two Gaussians have the same dimension."""
    if a is INVALID or b is INVALID:
        return False
    if a.multivariate != b.multivariate or a.dim != b.dim:
        f.error(second, f"must have the same dimension as '{first}' ({a.dim}), got {b.dim}")
        return False
    return True


def read_step(name: str, g: Gaussian, sub: str) -> Step:
    """Step: read a Gaussian's parameters (variance, and the std it implies)."""
    if g.multivariate:
        return Step(f"{name}: mean and covariance",
                    formula=rf"\mu_{sub} = {fmt_vec(g.mean)},\quad \Sigma_{sub} = {fmt_matrix(g.var)}")
    return Step(f"{name} = {_plain(g)}: mean {fmt(g.mean)}, variance {fmt(g.var)}",
                formula=rf"\mu_{sub} = {fmt(g.mean)},\quad \sigma_{sub}^2 = {fmt(g.var)}"
                        rf",\quad \sigma_{sub} = \sqrt{{{fmt(g.var)}}}",
                value=fmt(math.sqrt(g.var)))


def _plain(g: Gaussian) -> str:
    return f"N({fmt(g.mean)}, {fmt(g.var)})"


TERM_TEXT = {
    "log_std_ratio": "Log-ratio of the standard deviations",
    "quadratic": "Variance and squared mean difference over twice the second variance",
    "constant": "Constant",
    "trace": "Trace term",
    "mahalanobis": "Mahalanobis term of the mean difference",
    "dimension": "Dimension term",
    "log_det_ratio": "Log-ratio of the determinants",
}


def term_steps(terms: Any, digits: int = 4) -> list[Step]:
    return [Step(TERM_TEXT.get(t.name, t.name.replace("_", " ").capitalize()), formula=t.latex,
                 substituted=t.substituted, value=fmt(t.value, digits)) for t in terms]


def parse(f: Fields) -> dict[str, Any]:
    p = f.gaussian("p")
    q = f.gaussian("q")
    same_shape(f, "p", "q", p, q)
    return {"p": p, "q": q}


def solve(pid: str, params: dict[str, Any]) -> Solution:
    from adlkit.divergences import kl_terms

    p, q = params["p"], params["q"]
    P, Q = to_distribution(p), to_distribution(q)
    tpq, tqp = kl_terms(P, Q), kl_terms(Q, P)
    kl_pq, kl_qp = float(tpq.total), float(tqp.total)
    symmetric = math.isclose(kl_pq, kl_qp, rel_tol=1e-9, abs_tol=1e-12)
    sol = Solution(pid, "kl", answers={"kl_pq": kl_pq, "kl_qp": kl_qp, "symmetric": symmetric})
    sol.conventions = {
        "gaussian": GAUSSIAN_CONVENTION,
        "direction": "kl_pq = KL(p || q) = E_p[log p(x) - log q(x)]; kl_qp swaps the arguments",
        "units": "nats (natural logarithm)",
        "symmetric": "true when the two directions agree to 1e-9 relative",
    }
    sol.step("Read the two Gaussians", substeps=[read_step("p", p, "1"), read_step("q", q, "2")])
    sol.step("Closed form of the KL divergence between Gaussians", formula=tpq.latex)
    s = " + ".join(fmt(t.value) if t.value >= 0 else f"({fmt(t.value)})" for t in tpq)
    sol.step("KL(p || q): evaluate each term and add", formula=r"\mathrm{KL}(p\|q)", substituted=s,
             value=fmt(kl_pq), substeps=term_steps(tpq))
    s = " + ".join(fmt(t.value) if t.value >= 0 else f"({fmt(t.value)})" for t in tqp)
    sol.step("KL(q || p): swap the roles of the two distributions", formula=r"\mathrm{KL}(q\|p)",
             substituted=s, value=fmt(kl_qp), substeps=term_steps(tqp))
    if symmetric:
        sol.step("The two directions agree for these parameters (as they do whenever the "
                 "variances are equal), but KL is not symmetric in general",
                 formula=rf"\mathrm{{KL}}(p\|q) = {fmt(kl_pq)} = \mathrm{{KL}}(q\|p)")
    else:
        sol.step("The two directions differ: KL is asymmetric",
                 formula=rf"\mathrm{{KL}}(p\|q) = {fmt(kl_pq)} \ne {fmt(kl_qp)} = \mathrm{{KL}}(q\|p)")
    return sol


register("kl", parse, solve, "KL divergence between Gaussians in both directions (closed form)")
