"""Problem type ``wasserstein``: W_1 or W_2 between Gaussians or equal-size 1-D samples
(question 3B). Computed by :func:`adlkit.divergences.wasserstein_terms`."""

from __future__ import annotations

from typing import Any

from adlkit.core.numbers import fmt
from adlkit.solve.model import Solution
from adlkit.solve.problems.kl import GAUSSIAN_CONVENTION, read_step, same_shape, to_distribution
from adlkit.solve.registry import register
from adlkit.solve.spec import INVALID, Fields

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


def parse(f: Fields) -> dict[str, Any]:
    p = f.choice("p", [1, 2], default=2)
    if isinstance(p, bool):  # true == 1 in Python: refuse it explicitly
        p = f.error("p", f"must be one of 1, 2, got {p!r}")
    gauss = f.has("a") or f.has("b")
    samples = f.has("a_samples") or f.has("b_samples")
    out: dict[str, Any] = {"p": p}
    if gauss and samples:
        f.error("a_samples", "give either Gaussians 'a', 'b' or samples 'a_samples', 'b_samples', not both")
        f.used.update({"a", "b", "a_samples", "b_samples"})
        out["kind"] = INVALID
        return out
    if samples:
        a = f.number_list("a_samples")
        b = f.number_list("b_samples")
        if a is not INVALID and b is not INVALID and len(a) != len(b):
            f.error("b_samples", f"must have the same length as 'a_samples' ({len(a)}), got {len(b)}")
        out.update(kind="samples", a=a, b=b)
        return out
    a = f.gaussian("a")
    b = f.gaussian("b")
    if same_shape(f, "a", "b", a, b) and a.multivariate and p == 1:
        f.error("p", "must be 2 for multivariate Gaussians (W1 has no closed form there), got 1")
    out.update(kind="gaussian", a=a, b=b)
    return out


def solve(pid: str, params: dict[str, Any]) -> Solution:
    from adlkit.divergences import Empirical, wasserstein_terms

    p = int(params["p"])
    sol = Solution(pid, "wasserstein", answers={})
    if params["kind"] == "samples":
        A, B = Empirical(params["a"]), Empirical(params["b"])
        sol.conventions = {
            "definition": f"W_{p}(P, Q) = ((1/n) sum_i |X_(i) - Y_(i)|^{p})^(1/{p}) over the sorted "
                          "samples (the sheet's definition; in 1-D the sorted pairing is the optimal coupling)",
            "samples": "each sample is an empirical distribution with mass 1/n per point; equal sizes",
        }
        sol.step(f"The samples have n = {A.n} points each; in one dimension the optimal transport "
                 "plan matches them in sorted order")
    else:
        a, b = params["a"], params["b"]
        A, B = to_distribution(a), to_distribution(b)
        sol.conventions = {
            "gaussian": GAUSSIAN_CONVENTION,
            "definition": f"W_{p} = (inf over couplings of E|X - Y|^{p})^(1/{p}), Euclidean distance",
            "method": ("closed form for W2 between Gaussians (Bures form in several dimensions)" if p == 2
                       else "W1 between 1-D Gaussians by the quantile integral int_0^1 |F^-1(u) - G^-1(u)| du "
                            "(adaptive quadrature)"),
        }
        sol.step("Read the two Gaussians", substeps=[read_step("a", a, "1"), read_step("b", b, "2")])
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
    elif params["kind"] == "samples":
        mc = terms["mean_cost"].value
        sol.step(f"Take the {p}-th root" if p > 1 else "The distance",
                 formula=rf"W_{p}", substituted=rf"{fmt(mc)}^{{1/{p}}}" if p > 1 else "", value=fmt(d))
    else:
        sol.step("The distance", formula=rf"W_{p}", value=fmt(d))
    sol.answers = {"distance": d}
    return sol


register("wasserstein", parse, solve, "W1/W2 between Gaussians (closed form / quantile integral) or 1-D samples")
