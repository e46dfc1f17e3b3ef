"""Problem type ``wasserstein``: W_1 or W_2 between Gaussians or equal-size 1-D samples
(question 3B). Computed by :func:`adlkit.divergences.wasserstein_terms`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from adlkit.core.numbers import fmt
from adlkit.divergences import WASSERSTEIN, Empirical, wasserstein_terms
from adlkit.plotting import subplots
from adlkit.solve.common import (
    DISTRIBUTION_CONVENTION,
    GAUSSIAN_CONVENTION,
    distribution_read_step,
    distribution_text,
    draw_distribution,
    draw_numbers,
    is_gaussian,
    maybe,
    pair_registered,
    read_step,
    same_shape,
)
from adlkit.solve.figures import distribution_pair_figure, save
from adlkit.solve.model import Solution
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import variance_as_std
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType


def _gaussians_given(f: Fields) -> bool:
    return f.has("a") or f.has("b")


def _samples_given(f: Fields) -> bool:
    return f.has("a_samples") or f.has("b_samples")


def _draw_a(rng, drawn):
    if rng.random() < 0.3:
        return OMIT  # samples instead
    return draw_distribution(rng, drawn, multivariate=0.0 if drawn.get("p", 2) == 1 else 0.25)


def _draw_a_samples(rng, drawn):
    return OMIT if "a" in drawn else draw_numbers(rng, int(rng.integers(2, 7)), -5, 5)


PARAMETERS = (
    Param("p", "choice", "the order p of W_p", default=2, choices=(1, 2),
          draw=lambda rng, d: maybe(rng, int(rng.integers(1, 3)))),
    Param("a", "distribution", "the first distribution: a Gaussian, a discrete (1-D support) or a uniform "
          "(or give samples a_samples, b_samples instead)",
          when=lambda f: not _samples_given(f), draw=_draw_a),
    Param("b", "distribution", "the second distribution (a Gaussian of the same dimension as a, or 1-D)",
          when=lambda f: not _samples_given(f),
          draw=lambda rng, d: draw_distribution(rng, d, like="a") if "a" in d else OMIT),
    Param("a_samples", "number_list", "the first 1-D sample (instead of Gaussians a, b)",
          when=lambda f: _samples_given(f) and not _gaussians_given(f), draw=_draw_a_samples),
    Param("b_samples", "number_list", "the second sample, of the same length as a_samples",
          when=lambda f: _samples_given(f) and not _gaussians_given(f),
          draw=lambda rng, d: draw_numbers(rng, len(d["a_samples"]), -5, 5) if "a_samples" in d else OMIT),
)


TEXT = {
    "mean": "Squared distance between the means",
    "std": "Squared difference of the standard deviations (not of the variances)",
    "bures": "Bures term of the covariances",
    "quantile_difference": "Difference of the quantile functions",
    "crossing": "The quantile functions cross at this z (the integrand has a kink there)",
    "integral": "Integrate over u, substituting u = Phi(z) (adaptive quadrature)",
    "sorted_a": "Sort the first sample",
    "sorted_b": "Sort the second sample",
    "mean_cost": "Pair the i-th smallest values and average the cost",
}


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    p = params["p"]
    if _gaussians_given(f) and _samples_given(f):
        f.error("a_samples", "give either Gaussians 'a', 'b' or samples 'a_samples', 'b_samples', not both")
        return {"p": p, "kind": INVALID}
    if _samples_given(f):
        a, b = params["a_samples"], params["b_samples"]
        if a is not INVALID and b is not INVALID and len(a) != len(b):
            f.error("b_samples", f"must have the same length as 'a_samples' ({len(a)}), got {len(b)}")
        return {**params, "kind": "samples"}
    a, b = params["a"], params["b"]
    if same_shape(f, "a", "b", a, b):
        if a.multivariate and p == 1:
            f.error("p", "must be 2 for multivariate Gaussians (W1 has no closed form there), got 1")
        else:
            pair_registered(f, WASSERSTEIN, "a", "b", a, b)
    if a is not INVALID and b is not INVALID and not (is_gaussian(a) and is_gaussian(b)):
        return {**params, "kind": "distribution"}
    return {**params, "kind": "gaussian"}


def statement(params: dict[str, Any]) -> str:
    p = int(params["p"])
    if params["kind"] == "samples":
        a, b = (", ".join(fmt(v) for v in params[k]) for k in ("a_samples", "b_samples"))
        return (f"Compute the Wasserstein distance W_{p} between the empirical distributions of the "
                f"samples a = [{a}] and b = [{b}].")
    a, b = distribution_text(params["a"]), distribution_text(params["b"])
    if params["kind"] == "distribution":
        return f"Compute the Wasserstein distance W_{p} between a = {a} and b = {b} on the real line."
    return f"Compute the Wasserstein distance W_{p} between a = {a} and b = {b} (N(m, v): mean m, variance v)."


def solve(pid: str, params: dict[str, Any]) -> Solution:
    p = int(params["p"])
    sol = Solution(pid, "wasserstein", answers={})
    if params["kind"] == "samples":
        A, B = Empirical(params["a_samples"]), Empirical(params["b_samples"])
        sol.conventions = {
            "definition": f"W_{p}(P, Q) = ((1/n) sum_i |X_(i) - Y_(i)|^{p})^(1/{p}) over the sorted "
                          "samples (the sheet's definition; in 1-D the sorted pairing is the optimal coupling)",
            "samples": "each sample is an empirical distribution with mass 1/n per point; equal sizes",
        }
        sol.step(f"The samples have n = {A.n} points each; in one dimension the optimal transport "
                 "plan matches them in sorted order")
    elif params["kind"] == "gaussian":
        A, B = params["a"], params["b"]
        sol.conventions = {
            "gaussian": GAUSSIAN_CONVENTION,
            "definition": f"W_{p} = (inf over couplings of E|X - Y|^{p})^(1/{p}), Euclidean distance",
            "method": ("closed form for W2 between Gaussians (Bures form in several dimensions)" if p == 2
                       else "W1 between 1-D Gaussians by the quantile integral int_0^1 |F^-1(u) - G^-1(u)| du "
                            "(adaptive quadrature)"),
        }
        sol.step("Read the two Gaussians", substeps=[read_step("a", A, "1"), read_step("b", B, "2")])
    else:
        A, B = params["a"], params["b"]
        sol.conventions = {
            "distributions": DISTRIBUTION_CONVENTION + "; " + GAUSSIAN_CONVENTION,
            "definition": f"W_{p} = (inf over couplings of E|X - Y|^{p})^(1/{p}) on the real line; in 1-D the monotone "
                          f"coupling is optimal, so W_{p}^{p} = int_0^1 |F^-1(u) - G^-1(u)|^{p} du (quantile functions)",
            "method": "the quantile integral split at every level of a discrete CDF: exact on pieces where both quantile "
                      "functions are affine in u (discrete: constant, uniform: a + (b - a) u), adaptive quadrature "
                      "(u = Phi(z)) on pieces with a Gaussian",
            "quantile": "F^-1(u) = the smallest x with F(x) >= u",
        }
        sol.step("Read the two distributions",
                 substeps=[distribution_read_step("a", A, "1"), distribution_read_step("b", B, "2")])
    terms = wasserstein_terms(A, B, p=p)
    sol.step(f"Formula for W_{p}", formula=terms.latex)
    for t in terms:
        value = "" if t.value != t.value else fmt(t.value)  # NaN: a descriptive term
        sol.step(TEXT.get(t.name, t.name), formula=t.latex, substituted=t.substituted, value=value)
    d = float(terms.total)
    inner = " + ".join(fmt(t.value) for t in terms if t.value == t.value and t.name in ("mean", "std", "bures"))
    if inner:
        sol.step("Add and take the square root", formula=rf"W_{p}",
                 substituted=rf"\sqrt{{{inner}}}", value=fmt(d))
    elif params["kind"] == "distribution":
        total = sum(t.value for t in terms)
        sol.step("Add the pieces" + (f" and take the {p}-th root" if p > 1 else ""), formula=rf"W_{p}",
                 substituted=rf"({fmt(total)})^{{1/{p}}}" if p > 1 else fmt(total), value=fmt(d))
    elif params["kind"] == "samples":
        mc = terms["mean_cost"].value
        sol.step(f"Take the {p}-th root" if p > 1 else "The distance",
                 formula=rf"W_{p}", substituted=rf"{fmt(mc)}^{{1/{p}}}" if p > 1 else "", value=fmt(d))
    else:
        sol.step("The distance", formula=rf"W_{p}", value=fmt(d))
    sol.answers = {"distance": d}
    return sol


def figure(sol: Solution, p: dict[str, Any], out: Path) -> dict[str, str]:
    if p["kind"] in ("gaussian", "distribution"):
        return distribution_pair_figure(f"W_{int(p['p'])} = {{distance:.4f}}", ("a", "b"), ("a", "b"))(sol, p, out)
    fig, ax = subplots(figsize=(7, 3.2))
    xs, ys = np.sort(p["a_samples"]), np.sort(p["b_samples"])
    for _i, (x, y) in enumerate(zip(xs, ys)):
        ax.plot([x, y], [1, 0], color="grey", lw=0.8)
    ax.scatter(xs, np.ones_like(xs), label="a (sorted)")
    ax.scatter(ys, np.zeros_like(ys), label="b (sorted)")
    ax.set_yticks([0, 1], ["b", "a"])
    ax.set_title(f"Sorted matching: W_{int(p['p'])} = {sol.answers['distance']:.4f}")
    return {"matching": save(fig, out, f"{sol.id}_matching")}


UNIT = ProblemType(
    name="wasserstein",
    summary="W1/W2 between Gaussians (closed form / quantile integral), discrete or uniform distributions, or 1-D samples",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("distance",),
    slips=(variance_as_std("a", "b"),),
    figures=(figure,),
    example={"p": 2, "a": "N(3, 2)", "b": "N(4, 1)"},
    modules=(7,),
)
