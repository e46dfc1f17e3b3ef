"""Figures for worked solutions, where a person would rather look than read.

:func:`attach_figures` draws, for each solved problem whose type has a figure, PNG files into a
directory and records them in ``Solution.figures`` (name -> path relative to that directory), so
the Markdown printer emits ``![name](path)`` next to the solution. Only called when the user asks
for figures (``--out DIR``); matplotlib is imported then and not before (its object-oriented
API, :func:`adlkit.plotting.subplots`: no backend is chosen).

Every figure is computed with the same library code as the answers: densities and D* from
:mod:`adlkit.gan.optimal`, |f'| from the parsed expression's derivative, the Bernoulli
log-likelihood from :mod:`adlkit.mle`, the coupling layer from :mod:`adlkit.flows`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from adlkit.plotting import subplots
from adlkit.solve.model import Solution, SolvedSheet

FigureFn = Callable[[Solution, dict[str, Any], Path], dict[str, str]]
FIGURES: dict[str, FigureFn] = {}


def figure(ptype: str) -> Callable[[FigureFn], FigureFn]:
    def deco(fn: FigureFn) -> FigureFn:
        FIGURES[ptype] = fn
        return fn

    return deco



def _save(fig, outdir: Path, name: str) -> str:
    path = outdir / f"{name}.png"
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path.name


def attach_figures(sheet: SolvedSheet, parsed: list[tuple[str, str, dict[str, Any]]],
                   outdir: str | Path) -> list[str]:
    """Draw the figures of every problem that has one into ``outdir``; returns the file names."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    params = {pid: (ptype, p) for pid, ptype, p in parsed}
    written: list[str] = []
    for sol in sheet.results:
        ptype, p = params[sol.id]
        fn = FIGURES.get(ptype)
        if fn is None:
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            figs = fn(sol, p, out)
        sol.figures.update(figs)
        written.extend(figs.values())
    return written


# --------------------------------------------------------------------------------------------

def _gaussian_range(gs) -> tuple[float, float]:
    lo = min(g.mean - 4 * math.sqrt(g.var) for g in gs)
    hi = max(g.mean + 4 * math.sqrt(g.var) for g in gs)
    return lo, hi


def _two_gaussians(ax, p, q, labels) -> np.ndarray:
    from adlkit.solve.problems.kl import to_distribution

    lo, hi = _gaussian_range([p, q])
    xs = np.linspace(lo, hi, 600)
    for g, lab, c in ((p, labels[0], "C0"), (q, labels[1], "C1")):
        ax.plot(xs, to_distribution(g).pdf(xs), color=c, label=f"{lab} = N({g.mean:g}, {g.var:g})")
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    return xs


@figure("optimal_discriminator")
def _fig_discriminator(sol: Solution, p: dict[str, Any], out: Path) -> dict[str, str]:
    from adlkit.gan.optimal import optimal_discriminator_at
    from adlkit.solve.problems.kl import to_distribution

    fig, ax = subplots(figsize=(7, 4))
    xs = _two_gaussians(ax, p["p_data"], p["p_g"], ("p_data", "p_g"))
    ax2 = ax.twinx()
    d = optimal_discriminator_at(to_distribution(p["p_data"]), to_distribution(p["p_g"]), xs)
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
    return {"discriminator": _save(fig, out, f"{sol.id}_discriminator")}


def _two_gaussian_figure(title: str, labels=("p", "q"), keys=("p", "q")) -> FigureFn:
    def fn(sol: Solution, p: dict[str, Any], out: Path) -> dict[str, str]:
        a, b = p.get(keys[0]), p.get(keys[1])
        if a is None or getattr(a, "multivariate", True) or b is None or b.multivariate:
            return {}
        fig, ax = subplots(figsize=(7, 3.6))
        _two_gaussians(ax, a, b, labels)
        ax.legend(fontsize=8)
        ax.set_title(title.format(**{k: v for k, v in sol.answers.items() if isinstance(v, float)}))
        return {"distributions": _save(fig, out, f"{sol.id}_distributions")}

    return fn


