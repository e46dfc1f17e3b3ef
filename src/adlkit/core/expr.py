r"""The safe expression language of the problem specs (CONTRACT.md, "Expression").

Grammar: numbers, the variables a problem type names, ``pi``, ``e``, ``+ - * / **``, ``^`` as
power, parentheses, and calls to exp, log, sqrt, abs, sin, cos, tan, tanh, sigmoid, softplus,
relu. The text is parsed by Python's ``ast`` module (parsing only: nothing is executed) and the
tree is walked against a whitelist that builds a SymPy expression node by node. User text never
reaches ``eval``, ``exec`` or ``sympify``; anything outside the whitelist (attributes,
underscores, other names, strings, subscripts, comparisons, lambdas, ...) is an
:class:`ExpressionError` with a message saying what was refused.

Numerical evaluation goes through :func:`evaluate`, a tree-walking interpreter over the same
SymPy nodes with a backend of functions (torch, numpy or mpmath): again no code generation.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import sympy as sp

MAX_LENGTH = 500
MAX_NODES = 400
MAX_POWER_DIGITS = 300  # refuse literal powers whose exact value would have more digits


class ExpressionError(ValueError):
    """An expression outside the whitelist grammar, or not parseable."""


def _sigmoid(z):
    return 1 / (1 + sp.exp(-z))


def _softplus(z):
    return sp.log(1 + sp.exp(z))


def _relu(z):
    return sp.Max(0, z)


FUNCTIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "exp": sp.exp,
    "log": sp.log,
    "sqrt": sp.sqrt,
    "abs": sp.Abs,
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "tanh": sp.tanh,
    "sigmoid": _sigmoid,
    "softplus": _softplus,
    "relu": _relu,
}
CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "e": sp.E}


def symbol(name: str) -> sp.Symbol:
    """The SymPy symbol for a variable name (real-valued)."""
    return sp.Symbol(name, real=True)


def parse(text: Any, variables: Sequence[str]) -> sp.Expr:
    """Parse ``text`` into a SymPy expression in ``variables`` (e.g. ``["x"]`` or
    ``["x1", "x2"]``). Numbers in the text become exact rationals (``2.5`` is ``5/2``)."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise ExpressionError(f"expected an expression string, got {type(text).__name__}")
    if isinstance(text, (int, float)):
        if not math.isfinite(text):
            raise ExpressionError("expression must be a finite number")
        return sp.Rational(str(text))
    src = text.strip()
    if not src:
        raise ExpressionError("empty expression")
    if len(src) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    if "_" in src:
        raise ExpressionError("underscores are not allowed in expressions")
    bad = sorted({c for c in src if not (c.isascii() and (c.isalnum() or c in " .+-*/^()\t,"))})
    if bad:
        raise ExpressionError(f"character(s) not allowed: {' '.join(repr(c) for c in bad)}")
    src = src.replace("^", "**")
    try:
        tree = ast.parse(src, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
        msg = getattr(err, "msg", None) or type(err).__name__
        raise ExpressionError(f"cannot parse {text!r}: {msg}") from None
    n_nodes = sum(1 for _ in ast.walk(tree))
    if n_nodes > MAX_NODES:
        raise ExpressionError(f"expression too large ({n_nodes} nodes, at most {MAX_NODES})")
    builder = _Builder(list(variables))
    try:
        return builder.visit(tree.body)
    except RecursionError:
        raise ExpressionError("expression nested too deeply") from None


class _Builder:
    def __init__(self, variables: list[str]):
        self.variables = {v: symbol(v) for v in variables}

    def visit(self, node: ast.AST) -> sp.Expr:
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            raise ExpressionError(f"not allowed in an expression: {_describe(node)}")
        return method(node)

    def visit_Constant(self, node: ast.Constant) -> sp.Expr:
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ExpressionError(f"not allowed in an expression: {_describe(node)}")
        if isinstance(v, float) and not math.isfinite(v):
            raise ExpressionError("number too large")
        return sp.Rational(repr(v)) if isinstance(v, float) else sp.Integer(v)

    def visit_Name(self, node: ast.Name) -> sp.Expr:
        if node.id in self.variables:
            return self.variables[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            raise ExpressionError(f"function {node.id!r} must be called, e.g. {node.id}(x)")
        allowed = ", ".join(list(self.variables) + list(CONSTANTS))
        raise ExpressionError(f"unknown name {node.id!r} (allowed: {allowed})")

    def visit_UnaryOp(self, node: ast.UnaryOp) -> sp.Expr:
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        raise ExpressionError(f"operator not allowed: {_describe(node)}")

    def visit_BinOp(self, node: ast.BinOp) -> sp.Expr:
        left = self.visit(node.left)
        right = self.visit(node.right)
        op = node.op
        if isinstance(op, ast.Add):
            return left + right
        if isinstance(op, ast.Sub):
            return left - right
        if isinstance(op, ast.Mult):
            return left * right
        if isinstance(op, ast.Div):
            if right == 0:
                raise ExpressionError("division by zero")
            return left / right
        if isinstance(op, ast.Pow):
            _check_power(left, right)
            return left**right
        raise ExpressionError(f"operator not allowed: {_describe(node)}")

    def visit_Call(self, node: ast.Call) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            raise ExpressionError(f"not allowed in an expression: {_describe(node.func)}")
        name = node.func.id
        if name not in FUNCTIONS:
            raise ExpressionError(
                f"unknown function {name!r} (allowed: {', '.join(FUNCTIONS)})"
            )
        if node.keywords or len(node.args) != 1:
            raise ExpressionError(f"{name}() takes exactly one argument")
        return FUNCTIONS[name](self.visit(node.args[0]))


def _check_power(base: sp.Expr, exponent: sp.Expr) -> None:
    """Refuse literal powers whose exact value would be astronomically large (9^9^9)."""
    if base.is_number and exponent.is_number:
        try:
            b = abs(float(base))
            x = float(exponent)
        except (TypeError, OverflowError):
            raise ExpressionError("number too large") from None
        if b > 1 and x * math.log10(b) > MAX_POWER_DIGITS:
            raise ExpressionError("number too large")
        if 0 < b < 1 and -x * math.log10(b) > MAX_POWER_DIGITS:
            raise ExpressionError("number too large")
    elif exponent.is_number:
        try:
            if abs(float(exponent)) > 10**6:
                raise ExpressionError("exponent too large")
        except (TypeError, OverflowError):
            raise ExpressionError("exponent too large") from None


def _describe(node: ast.AST) -> str:
    kinds = {
        "Attribute": "attribute access", "Subscript": "indexing", "Lambda": "lambda",
        "Compare": "comparison", "BoolOp": "boolean operator", "IfExp": "conditional",
        "List": "list", "Tuple": "tuple", "Dict": "dict", "Set": "set",
        "JoinedStr": "f-string", "Starred": "starred expression", "NamedExpr": "assignment",
        "BitXor": "^", "BitAnd": "&", "BitOr": "|", "FloorDiv": "//", "Mod": "%",
        "MatMult": "@", "LShift": "<<", "RShift": ">>", "Invert": "~", "Not": "not",
    }
    name = type(node).__name__
    if isinstance(node, ast.BinOp):
        name = type(node.op).__name__
    if isinstance(node, ast.UnaryOp):
        name = type(node.op).__name__
    if isinstance(node, ast.Constant):
        return f"{type(node.value).__name__} literal {node.value!r}"
    return kinds.get(name, name)


# ---------------------------------------------------------------------------------------------
# Numerical evaluation by walking the SymPy tree (no code generation, no eval).

def evaluate(expr: sp.Expr, env: Mapping[sp.Symbol | str, Any], backend: str = "numpy") -> Any:
    """Evaluate ``expr`` with values for its symbols. ``backend`` is "numpy" (float64 arrays),
    "torch" (tensors, differentiable) or "mpmath" (arbitrary precision).

    The tree is walked once per (expression, backend) into a tree of Python closures (cached:
    a quadrature or a golden-section search evaluates the same expression thousands of times);
    each call then runs the same backend operations in the same order as a walk of the tree."""
    values = {(symbol(k) if isinstance(k, str) else k): v for k, v in env.items()}
    try:
        run = _compiled(expr, backend)
    except TypeError:  # an unhashable expression (a mutable matrix): walked on every call
        run = _compile(expr, _backend(backend), backend in _FIXED_CONSTANTS)
    return run(values)


@lru_cache(maxsize=8)
def _backend(name: str) -> dict[str, Callable]:
    if name == "numpy":
        import numpy as np

        return {
            "const": lambda v: float(v), "exp": np.exp, "log": np.log, "sqrt": np.sqrt,
            "abs": np.abs, "sin": np.sin, "cos": np.cos, "tan": np.tan, "tanh": np.tanh,
            "max": np.maximum, "min": np.minimum, "heaviside": lambda z: np.heaviside(z, 0.5),
            "sign": np.sign,
        }
    if name == "torch":
        import torch

        def tconst(v):
            return float(v)

        return {
            "const": tconst, "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt,
            "abs": torch.abs, "sin": torch.sin, "cos": torch.cos, "tan": torch.tan,
            "tanh": torch.tanh,
            "max": lambda a, b: torch.maximum(torch.as_tensor(a), torch.as_tensor(b)),
            "min": lambda a, b: torch.minimum(torch.as_tensor(a), torch.as_tensor(b)),
            "heaviside": lambda z: torch.heaviside(z, torch.tensor(0.5, dtype=z.dtype)),
            "sign": torch.sign,
        }
    if name == "mpmath":
        import mpmath as mp

        return {
            "const": lambda v: mp.mpf(sp.Float(v, mp.mp.dps + 5)) if not v.is_Rational
            else mp.mpf(int(v.p)) / int(v.q),
            "exp": mp.exp, "log": mp.log, "sqrt": mp.sqrt, "abs": abs, "sin": mp.sin,
            "cos": mp.cos, "tan": mp.tan, "tanh": mp.tanh, "max": max, "min": min,
            "heaviside": lambda z: mp.mpf(1) if z > 0 else (mp.mpf(0) if z < 0 else mp.mpf(0.5)),
            "sign": mp.sign,
        }
    raise ValueError(f"unknown backend {name!r}")


#: constants computed once per compiled tree (mpmath's depend on the precision at call time)
_FIXED_CONSTANTS = ("numpy", "torch")
_FUNCTION_OPS = {sp.exp: "exp", sp.log: "log", sp.Abs: "abs", sp.sin: "sin", sp.cos: "cos",
                 sp.tan: "tan", sp.tanh: "tanh", sp.Heaviside: "heaviside", sp.sign: "sign"}
Evaluator = Callable[[dict], Any]


@lru_cache(maxsize=1024)
def _compiled(expr: sp.Expr, backend: str) -> Evaluator:
    """The closure tree of ``expr`` for ``backend`` (an unknown backend raises ValueError)."""
    return _compile(expr, _backend(backend), backend in _FIXED_CONSTANTS)


def _fold(parts: list[Evaluator], op: Callable[[Any, Any], Any]) -> Evaluator:
    """Every argument evaluated (in order), then ``op`` from the left, as a walk of the tree does."""

    def run(values: dict) -> Any:
        args = [p(values) for p in parts]
        out = args[0]
        for a in args[1:]:
            out = op(out, a)
        return out

    return run


def _compile(e: sp.Expr, ops: dict[str, Callable], fixed: bool) -> Evaluator:
    if e.is_Symbol:
        def variable(values: dict) -> Any:
            if e not in values:
                raise ExpressionError(f"no value for variable {e}")
            return values[e]

        return variable
    if e.is_Number or e in (sp.pi, sp.E) or e.is_NumberSymbol:
        const = ops["const"]
        if fixed:
            try:
                value = const(e)
            except Exception:  # raised when evaluated, after the arguments before it
                return lambda values: const(e)
            return lambda values: value
        return lambda values: const(e)
    parts = [_compile(a, ops, fixed) for a in e.args]
    if e.is_Add:
        return _fold(parts, lambda a, b: a + b)
    if e.is_Mul:
        return _fold(parts, lambda a, b: a * b)
    if e.is_Pow:
        base, ex = parts
        if e.exp == sp.Rational(1, 2):
            sqrt = ops["sqrt"]
            return lambda values: sqrt(base(values))
        if e.exp.is_Integer and int(e.exp) < 0:
            n = -int(e.exp)
            return lambda values: 1 / (base(values) ** n)
        return lambda values: base(values) ** ex(values)
    func = e.func
    if func in _FUNCTION_OPS:
        fn = ops[_FUNCTION_OPS[func]]
        if len(parts) == 1:
            (arg,) = parts
            return lambda values: fn(arg(values))
        return lambda values: fn([p(values) for p in parts][0])  # Heaviside(x, 1/2): x
    if func is sp.Max or func is sp.Min:
        return _fold(parts, ops["max" if func is sp.Max else "min"])

    def unknown(values: dict) -> Any:
        for p in parts:  # a missing variable is reported first, as by a walk of the tree
            p(values)
        raise ExpressionError(f"cannot evaluate {func.__name__} numerically")

    return unknown
