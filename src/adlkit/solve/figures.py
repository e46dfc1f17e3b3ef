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
