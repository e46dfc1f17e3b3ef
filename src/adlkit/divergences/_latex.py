"""Number formatting for the LaTeX of named terms (kept here so that the library does not
import the solver)."""

from __future__ import annotations

import math


def num(x: float, digits: int = 4) -> str:
    """``x`` as a solution sheet writes it: integers exactly, else ``digits`` decimals with
    trailing zeros removed; negative numbers in parentheses are left to the caller."""
    x = float(x)
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    if math.isnan(x):
        return r"\mathrm{NaN}"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    if 10 ** (-digits + 1) <= abs(x) < 1e7:
        s = f"{x:.{digits}f}".rstrip("0").rstrip(".")
        return "0" if s in ("-0", "") else s
    mant, exp = f"{x:.{digits - 1}e}".split("e")
    return rf"{mant.rstrip('0').rstrip('.')} \times 10^{{{int(exp)}}}"


def par(x: float) -> str:
    """``num(x)``, parenthesised when negative (for substitution into formulas)."""
    s = num(x)
    return rf"\left({s}\right)" if float(x) < 0 else s
