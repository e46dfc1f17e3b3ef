"""Problem type ``kl``: KL divergences between Gaussians, both directions (question 3C i-ii).

Computed by :mod:`adlkit.divergences` (the same closed forms the VAE's KL term uses); each
named term of the closed form is one step.
"""

from __future__ import annotations

import math
from typing import Any

from adlkit.core.numbers import fmt
from adlkit.divergences import kl_terms
from adlkit.solve.common import GAUSSIAN_CONVENTION, draw_gaussian, gaussian_text, read_step, same_shape
from adlkit.solve.figures import two_gaussian_figure
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import Param
from adlkit.solve.slips import LOG_BASES, swapped, variance_as_std
from adlkit.solve.spec import Fields
from adlkit.solve.unit import ProblemType, in_nats

PARAMETERS = (
    Param("p", "gaussian", "the first Gaussian (uni- or multivariate)",
          draw=lambda rng, d: draw_gaussian(rng, d, multivariate=0.25)),
    Param("q", "gaussian", "the second Gaussian, of the same dimension as p",
          draw=lambda rng, d: draw_gaussian(rng, d, like="p")),
)


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


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    same_shape(f, "p", "q", params["p"], params["q"])
    return params


def statement(params: dict[str, Any]) -> str:
    p, q = gaussian_text(params["p"]), gaussian_text(params["q"])
    return (f"Compute KL(p || q) and KL(q || p) for p = {p} and q = {q} (N(m, v): mean m, variance v), "
            "in nats. Is the KL divergence symmetric here?")


def solve(pid: str, params: dict[str, Any]) -> Solution:
    p, q = params["p"], params["q"]
    tpq, tqp = kl_terms(p, q), kl_terms(q, p)
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


UNIT = ProblemType(
    name="kl",
    summary="KL divergence between Gaussians in both directions (closed form)",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("kl_pq", "kl_qp", "symmetric"),
    nats=in_nats("kl_pq", "kl_qp"),
    slips=(variance_as_std("p", "q"),
           swapped("kl_direction", "KL direction swapped (KL(q||p) for KL(p||q))", "p", "q", ("kl_pq", "kl_qp")),
           *LOG_BASES),
    figures=(two_gaussian_figure("KL(p||q) = {kl_pq:.4f},  KL(q||p) = {kl_qp:.4f}"),),
    example={"p": "N(3, 2)", "q": "N(4, 1)"},
    modules=(6,),
)
