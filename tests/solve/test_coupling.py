"""The ``coupling`` problem type, computed by adlkit.flows.AffineCoupling."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from adlkit.solve import SpecError, solve_one


def test_seed_sheet_question_1a():
    # the sheet: y = [1, 1 * e^0.5 + 3] = [1, 4.6487], log|det J| = s(1) = 0.5
    a = solve_one("coupling", x=[1, 1], s="0.5*x1", t="2*x1 + 1").answers
    assert a["y"] == pytest.approx([1.0, math.exp(0.5) + 3.0], abs=1e-12)
    assert a["log_det"] == pytest.approx(0.5, abs=1e-15)
    assert a["x_inverse"] == pytest.approx([1.0, 1.0], abs=1e-12)
    # Jacobian by hand: dy2/dx1 = x2 e^{s} s'(x1) + t'(x1) = 0.5 e^0.5 + 2
    assert np.allclose(a["jacobian"], [[1, 0], [0.5 * math.exp(0.5) + 2, math.exp(0.5)]], atol=1e-12)


S_POOL = ["{a}*x1", "tanh({a}*x1 + {b})", "{a}*sin(x1)", "{a}*x1^2 - {b}", "{a}*sigmoid(x1)"]
T_POOL = ["{a}*x1 + {b}", "exp({a}*x1)", "{a}*cos(x1) + {b}*x1^3", "{b}*softplus(x1)"]


def _finite_difference_jacobian(fun, x, h=1e-6):
    cols = []
    for j in range(len(x)):
        e = np.zeros_like(x)
        e[j] = h
        cols.append((np.asarray(fun(x + e)) - np.asarray(fun(x - e))) / (2 * h))
    return np.stack(cols, axis=1)


@pytest.mark.parametrize("trial", range(12))
def test_log_det_equals_slogdet_of_the_jacobian_for_random_layers(trial):
    rng = np.random.default_rng(trial)
    D = int(rng.integers(2, 6))
    d = int(rng.integers(1, D))
    flip = bool(rng.integers(0, 2))
    m = D - d

    def expr(pool):
        e = pool[int(rng.integers(len(pool)))].format(a=round(rng.normal(), 3), b=round(rng.normal(), 3))
        # mix in every pass-through coordinate
        return e.replace("x1", "(" + " + ".join(f"{round(rng.normal(), 2)}*x{i}" for i in range(1, d + 1)) + ")")

    s = [expr(S_POOL) for _ in range(m)]
    t = [expr(T_POOL) for _ in range(m)]
    x = rng.normal(size=D).round(3).tolist()
    a = solve_one("coupling", x=x, s=s, t=t, split=d, flip=flip).answers
    J = np.asarray(a["jacobian"])
    sign, logabsdet = np.linalg.slogdet(J)
    assert sign != 0
    assert a["log_det"] == pytest.approx(logabsdet, abs=1e-10)
    # the Jacobian itself against central finite differences of the forward map
    def forward(z):
        return solve_one("coupling", x=z.tolist(), s=s, t=t, split=d, flip=flip).answers["y"]
    np.testing.assert_allclose(J, _finite_difference_jacobian(forward, np.asarray(x)), atol=1e-6)
    # the inverse recovers x
    np.testing.assert_allclose(a["x_inverse"], x, atol=1e-10)
    # pass-through coordinates are copied unchanged
    passing = range(D - d, D) if flip else range(d)
    for j in passing:
        assert a["y"][j] == x[j]


def test_flip_passes_the_last_coordinates_through():
    # x = [1, 2, 3], split 1, flip: x3 passes through and is called x1 in s and t
    a = solve_one("coupling", x=[1, 2, 3], s="x1", t="0", split=1, flip=True).answers
    assert a["y"] == pytest.approx([1 * math.exp(3), 2 * math.exp(3), 3])
    assert a["log_det"] == pytest.approx(6.0)  # one s = 3 per transformed coordinate


def test_the_layer_is_the_model_layer():
    # the solver's layer and a RealNVP-style layer with an nn.Module conditioner agree
    from adlkit.flows import AffineCoupling, split_mask

    net = torch.nn.Linear(1, 2).double()

    def cond(xa):
        out = net(xa)
        return out[:, :1], out[:, 1:]

    layer = AffineCoupling(split_mask(2, 1), cond)
    w, b = [float(v) for v in net.weight.detach().ravel()], [float(v) for v in net.bias.detach()]
    sol = solve_one("coupling", x=[0.3, -1.2], s=f"{w[0]!r}*x1 + {b[0]!r}", t=f"{w[1]!r}*x1 + {b[1]!r}")
    with torch.no_grad():
        y, ld = layer(torch.tensor([[0.3, -1.2]], dtype=torch.float64))
    np.testing.assert_allclose(sol.answers["y"], y[0].detach().numpy(), atol=1e-12)
    assert sol.answers["log_det"] == pytest.approx(float(ld[0]), abs=1e-12)


@pytest.mark.parametrize("params, fragment", [
    (dict(x=[1], s="x1", t="x1"), "field 'x' must have at least 2"),
    (dict(x=[1, 2], s="x2", t="x1"), "field 's' is not a valid expression: unknown name 'x2'"),
    (dict(x=[1, 2, 3], s=["x1", "x1", "x1"], t="0", split=1), "field 's' must give one expression per transformed coordinate (2)"),
    (dict(x=[1, 2], s="x1", t="x1", split=2), "field 'split' must be less than len(x) = 2"),
    (dict(x=[1, 2], s="x1", t="x1", split=0), "field 'split' must be >= 1"),
    (dict(x=[1, "a"], s="x1", t="x1"), "field 'x' must be a list of finite numbers"),
    (dict(x=[1, 2], t="x1"), "field 's' is required"),
    (dict(x=[1, 2], s="x1", t="x1", flip="yes"), "field 'flip' must be true or false"),
])
def test_bad_input_names_the_field(params, fragment):
    with pytest.raises(SpecError) as info:
        solve_one("coupling", id="q1", **params)
    assert any(m.startswith("q1: ") and fragment in m for m in info.value.messages), info.value.messages
