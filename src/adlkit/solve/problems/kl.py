"""Problem type ``kl``: KL divergences between Gaussians, both directions (question 3C i-ii),
and between discrete and uniform distributions (term by term; infinite where q has no mass and p has).

Computed by :mod:`adlkit.divergences` (the same closed forms the VAE's KL term uses); each
named term of the closed form is one step.
"""

from __future__ import annotations

import math
from typing import Any

from adlkit.core.numbers import fmt
from adlkit.divergences import KL, kl_terms
from adlkit.solve.common import (
    DISTRIBUTION_CONVENTION,
    GAUSSIAN_CONVENTION,
    distribution_read_step,
    distribution_text,
    draw_distribution,
    is_gaussian,
    pair_registered,
    read_step,
    same_shape,
)
from adlkit.solve.figures import distribution_pair_figure
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import Param
from adlkit.solve.slips import LOG_BASES, swapped, variance_as_std
from adlkit.solve.spec import Fields
from adlkit.solve.unit import ProblemType, in_nats

PARAMETERS = (
    Param("p", "distribution", "the first distribution: a Gaussian (uni- or multivariate), discrete or uniform",
          draw=lambda rng, d: draw_distribution(rng, d, multivariate=0.25)),
    Param("q", "distribution", "the second distribution (a Gaussian of the same dimension as p, or 1-D)",
          draw=lambda rng, d: draw_distribution(rng, d, like="p")),
)


TERM_TEXT = {
    "log_std_ratio": "Log-ratio of the standard deviations",
    "quadratic": "Variance and squared mean difference over twice the second variance",
    "constant": "Constant",
    "trace": "Trace term",
    "mahalanobis": "Mahalanobis term of the mean difference",
    "dimension": "Dimension term",
    "log_det_ratio": "Log-ratio of the determinants",
    "log_width_ratio": "Log-ratio of the interval widths (p's interval lies inside q's)",
    "support": "p's interval is not inside q's",
    "neg_entropy": "Minus the entropy of the uniform",
    "log_normaliser": "Log of the Gaussian's normaliser",
    "second_moment": "Expected squared distance to the Gaussian's mean, over twice its variance",
    "outside_support": "The Gaussian puts mass outside the uniform's interval",
    "singular": "One distribution is discrete, the other has a density",
}


def term_steps(terms: Any, digits: int = 4) -> list[Step]:
    return [Step(TERM_TEXT.get(t.name, t.name.replace("_", " ").capitalize()), formula=t.latex,
                 substituted=t.substituted, value=fmt(t.value, digits)) for t in terms]


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    if same_shape(f, "p", "q", params["p"], params["q"]):
        pair_registered(f, KL, "p", "q", params["p"], params["q"])
    return params


def statement(params: dict[str, Any]) -> str:
    p, q = distribution_text(params["p"]), distribution_text(params["q"])
    if not (is_gaussian(params["p"]) and is_gaussian(params["q"])):
        return (f"Compute KL(p || q) and KL(q || p) for p = {p} and q = {q}, in nats. "
                "Is the KL divergence symmetric here?")
    return (f"Compute KL(p || q) and KL(q || p) for p = {p} and q = {q} (N(m, v): mean m, variance v), "
            "in nats. Is the KL divergence symmetric here?")


def solve(pid: str, params: dict[str, Any]) -> Solution:
    p, q = params["p"], params["q"]
    tpq, tqp = kl_terms(p, q), kl_terms(q, p)
    kl_pq, kl_qp = float(tpq.total), float(tqp.total)
    symmetric = math.isclose(kl_pq, kl_qp, rel_tol=1e-9, abs_tol=1e-12)
    sol = Solution(pid, "kl", answers={"kl_pq": kl_pq, "kl_qp": kl_qp, "symmetric": symmetric})
    if not (is_gaussian(p) and is_gaussian(q)):
        return _solve_other(sol, p, q, tpq, tqp)
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


def _direction_step(sol: Solution, label: str, t: Any, value: float, who: tuple[str, str]) -> None:
    a, b = who
    s = " + ".join(fmt(x.value) if x.value >= 0 else f"({fmt(x.value)})" for x in t)
    sol.step(f"{label}: evaluate each term and add", formula=rf"\mathrm{{KL}}({a}\|{b})", substituted=s,
             value=fmt(value), substeps=term_steps(t))
    if math.isinf(value):
        bad = [x for x in t if not math.isfinite(x.value)]
        where = ", ".join(x.name.replace("x=", "x = ") for x in bad)
        sol.step(f"KL({a} || {b}) is infinite: {b} gives no probability where {a} has some ({where}); there "
                 f"log({a}/{b}) is unbounded, so no finite sum or integral can bound E_{a}[log {a}/{b}]",
                 formula=rf"\mathrm{{KL}}({a}\|{b}) = +\infty")


def _solve_other(sol: Solution, p: Any, q: Any, tpq: Any, tqp: Any) -> Solution:
    kl_pq, kl_qp = sol.answers["kl_pq"], sol.answers["kl_qp"]
    sol.conventions = {
        "distributions": DISTRIBUTION_CONVENTION + "; " + GAUSSIAN_CONVENTION,
        "direction": "kl_pq = KL(p || q) = E_p[log p(x) - log q(x)]; kl_qp swaps the arguments",
        "units": "nats (natural logarithm)",
        "infinity": "\"inf\" where q has no mass (probability or density 0) on a set where p has mass; "
                    "0 log(0/q) = 0",
        "symmetric": "true when the two directions agree to 1e-9 relative (both infinite counts as equal)",
    }
    sol.step("Read the two distributions", substeps=[distribution_read_step("p", p, "1"), distribution_read_step("q", q, "2")])
    sol.step("Formula", formula=tpq.latex)
    _direction_step(sol, "KL(p || q)", tpq, kl_pq, ("p", "q"))
    sol.step("KL(q || p): swap the roles of the two distributions", formula=tqp.latex)
    _direction_step(sol, "KL(q || p)", tqp, kl_qp, ("q", "p"))
    if math.isclose(kl_pq, kl_qp, rel_tol=1e-9, abs_tol=1e-12):
        sol.step("The two directions agree here, but KL is not symmetric in general",
                 formula=rf"\mathrm{{KL}}(p\|q) = {fmt(kl_pq)} = \mathrm{{KL}}(q\|p)")
    else:
        sol.step("The two directions differ: KL is asymmetric",
                 formula=rf"\mathrm{{KL}}(p\|q) = {fmt(kl_pq)} \ne {fmt(kl_qp)} = \mathrm{{KL}}(q\|p)")
    return sol


UNIT = ProblemType(
    name="kl",
    summary="KL divergence in both directions: Gaussians (closed form), discrete and uniform distributions",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("kl_pq", "kl_qp", "symmetric"),
    nats=in_nats("kl_pq", "kl_qp"),
    slips=(variance_as_std("p", "q"),
           swapped("kl_direction", "KL direction swapped (KL(q||p) for KL(p||q))", "p", "q", ("kl_pq", "kl_qp")),
           *LOG_BASES),
    figures=(distribution_pair_figure("KL(p||q) = {kl_pq:.4f},  KL(q||p) = {kl_qp:.4f}"),),
    example={"p": "N(3, 2)", "q": "N(4, 1)"},
    modules=(6,),
)
