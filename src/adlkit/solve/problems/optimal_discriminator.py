"""Problem type ``optimal_discriminator``: D*(x) = p_data / (p_data + p_g) for two Gaussians
(question 4B), in the sheet's form and as a sigmoid of the quadratic log-ratio, its values, where
it equals 1/2, and the value of the GAN game at D* (-log 4 + 2 JSD).

Computed by :mod:`adlkit.gan.optimal` (and :mod:`adlkit.divergences` for the JSD).
"""

from __future__ import annotations

import math
from typing import Any

from adlkit.core.numbers import fmt
from adlkit.solve.model import Solution, Step
from adlkit.solve.problems.kl import GAUSSIAN_CONVENTION, read_step, to_distribution
from adlkit.solve.registry import register
from adlkit.solve.spec import INVALID, Fields


def parse(f: Fields) -> dict[str, Any]:
    p_data = f.gaussian("p_data", univariate=True)
    p_g = f.gaussian("p_g", univariate=True)
    at = f.number_list("at", default=[])
    if at is not INVALID:
        at = [float(v) for v in at]
    return {"p_data": p_data, "p_g": p_g, "at": at}


def formula_text(a: float, b: float, c: float) -> str:
    """``sigmoid(a*x^2 + b*x + c)`` with full-precision numbers, in the spec expression grammar."""
    parts = []
    if a != 0.0:
        parts.append(f"{a!r}*x^2")
    if b != 0.0:
        parts.append(f"{b!r}*x")
    if c != 0.0 or not parts:
        parts.append(repr(c))
    s = " + ".join(parts).replace("+ -", "- ")
    return f"sigmoid({s})"


def _shift(m: float) -> str:
    return "x" if m == 0 else (f"(x - {fmt(m)})" if m > 0 else f"(x + {fmt(-m)})")


def _density_tex(m: float, v: float) -> str:
    return rf"\frac{{1}}{{\sqrt{{2\pi \cdot {fmt(v)}}}}} e^{{-\frac{{{_shift(m)}^2}}{{2 \cdot {fmt(v)}}}}}"


def solve(pid: str, params: dict[str, Any]) -> Solution:
    import numpy as np

    from adlkit.gan.optimal import crossing_points, log_ratio_coefficients, optimal_discriminator_at, value_at_optimum

    pd, pg = params["p_data"], params["p_g"]
    P, G = to_distribution(pd), to_distribution(pg)
    coef = log_ratio_coefficients(P, G)
    a, b, c = (coef[k].value for k in ("a", "b", "c"))
    at = np.asarray(params["at"], dtype=np.float64)
    values = optimal_discriminator_at(P, G, at) if at.size else np.array([])
    cross = crossing_points(P, G)
    game = value_at_optimum(P, G)
    jsd = game["two_jsd"].value / 2
    sol = Solution(pid, "optimal_discriminator", answers={
        "values": [float(v) for v in values],
        "formula": formula_text(a, b, c),
        "log_ratio": {"a": a, "b": b, "c": c},
        "half_at": cross,
        "game_value": float(game.total),
        "jsd": jsd,
    })
    sol.conventions = {
        "gaussian": GAUSSIAN_CONVENTION,
        "definition": "D*(x) = p_data(x) / (p_data(x) + p_g(x)), the maximiser of "
                      "E_data[log D] + E_g[log(1 - D)] for a fixed generator (Goodfellow et al. 2014)",
        "formula": "the same function as sigmoid(a x^2 + b x + c) with a x^2 + b x + c = log p_data(x) - log p_g(x); "
                   "written in the spec expression grammar, numbers at full precision",
        "values": "D*(x) at each point of 'at', in order",
        "half_at": "the x where D*(x) = 1/2 (the two densities are equal)",
        "game_value": "V(D*, G) = -log 4 + 2 JSD(p_data || p_g), natural logarithms",
    }
    sol.step("Read the two Gaussians", substeps=[read_step("p_data", pd, r"{d}"), read_step("p_g", pg, "g")])
    sol.step("For a fixed generator, maximising p_data log D + p_g log(1 - D) pointwise gives",
             formula=r"D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}")
    sol.step("Substitute the Gaussian densities",
             formula=rf"D^*(x) = \frac{{{_density_tex(pd.mean, pd.var)}}}{{{_density_tex(pd.mean, pd.var)} + {_density_tex(pg.mean, pg.var)}}}")
    sol.step("Divide through by p_data: D* is a sigmoid of the log-density ratio",
             formula=r"D^*(x) = \frac{1}{1 + p_g(x)/p_{data}(x)} = \sigma\left(\log p_{data}(x) - \log p_g(x)\right)")
    sol.step("The log-ratio of two Gaussians is a quadratic in x", formula=coef.latex,
             substeps=[Step(f"coefficient {t.name}", formula=t.latex, substituted=t.substituted,
                            value=fmt(t.value)) for t in coef])
    quad = formula_text(a, b, c)[8:-1].replace("*", " ")
    quad_tex = " + ".join(p for p in (
        rf"{fmt(a)}x^2" if a else "", rf"{fmt(b)}x" if b else "", fmt(c) if c or not (a or b) else "") if p)
    quad_tex = quad_tex.replace("+ -", "- ")
    sol.step("So the optimal discriminator is", formula=rf"D^*(x) = \sigma\left({quad_tex}\right)")
    del quad
    if at.size:
        sub = []
        for x, v in zip(at, values):
            lp, lg = float(P.log_prob(x)), float(G.log_prob(x))
            sub.append(Step(f"x = {fmt(x)}", formula=rf"p_{{data}} = {fmt(math.exp(lp), 5)},\ p_g = {fmt(math.exp(lg), 5)}",
                            value=rf"D^*({fmt(x)}) = {fmt(v)}"))
        sol.step("Values at the given points", substeps=sub)
    if cross:
        if len(cross) == 2:
            mid = optimal_discriminator_at(P, G, np.array([(cross[0] + cross[1]) / 2]))[0]
            where = ("D* < 1/2 between them (p_g dominates), D* > 1/2 outside (p_data dominates)"
                     if mid < 0.5 else
                     "D* > 1/2 between them (p_data dominates), D* < 1/2 outside (p_g dominates)")
        else:
            where = ("D* > 1/2 to the right (p_data dominates)" if (b > 0 if a == 0 else a > 0)
                     else "D* > 1/2 to the left (p_data dominates)")
        sol.step(f"D* = 1/2 where the two densities are equal (roots of the quadratic); {where}",
                 formula=rf"{quad_tex} = 0", value="x = " + ",\\ ".join(fmt(r) for r in cross))
    sol.step("Value of the GAN game at the optimal discriminator (JSD by quadrature)",
             formula=game.latex,
             substituted=rf"-{fmt(math.log(4))} + 2 \cdot {fmt(jsd, 6)}", value=fmt(game.total))
    return sol


register("optimal_discriminator", parse, solve, "optimal GAN discriminator for two Gaussians, values, game value")
