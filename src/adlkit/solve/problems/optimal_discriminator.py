"""Problem type ``optimal_discriminator``: D*(x) = p_data / (p_data + p_g) for two Gaussians
(question 4B), in the sheet's form and as a sigmoid of the quadratic log-ratio, its values, where
it equals 1/2, and the value of the GAN game at D* (-log 4 + 2 JSD).

Computed by :mod:`adlkit.gan.optimal` (and :mod:`adlkit.divergences` for the JSD).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from adlkit.core.numbers import fmt
from adlkit.gan.optimal import crossing_points, log_ratio_coefficients, optimal_discriminator_at, value_at_optimum
from adlkit.plotting import subplots
from adlkit.solve.common import GAUSSIAN_CONVENTION, draw_normal, draw_numbers, gaussian_text, maybe, read_step
from adlkit.solve.figures import save, two_gaussians
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import Param
from adlkit.solve.slips import swapped, variance_as_std
from adlkit.solve.unit import ProblemType

PARAMETERS = (
    Param("p_data", "gaussian", "the data distribution (univariate Gaussian)", univariate=True,
          draw=lambda rng, d: draw_normal(rng)),
    Param("p_g", "gaussian", "the generator's distribution (univariate Gaussian)", univariate=True,
          draw=lambda rng, d: draw_normal(rng)),
    Param("at", "number_list", "points x at which to evaluate D*(x)", default=[], default_text="none",
          draw=lambda rng, d: maybe(rng, draw_numbers(rng, int(rng.integers(1, 5)), -4, 6), 0.8)),
)


def statement(params: dict[str, Any]) -> str:
    pd, pg = gaussian_text(params["p_data"]), gaussian_text(params["p_g"])
    at = params["at"]
    where = f", evaluate it at x = {', '.join(fmt(float(x)) for x in at)}" if len(at) else ""
    return (f"For a fixed generator with p_g = {pg} and data p_data = {pd} (N(m, v): mean m, variance v), "
            f"derive the optimal discriminator D*(x){where}, find where D* = 1/2, and give the value "
            "of the GAN game at D*.")


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
    pd, pg = params["p_data"], params["p_g"]
    coef = log_ratio_coefficients(pd, pg)
    a, b, c = (coef[k].value for k in ("a", "b", "c"))
    at = np.asarray(params["at"], dtype=np.float64)
    values = optimal_discriminator_at(pd, pg, at) if at.size else np.array([])
    cross = crossing_points(pd, pg)
    game = value_at_optimum(pd, pg)
    jsd = game["two_jsd"].value / 2
    sol = Solution(pid, "optimal_discriminator", answers={
        "values": [float(v) for v in values],
        "formula": formula_text(a, b, c),
        "log_ratio": {"a": a, "b": b, "c": c},
        "half_at": cross,
        "game_value": float(game.total),
        "jsd": jsd,
        "value": float(game.total),
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
        "jsd": "JSD(p_data || p_g) in nats (quadrature), between 0 and log 2",
        "value": "the same game value V(D*, G) = -log 4 + 2 JSD (the contract's name; game_value kept)",
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
            lp, lg = float(pd.log_prob(x)), float(pg.log_prob(x))
            sub.append(Step(f"x = {fmt(x)}", formula=rf"p_{{data}} = {fmt(math.exp(lp), 5)},\ p_g = {fmt(math.exp(lg), 5)}",
                            value=rf"D^*({fmt(x)}) = {fmt(v)}"))
        sol.step("Values at the given points", substeps=sub)
    if cross:
        if len(cross) == 2:
            mid = optimal_discriminator_at(pd, pg, np.array([(cross[0] + cross[1]) / 2]))[0]
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


def figure(sol: Solution, p: dict[str, Any], out: Path) -> dict[str, str]:
    fig, ax = subplots(figsize=(7, 4))
    xs = two_gaussians(ax, p["p_data"], p["p_g"], ("p_data", "p_g"))
    ax2 = ax.twinx()
    d = optimal_discriminator_at(p["p_data"], p["p_g"], xs)
    ax2.plot(xs, d, color="C2", lw=2, label="D*(x)")
    ax2.axhline(0.5, color="grey", lw=0.8, ls=":")
    if sol.answers.get("values"):
        ax2.scatter(p["at"], sol.answers["values"], color="C2", zorder=5)
    ax2.set_ylim(-0.02, 1.02)
    ax2.set_ylabel("D*(x)")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper left", fontsize=8)
    ax.set_title("Optimal discriminator D*(x) = p_data / (p_data + p_g)")
    return {"discriminator": save(fig, out, f"{sol.id}_discriminator")}


UNIT = ProblemType(
    name="optimal_discriminator",
    summary="optimal GAN discriminator for two Gaussians, values, game value",
    parameters=PARAMETERS,
    solve=solve,
    statement=statement,
    answers=("values", "formula", "log_ratio", "half_at", "game_value", "jsd", "value"),
    slips=(variance_as_std("p_data", "p_g"),
           swapped("p_data_p_g_swapped", "p_data and p_g swapped (D*(x) is the probability that x is REAL)",
                   "p_data", "p_g", ("values",))),
    figures=(figure,),
    example={"p_data": "N(3, 2)", "p_g": "N(4, 1)", "at": [1, 2, 3, 4, 5, 6]},
    modules=(7,),
)