FIGURES["kl"] = _two_gaussian_figure("KL(p||q) = {kl_pq:.4f},  KL(q||p) = {kl_qp:.4f}")
FIGURES["jsd"] = _two_gaussian_figure("JSD(p||q) = {jsd:.4f} nats")


@figure("wasserstein")
def _fig_wasserstein(sol: Solution, p: dict[str, Any], out: Path) -> dict[str, str]:
    if p["kind"] == "gaussian":
        return _two_gaussian_figure(f"W_{int(p['p'])} = {{distance:.4f}}", ("a", "b"), ("a", "b"))(sol, p, out)
    fig, ax = subplots(figsize=(7, 3.2))
    xs, ys = np.sort(p["a"]), np.sort(p["b"])
    for _i, (x, y) in enumerate(zip(xs, ys)):
        ax.plot([x, y], [1, 0], color="grey", lw=0.8)
    ax.scatter(xs, np.ones_like(xs), label="a (sorted)")
    ax.scatter(ys, np.zeros_like(ys), label="b (sorted)")
    ax.set_yticks([0, 1], ["b", "a"])
    ax.set_title(f"Sorted matching: W_{int(p['p'])} = {sol.answers['distance']:.4f}")
    return {"matching": _save(fig, out, f"{sol.id}_matching")}


def _plot_range(domain: tuple[float, float], centre: float = 0.0) -> tuple[float, float]:
    a, b = domain
    lo = a if math.isfinite(a) else (min(b - 6, centre - 4) if math.isfinite(b) else centre - 4)
    hi = b if math.isfinite(b) else (max(a + 6, centre + 4) if math.isfinite(a) else centre + 4)
    return lo, hi


@figure("lipschitz")
def _fig_lipschitz(sol: Solution, p: dict[str, Any], out: Path) -> dict[str, str]:
    import sympy as sp

    from adlkit.core.expr import evaluate, symbol

    x = symbol("x")
    f = p["f"]
    df = sp.diff(f, x)
    lo, hi = _plot_range(p["domain"])
    xs = np.linspace(lo, hi, 800)
    fv = np.broadcast_to(np.asarray(evaluate(f, {x: xs}), dtype=float), xs.shape)
    dv = np.abs(np.broadcast_to(np.asarray(evaluate(df, {x: xs}), dtype=float), xs.shape))
    fig, (a1, a2) = subplots(1, 2, figsize=(9, 3.6))
    a1.plot(xs, fv, color="C0")
    a1.set_title("f(x)")
    a2.plot(xs, dv, color="C3", label="|f'(x)|")
    K = sol.answers["constant"]
    if math.isfinite(K):
        a2.axhline(K, color="k", ls="--", lw=1, label=f"K = {K:.4g}")
    a2.axhline(1, color="C2", ls=":", lw=1, label="WGAN bound 1")
    finite = dv[np.isfinite(dv)]
    if finite.size and finite.max() > 1e3 * max(float(np.median(finite)), 1e-12):
        a2.set_yscale("log")  # |f'| spans many orders of magnitude
    a2.set_title("|f'(x)|" + ("" if math.isfinite(K) else "  (unbounded: K = inf)"))
    a2.legend(fontsize=8)
    for a in (a1, a2):
        a.set_xlabel("x")
    return {"derivative": _save(fig, out, f"{sol.id}_derivative")}


