"""LaTeX helpers for steps: an expression, and the same expression with numbers substituted."""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from adlkit.core.numbers import fmt


def tex(expr: sp.Expr) -> str:
    """LaTeX of a SymPy expression, with an explicit dot for products of numbers."""
    return sp.latex(expr, mul_symbol="dot")


def substitute(expr: sp.Expr, values: Mapping[str, float]) -> str:
    """LaTeX of ``expr`` with each variable written as its number (negative numbers in
    parentheses), unevaluated: ``2*x1 + 1`` at x1 = 1 gives ``2 \\cdot 1 + 1``."""
    names = {}
    for sym in expr.free_symbols:
        if sym.name in values:
            v = float(values[sym.name])
            s = fmt(v)
            names[sym] = rf"\left({s}\right)" if v < 0 or "times" in s else s
    return sp.latex(expr, symbol_names=names, mul_symbol="dot")


def var(name: str) -> str:
    """LaTeX of a variable name like ``x12`` -> ``x_{12}``."""
    return sp.latex(sp.Symbol(name))
