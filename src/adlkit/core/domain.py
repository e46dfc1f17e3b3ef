"""Intervals of the real line, possibly infinite: parsing, formatting, SymPy bounds.

One reading of a domain for every layer: ``[a, b]`` with numbers or the strings ``"-oo"``,
``"oo"`` (also ``inf``, ``infinity``, with an optional sign); ``None`` is the real line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from adlkit.core.numbers import fmt

REAL_LINE = (-math.inf, math.inf)
_INF = {"oo": math.inf, "+oo": math.inf, "inf": math.inf, "+inf": math.inf, "infinity": math.inf,
        "+infinity": math.inf, "-oo": -math.inf, "-inf": -math.inf, "-infinity": -math.inf}


def _end(v: Any) -> float | None:
    if isinstance(v, str) and v.strip().lower() in _INF:
        return _INF[v.strip().lower()]
    if isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v):
        return float(v)
    return None


def parse_domain(raw: Sequence[Any] | None) -> tuple[float, float]:
    """``[a, b]`` -> ``(a, b)`` floats (infinite ends as +-inf); ``None`` -> the real line.

    Raises ValueError with a message that completes "field 'domain' ..." (``must be ...``)."""
    if raw is None:
        return REAL_LINE
    if not isinstance(raw, (list, tuple)) or len(raw) != 2:
        raise ValueError(f"must be [a, b] (numbers, or \"-oo\"/\"oo\"), got {list(raw) if isinstance(raw, tuple) else raw!r}")
    ends = [_end(v) for v in raw]
    if None in ends:
        raise ValueError(f"must be [a, b] with numbers or \"-oo\"/\"oo\", got {list(raw)!r}")
    a, b = ends
    if not a < b:
        raise ValueError(f"must have a < b, got [{fmt_end(a)}, {fmt_end(b)}]")
    return a, b


def fmt_end(v: float) -> str:
    """An end as the spec writes it: ``oo``, ``-oo`` or the number."""
    return "oo" if v == math.inf else "-oo" if v == -math.inf else f"{v:g}"


def describe(domain: tuple[float, float]) -> str:
    """``[a, b]`` in the spec's notation, noting the default real line."""
    text = f"[{fmt_end(domain[0])}, {fmt_end(domain[1])}]"
    return text + (" (the real line, the default)" if tuple(domain) == REAL_LINE else "")


def domain_latex(d: tuple[float, float]) -> str:
    """LaTeX of an interval: ``\\mathbb{R}``, ``[a, \\infty)``, ..."""
    a, b = d
    if a == -math.inf and b == math.inf:
        return r"\mathbb{R}"
    left = r"(-\infty" if a == -math.inf else f"[{fmt(a)}"
    right = r"\infty)" if b == math.inf else f"{fmt(b)}]"
    return f"{left}, {right}"


def sympy_bound(v: float) -> Any:
    """An end as a SymPy number: ``oo``/``-oo`` or the exact rational of the float."""
    import sympy as sp

    if v == math.inf:
        return sp.oo
    if v == -math.inf:
        return -sp.oo
    return sp.nsimplify(v, rational=True)
