"""Number formatting for steps, and JSON conversion of answers."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def fmt(x: float, digits: int = 4) -> str:
    """A number as a solution sheet writes it (LaTeX-safe): integers exactly, otherwise
    ``digits`` decimals with trailing zeros removed; scientific form for very small/large."""
    x = float(x)
    if math.isnan(x):
        return r"\mathrm{NaN}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    ax = abs(x)
    if 10 ** (-digits + 1) <= ax < 1e7:
        s = f"{x:.{digits}f}".rstrip("0").rstrip(".")
        return "0" if s in ("-0", "") else s
    mant, exp = f"{x:.{digits - 1}e}".split("e")
    mant = mant.rstrip("0").rstrip(".")
    return rf"{mant} \times 10^{{{int(exp)}}}"


def fmt_vec(v, digits: int = 4) -> str:
    """A vector as a LaTeX row ``[a, b, c]``."""
    return "[" + ",\\ ".join(fmt(float(a), digits) for a in np.ravel(v)) + "]"


def fmt_matrix(m, digits: int = 4) -> str:
    """A matrix as LaTeX ``bmatrix``."""
    m = np.atleast_2d(np.asarray(m, dtype=float))
    rows = [" & ".join(fmt(a, digits) for a in row) for row in m]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def jsonable(obj: Any) -> Any:
    """Answers to JSON: plain floats at full precision, ``inf`` as the string "inf"."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        if math.isnan(x):
            return "nan"
        return x
    if hasattr(obj, "item") and callable(obj.item):  # torch / numpy scalars
        return jsonable(obj.item())
    return obj


def par(x: float, digits: int = 4) -> str:
    """``fmt(x)``, parenthesised when negative (for substitution into formulas)."""
    s = fmt(x, digits)
    return rf"\left({s}\right)" if float(x) < 0 else s
