"""Problem type ``jsd``: Jensen-Shannon divergence between Gaussians (question 3C iii).

Computed by :func:`adlkit.divergences.jsd_terms` (adaptive quadrature: the mixture has no
closed-form entropy), once in each argument order; the symmetry is shown algebraically and
checked numerically.
"""

from __future__ import annotations

import math
from typing import Any

from adlkit.core.numbers import fmt
from adlkit.divergences import JSD, jsd_terms
from adlkit.solve.common import (
    DISTRIBUTION_CONVENTION,
    GAUSSIAN_CONVENTION,
    distribution_read_step,
    distribution_text,
    draw_distribution,
    is_gaussian,
    pair_registered,
    read_step,
)
from adlkit.solve.figures import distribution_pair_figure
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import Param
from adlkit.solve.slips import LOG_BASES, variance_as_std
from adlkit.solve.unit import ProblemType, in_nats

PARAMETERS = (
    Param("p", "distribution", "the first distribution: a univariate Gaussian, discrete or uniform", univariate=True,
          draw=lambda rng, d: draw_distribution(rng, d)),
    Param("q", "distribution", "the second distribution: a univariate Gaussian, discrete or uniform", univariate=True,
          draw=lambda rng, d: draw_distribution(rng, d)),
)


def parse(f: Any, params: dict[str, Any]) -> dict[str, Any]:
    pair_registered(f, JSD, "p", "q", params["p"], params["q"])
    return params


def statement(params: dict[str, Any]) -> str:
    p, q = distribution_text(params["p"]), distribution_text(params["q"])
    if not (is_gaussian(params["p"]) and is_gaussian(params["q"])):
        return f"Compute the Jensen-Shannon divergence JSD(p || q) for p = {p} and q = {q}, in nats, and show that JSD is symmetric."
    return (f"Compute the Jensen-Shannon divergence JSD(p || q) for p = {p} and q = {q} "
            "(N(m, v): mean m, variance v), in nats, and show that JSD is symmetric.")


def solve(pid: str, params: dict[str, Any]) -> Solution:
    p, q = params["p"], params["q"]
    tpq, tqp = jsd_terms(p, q), jsd_terms(q, p)
    jpq, jqp = float(tpq.total), float(tqp.total)
    symmetric = math.isclose(jpq, jqp, rel_tol=1e-9, abs_tol=1e-12)
    sol = Solution(pid, "jsd", answers={"jsd": jpq, "jsd_pq": jpq, "jsd_qp": jqp,
                                        "symmetric": symmetric})
    gaussian = is_gaussian(p) and is_gaussian(q)
    sol.conventions = {
        **({"gaussian": GAUSSIAN_CONVENTION} if gaussian else {"distributions": DISTRIBUTION_CONVENTION + "; " + GAUSSIAN_CONVENTION}),
        "definition": "JSD(p || q) = 1/2 KL(p || M) + 1/2 KL(q || M) with the mixture M = (p + q)/2",
        "units": "nats (natural logarithm): 0 <= JSD <= log 2 = 0.6931",
        "method": ("globally adaptive Gauss-Legendre quadrature (21-point rule, 10-point error estimate) over the real line, float64; "
                   "no closed form exists for Gaussians") if gaussian else
                  ("exact sums over the support (discrete), over the pieces between the interval ends (two uniforms), "
                   "log 2 for a discrete against a density (mutually singular), else adaptive quadrature"),
        "symmetric": "true when JSD(p || q) and JSD(q || p), computed separately, agree to 1e-9 relative",
    }
    if gaussian:
        sol.step("Read the two Gaussians", substeps=[read_step("p", p, "1"), read_step("q", q, "2")])
    else:
        sol.step("Read the two distributions",
                 substeps=[distribution_read_step("p", p, "1"), distribution_read_step("q", q, "2")])
    sol.step("Definition, with the mixture M", formula=tpq.latex)
    sol.step("Swapping the arguments leaves the mixture unchanged, because addition commutes",
             formula=r"M' = \frac{q + p}{2} = \frac{p + q}{2} = M")
    sol.step("So the two KL terms only change places in the sum: JSD is symmetric by definition",
             formula=r"\mathrm{JSD}(q\|p) = \frac{1}{2}\mathrm{KL}(q\|M) + \frac{1}{2}\mathrm{KL}(p\|M) = \mathrm{JSD}(p\|q)")
    steps = [Step("Half KL of p to the mixture" if t.name == "half_kl_p_m" else
                  "Half KL of q to the mixture", formula=t.latex, substituted=t.substituted,
                  value=fmt(t.value, 6)) for t in tpq]
    sol.step("Numerically: JSD(p || q) by quadrature of each term" if gaussian else "JSD(p || q), term by term", formula=r"\mathrm{JSD}(p\|q)",
             substituted=" + ".join(fmt(t.value, 6) for t in tpq), value=fmt(jpq, 6), substeps=steps)
    sol.step("And JSD(q || p), computed separately with the arguments swapped",
             formula=r"\mathrm{JSD}(q\|p)", substituted=" + ".join(fmt(t.value, 6) for t in tqp),
             value=fmt(jqp, 6))
    rel = "=" if symmetric else r"\ne"
    sol.step("Compare (and note 0 <= JSD <= log 2, unlike KL which is unbounded)",
             formula=rf"\mathrm{{JSD}}(p\|q) = {fmt(jpq, 6)} {rel} {fmt(jqp, 6)} = \mathrm{{JSD}}(q\|p)"
                     rf",\quad 0 \le {fmt(jpq, 6)} \le \log 2 = {fmt(math.log(2), 6)}")
    return sol


UNIT = ProblemType(
    name="jsd",
    summary="Jensen-Shannon divergence between Gaussians (quadrature), discrete and uniform distributions, symmetry",
    parse=parse,
    parameters=PARAMETERS,
    solve=solve,
    statement=statement,
    answers=("jsd", "jsd_pq", "jsd_qp", "symmetric"),
    nats=in_nats("jsd", "jsd_pq", "jsd_qp"),
    slips=(variance_as_std("p", "q"), *LOG_BASES),
    figures=(distribution_pair_figure("JSD(p||q) = {jsd:.4f} nats"),),
    example={"p": "N(3, 2)", "q": "N(4, 1)"},
    modules=(7,),
)
