"""The whitelist expression parser: what it accepts computes the right numbers; everything
else is refused with a clear message, and nothing is ever executed."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adlkit.core.expr import ExpressionError, evaluate, parse

# -- a grammar-driven generator that builds an expression string together with its value at
# -- x = X0, computed with the math module (the independent reference)

X0 = 0.7
_FUNCS = {
    "exp": math.exp, "sin": math.sin, "cos": math.cos, "tanh": math.tanh,
    "sigmoid": lambda z: 1 / (1 + math.exp(-z)), "softplus": lambda z: math.log1p(math.exp(z)),
    "relu": lambda z: max(0.0, z), "abs": abs,
}


def _leaf():
    return st.one_of(
        st.just(("x", X0)),
        st.integers(0, 9).map(lambda n: (str(n), float(n))),
        st.sampled_from([("0.5", 0.5), ("2.25", 2.25), ("pi", math.pi), ("e", math.e)]),
    )


def _extend(children):
    binop = st.tuples(children, st.sampled_from(["+", "-", "*"]), children).map(
        lambda t: (f"({t[0][0]} {t[1]} {t[2][0]})",
                   {"+": t[0][1] + t[2][1], "-": t[0][1] - t[2][1], "*": t[0][1] * t[2][1]}[t[1]]))
    func = st.tuples(st.sampled_from(sorted(_FUNCS)), children).filter(
        lambda t: abs(t[1][1]) < 50).map(lambda t: (f"{t[0]}({t[1][0]})", _FUNCS[t[0]](t[1][1])))
    power = st.tuples(children, st.sampled_from(["^", "**"]), st.integers(0, 3)).map(
        lambda t: (f"({t[0][0]}){t[1]}{t[2]}", t[0][1] ** t[2]))
    return st.one_of(binop, func, power)


expressions = st.recursive(_leaf(), _extend, max_leaves=8).filter(
    lambda t: math.isfinite(t[1]) and abs(t[1]) < 1e12)


@settings(max_examples=300, deadline=None)
@given(expressions)
def test_generated_expressions_evaluate_to_the_math_module_value(case):
    text, expected = case
    value = float(evaluate(parse(text, ["x"]), {"x": X0}))
    assert value == pytest.approx(expected, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("text, expected", [
    ("2*x^2", 2 * X0**2),          # ^ is power and binds tighter than *
    ("-x^2", -(X0**2)),            # unary minus applies after the power, as in maths
    ("2^3^2", 2**9),               # power is right-associative
    ("1e-3*x", 1e-3 * X0),
    ("sqrt(x) + log(x)", math.sqrt(X0) + math.log(X0)),
    ("tan(x)/x", math.tan(X0) / X0),
])
def test_precedence_and_functions(text, expected):
    assert float(evaluate(parse(text, ["x"]), {"x": X0})) == pytest.approx(expected, rel=1e-12)


def test_decimals_are_exact_rationals():
    # 2.5 must be exactly 5/2 so that closed forms (e.g. partition functions) stay exact
    import sympy as sp

    assert parse("2.5", ["x"]) == sp.Rational(5, 2)
    assert parse("0.1 + 0.2", ["x"]) == sp.Rational(3, 10)


INJECTIONS = [
    "__import__('os').system('echo hacked')",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "exec('1')",
    "eval('1')",
    "open('/etc/passwd')",
    "lambda: 1",
    "[x for x in ()]",
    "x if x else 1",
    "globals()",
    "os.system('ls')",
    "x; import os",
    "import os",
    "'abc'",
    "b'abc'",
    "x[0]",
    "{1: 2}",
    "x == 1",
    "x and 1",
    "x @ x",
    "x // 2",
    "x % 2",
    "~x",
    "f'{x}'",
    "y + 1",              # a name that is not a variable of the problem
    "exp",                # a function that is not called
    "exp(x, x)",
    "exp(x=1)",
    "9^9^9^9",            # would take forever to compute exactly
    "10**100000",
    "1_000",
    "x\n+1",
    "(" * 300 + "x" + ")" * 300,
    "x" + "+x" * 600,
    "",
    "   ",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_unsafe_or_invalid_text_is_refused_with_a_message(text):
    with pytest.raises(ExpressionError) as info:
        parse(text, ["x"])
    assert str(info.value)  # a message a person can read


def test_non_string_values_are_refused():
    for v in (None, [1, 2], {"a": 1}, True):
        with pytest.raises(ExpressionError):
            parse(v, ["x"])


class _AuditRecorder:
    """Records security-relevant interpreter events (exec of code objects, imports, process
    creation, file opens) raised while parsing."""

    WATCH = ("exec", "import", "os.system", "subprocess.Popen", "open", "os.exec", "os.posix_spawn")

    def __init__(self):
        self.active = False
        self.events: list[str] = []
        sys.addaudithook(self.hook)

    def hook(self, event, args):
        if self.active and event.startswith(self.WATCH):
            self.events.append(event)


_RECORDER = _AuditRecorder()


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.text(max_size=60),
    st.text(alphabet="x()+-*/^._ 0123456789abcdefghijklmnopqrstuvwxyz'\"[]{}:;,=<>!@#$%&|~`\\",
            max_size=60),
    st.sampled_from(INJECTIONS),
))
def test_random_text_never_executes_anything(text):
    _RECORDER.active = True
    try:
        try:
            expr = parse(text, ["x"])
        except ExpressionError:
            expr = None
    finally:
        _RECORDER.active = False
    assert _RECORDER.events == [], f"parsing {text!r} triggered {_RECORDER.events}"
    if expr is not None:  # whatever was accepted only uses the whitelisted names
        assert {s.name for s in expr.free_symbols} <= {"x"}


def test_evaluation_backends_agree():
    import mpmath
    import torch

    e = parse("softplus(x) * sin(x) + relu(-x) + abs(x)^0.5", ["x"])
    xs = np.array([-1.3, 0.2, 2.0])
    ref = [math.log1p(math.exp(v)) * math.sin(v) + max(0.0, -v) + abs(v) ** 0.5 for v in xs]
    np.testing.assert_allclose(evaluate(e, {"x": xs}), ref, rtol=1e-12)
    t = evaluate(e, {"x": torch.tensor(xs, dtype=torch.float64)}, backend="torch")
    np.testing.assert_allclose(t.numpy(), ref, rtol=1e-12)
    with mpmath.workdps(30):
        m = [float(evaluate(e, {"x": mpmath.mpf(v)}, backend="mpmath")) for v in xs]
    np.testing.assert_allclose(m, ref, rtol=1e-12)


def test_cached_evaluation_follows_the_mpmath_precision_of_each_call():
    """The compiled tree is cached per expression, but mpmath's constants are made at the
    precision of the call: pi/7 + e^(1/3) at 15 and then 60 digits matches mpmath's own."""
    import mpmath

    e = parse("pi/7 + e^(1/3) * x", ["x"])
    for dps in (15, 60, 15):
        with mpmath.workdps(dps):
            got = evaluate(e, {"x": mpmath.mpf(1)}, backend="mpmath")
            want = mpmath.pi / 7 + mpmath.e ** (mpmath.mpf(1) / 3)
            assert abs(got - want) <= mpmath.mpf(10) ** (-(dps - 2)), dps
