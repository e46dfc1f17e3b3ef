"""Figures for worked solutions, where a person would rather look than read.

:func:`attach_figures` draws, for each solved problem whose type has figures (its unit's
``figures``), PNG files into a directory and records them in ``Solution.figures`` (name -> path
relative to that directory), so the Markdown printer emits ``![name](path)`` next to the
solution. Only called when the user asks for figures (``--out DIR``, ``--format html``);
matplotlib is imported then and not before (its object-oriented API,
:func:`adlkit.plotting.subplots`: no backend is chosen).

The figures themselves live in the problem modules, next to the solve whose library code they
use; the helpers here are shared by several of them.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from adlkit.plotting import subplots
from adlkit.solve.model import Solution, SolvedSheet
from adlkit.solve.registry import problem_types


def save(fig, outdir: Path, name: str) -> str:
    """Write ``fig`` as ``<outdir>/<name>.png``; returns the file name."""
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
    units = problem_types()
    written: list[str] = []
    for sol in sheet.results:
        ptype, p = params[sol.id]
        for fn in units[ptype].figures:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                figs = fn(sol, p, out)
            sol.figures.update(figs)
            written.extend(figs.values())
    return written


# -- shared by the figures of several types ----------------------------------------------------------
def _gaussian_range(gs) -> tuple[float, float]:
    lo = min(g.mean - 4 * math.sqrt(g.var) for g in gs)
    hi = max(g.mean + 4 * math.sqrt(g.var) for g in gs)
    return lo, hi


def two_gaussians(ax, p, q, labels) -> np.ndarray:
    """Plot the densities of two univariate Gaussians on ``ax``; returns the x grid."""
    lo, hi = _gaussian_range([p, q])
    xs = np.linspace(lo, hi, 600)
    for g, lab, c in ((p, labels[0], "C0"), (q, labels[1], "C1")):
        ax.plot(xs, g.pdf(xs), color=c, label=f"{lab} = N({g.mean:g}, {g.var:g})")
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    return xs


def two_gaussian_figure(title: str, labels=("p", "q"), keys=("p", "q")):
    """The figure of two univariate Gaussian parameters ``keys``, titled with the answers
    (``title`` is formatted with the float answers); none when either is multivariate."""

    def fn(sol: Solution, p: dict[str, Any], out: Path) -> dict[str, str]:
        a, b = p.get(keys[0]), p.get(keys[1])
        if a is None or getattr(a, "multivariate", True) or b is None or b.multivariate:
            return {}
        fig, ax = subplots(figsize=(7, 3.6))
        two_gaussians(ax, a, b, labels)
        ax.legend(fontsize=8)
        ax.set_title(title.format(**{k: v for k, v in sol.answers.items() if isinstance(v, float)}))
        return {"distributions": save(fig, out, f"{sol.id}_distributions")}

    return fn


def plot_range(domain: tuple[float, float], centre: float = 0.0) -> tuple[float, float]:
    """The x range to plot a function on ``domain`` (infinite ends cut around ``centre``)."""
    a, b = domain
    lo = a if math.isfinite(a) else (min(b - 6, centre - 4) if math.isfinite(b) else centre - 4)
    hi = b if math.isfinite(b) else (max(a + 6, centre + 4) if math.isfinite(a) else centre + 4)
    return lo, hi


# -- discrete and uniform distributions (kl, jsd, wasserstein) ---------------------------------------
def _pair_range(ds) -> tuple[float, float]:
    """An x range showing every distribution of ``ds`` (1-D): a Gaussian's mean +- 4 std, a
    uniform's interval, a discrete one's support points, padded by 15 %."""
    from adlkit.divergences.types import Discrete, Uniform

    ends = []
    for d in ds:
        if isinstance(d, Uniform):
            ends += [d.low, d.high]
        elif isinstance(d, Discrete):
            ends += [float(d.support.min()), float(d.support.max())]
        else:
            ends += [d.mean - 4 * math.sqrt(d.var), d.mean + 4 * math.sqrt(d.var)]
    lo, hi = min(ends), max(ends)
    pad = 0.15 * (hi - lo) if hi > lo else 1.0
    return lo - pad, hi + pad


def distribution_pair_figure(title: str, labels=("p", "q"), keys=("p", "q")):
    """The figure of two 1-D distributions ``keys`` of any kind (Gaussian, uniform, discrete),
    titled with the answers (``title`` is formatted with the float answers, ``inf`` included).
    Two Gaussians: :func:`two_gaussian_figure`. Otherwise densities are lines (a uniform's a
    box) and a discrete distribution's probabilities are bars, on their own right-hand axis
    when the other distribution has a density (a probability and a density are not in the same
    units). None for a multivariate Gaussian."""
    from adlkit.divergences.types import Discrete, Normal

    gaussians = two_gaussian_figure(title, labels, keys)

    def fn(sol: Solution, p: dict[str, Any], out: Path) -> dict[str, str]:
        ds = [p.get(k) for k in keys]
        if any(d is None or getattr(d, "multivariate", True) for d in ds):
            return {}
        if all(isinstance(d, Normal) for d in ds):
            return gaussians(sol, p, out)
        from adlkit.solve.common import distribution_text

        lo, hi = _pair_range(ds)
        xs = np.linspace(lo, hi, 800)
        fig, ax = subplots(figsize=(7, 3.6))
        discrete = [d for d in ds if isinstance(d, Discrete)]
        bar_ax = ax if len(discrete) == len(ds) else (ax.twinx() if discrete else None)
        points = np.unique(np.concatenate([d.support for d in discrete])) if discrete else np.array([])
        gap = float(np.diff(points).min()) if len(points) > 1 else (hi - lo) / 4
        width = 0.35 * min(gap, (hi - lo) / 4)
        handles = []
        top = {"density": 0.0, "probability": 0.0}  # the tallest line and bar: room above them for the legend
        for i, (d, lab) in enumerate(zip(ds, labels)):
            colour = f"C{i}"
            text = f"{lab} = {distribution_text(d)}"
            if isinstance(d, Discrete):
                offset = (i - 0.5) * width if len(discrete) == 2 else 0.0
                handles.append(bar_ax.bar(d.support + offset, d.probs, width=width, color=colour, alpha=0.7,
                                          label=text))
                top["probability"] = max(top["probability"], float(d.probs.max()))
            else:
                ys = d.pdf(xs)
                handles += ax.plot(xs, ys, color=colour, label=text)
                top["density"] = max(top["density"], float(ys.max()))
        for a, what in ((ax, "density" if bar_ax is not ax else "probability"), (bar_ax, "probability")):
            if a is not None:
                a.set_ylabel(what)
                a.set_ylim(0, 1.45 * top[what])
        ax.set_xlim(lo, hi)
        ax.set_xlabel("x")
        ax.legend(handles=handles, fontsize=8, loc="upper left")
        ax.set_title(title.format(**{k: v for k, v in sol.answers.items() if isinstance(v, float)}))
        return {"distributions": save(fig, out, f"{sol.id}_distributions")}

    return fn