@figure("partition_function")
def _fig_partition(sol: Solution, p: dict[str, Any], out: Path) -> dict[str, str]:
    from adlkit.core.expr import evaluate, symbol

    x = symbol("x")
    centre = 0.0
    lo, hi = _plot_range(p["domain"])
    xs = np.linspace(lo, hi, 800)
    fv = np.broadcast_to(np.asarray(evaluate(p["f"], {x: xs}), dtype=float), xs.shape)
    if np.all(np.isfinite(fv)) and fv.max() > 0 and math.isinf(p["domain"][0]) and math.isinf(p["domain"][1]):
        centre = float(np.sum(xs * fv) / np.sum(fv))  # re-centre on the mass
        lo, hi = centre - 8, centre + 8
        xs = np.linspace(lo, hi, 800)
        fv = np.broadcast_to(np.asarray(evaluate(p["f"], {x: xs}), dtype=float), xs.shape)
    fig, ax = subplots(figsize=(7, 3.6))
    ax.plot(xs, fv, color="C0", label="unnormalised f(x)")
    Z = sol.answers["Z"]
    if math.isfinite(Z):
        ax.fill_between(xs, 0, fv, color="C0", alpha=0.25, label=f"area Z = {Z:.4f}")
        ax.plot(xs, fv / Z, color="C1", label="normalised p(x) = f(x)/Z")
    ax.set_xlabel("x")
    ax.legend(fontsize=8)
    ax.set_title("Partition function" + ("" if math.isfinite(Z) else ": the area is infinite"))
    return {"density": _save(fig, out, f"{sol.id}_density")}


@figure("bernoulli_mle")
def _fig_bernoulli(sol: Solution, p: dict[str, Any], out: Path) -> dict[str, str]:
    from adlkit.mle import bernoulli_log_likelihood

    if p["per_pixel"]:
        return {}
    k, n, ph = sol.answers["k"], sol.answers["n"], sol.answers["p_hat"]
    ps = np.linspace(1e-3, 1 - 1e-3, 800)
    ll = bernoulli_log_likelihood(k, n, ps)
    fig, ax = subplots(figsize=(7, 3.6))
    ax.plot(ps, ll, color="C0", label=f"l(p) = {k:g} log p + {n - k:g} log(1-p)")
    ax.axvline(ph, color="C3", ls="--", lw=1)
    ax.scatter([ph], [sol.answers["log_likelihood"]], color="C3", zorder=5,
               label=f"maximum at p = {ph:.4g}")
    ax.set_ylim(max(float(ll.min()), sol.answers["log_likelihood"] - 30), sol.answers["log_likelihood"] + 2)
    ax.set_xlabel("p")
    ax.set_ylabel("log-likelihood")
    ax.legend(fontsize=8)
    return {"log_likelihood": _save(fig, out, f"{sol.id}_log_likelihood")}


@figure("coupling")
def _fig_coupling(sol: Solution, p: dict[str, Any], out: Path) -> dict[str, str]:
    import torch

    from adlkit.flows import AffineCoupling, split_mask
    from adlkit.solve.problems.coupling import _conditioner

    x0 = np.asarray(p["x"], dtype=float)
    if x0.size != 2:
        return {}
    d = int(p["split"])
    cond, _, _ = _conditioner(p["s"], p["t"], d, 2 - d)
    layer = AffineCoupling(split_mask(2, d, bool(p["flip"])), cond)
    lines = []
    ticks = np.linspace(-2, 2, 9)
    fine = np.linspace(-2, 2, 100)
    for c in ticks:
        lines.append(np.stack([np.full_like(fine, c), fine], 1))
        lines.append(np.stack([fine, np.full_like(fine, c)], 1))
    fig, (a1, a2) = subplots(1, 2, figsize=(9, 4))
    with torch.no_grad():
        for seg in lines:
            y, _ = layer(torch.tensor(seg, dtype=torch.float64))
            a1.plot(seg[:, 0], seg[:, 1], color="C0", lw=0.7)
            a2.plot(y[:, 0].numpy(), y[:, 1].numpy(), color="C1", lw=0.7)
        y0, _ = layer(torch.tensor(x0[None, :], dtype=torch.float64))
    a1.scatter([x0[0]], [x0[1]], color="C3", zorder=5, label=f"x = {x0.tolist()}")
    a2.scatter([float(y0[0, 0])], [float(y0[0, 1])], color="C3", zorder=5,
               label=f"y = [{float(y0[0, 0]):.4g}, {float(y0[0, 1]):.4g}]")
    a1.set_title("grid in x")
    a2.set_title("its image y = coupling(x)")
    for a in (a1, a2):
        a.legend(fontsize=8)
        a.set_xlabel("coordinate 1")
        a.set_ylabel("coordinate 2")
    return {"coupling_grid": _save(fig, out, f"{sol.id}_coupling_grid")}
