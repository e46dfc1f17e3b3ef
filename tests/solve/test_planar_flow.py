"""The ``planar_flow`` problem type, computed by adlkit.flows.Planar: against a hand computation
and torch autograd + slogdet in float64."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from adlkit.solve import SpecError, solve_one


def _reference(z, layers, h="tanh"):
    """x and the Jacobian by autograd of an independent, direct implementation."""
    act = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "identity": lambda a: a}[h]

    def f(v):
        for u, w, b in layers:
            u, w = torch.tensor(u, dtype=torch.float64), torch.tensor(w, dtype=torch.float64)
            v = v + u * act(w @ v + b)
        return v

    z = torch.tensor(z, dtype=torch.float64)
    J = torch.autograd.functional.jacobian(f, z)
    sign, logabs = torch.linalg.slogdet(J)
    return f(z).numpy(), J.numpy(), float(sign * torch.exp(logabs)), float(logabs)


def test_one_tanh_layer_by_hand():
    a = solve_one("planar_flow", z=[1, 0.5], u=[1, 0.5], w=[0.5, 1], b=0.2).answers
    t = math.tanh(1.2)
    assert a["x"] == pytest.approx([1 + t, 0.5 + 0.5 * t], abs=1e-12)
    det = 1 + (1 - t * t) * (0.5 * 1 + 1 * 0.5)  # 1 + h'(a) w^T u
    assert a["det"] == pytest.approx(det, abs=1e-12)
    assert a["log_det"] == pytest.approx(math.log(det), abs=1e-12)
    log_pz = -0.5 * 1.25 - math.log(2 * math.pi)
    assert a["log_pz"] == pytest.approx(log_pz, abs=1e-12)
    assert a["log_px"] == pytest.approx(log_pz - math.log(det), abs=1e-12)
    assert a["invertible"] is True


@pytest.mark.parametrize("h", ["tanh", "sigmoid", "identity"])
def test_stacks_against_autograd_slogdet(h):
    rng = np.random.default_rng(3)
    for _ in range(10):
        D = int(rng.integers(1, 5))
        layers = [(rng.normal(size=D).tolist(), rng.normal(size=D).tolist(), float(rng.normal()))
                  for _ in range(int(rng.integers(1, 4)))]
        z = rng.normal(size=D).tolist()
        a = solve_one("planar_flow", z=z, h=h, layers=[{"u": u, "w": w, "b": b} for u, w, b in layers]).answers
        x, J, det, logabs = _reference(z, layers, h)
        assert np.allclose(a["x"], x, atol=1e-12)
        assert np.allclose(a["jacobian"], J, atol=1e-12)
        assert a["det"] == pytest.approx(det, rel=1e-9, abs=1e-12)
        assert a["log_det"] == pytest.approx(logabs, abs=1e-9)
        assert a["log_px"] == pytest.approx(a["log_pz"] - logabs, abs=1e-9)


def test_invertible_flag_uses_the_condition_of_h():
    # w^T u = -2: tanh needs >= -1 (not invertible), sigmoid >= -4 (invertible)
    base = dict(z=[0.3, -0.2], u=[-2, 0], w=[1, 0], b=0)
    assert solve_one("planar_flow", **base).answers["invertible"] is False
    assert solve_one("planar_flow", **base, h="sigmoid").answers["invertible"] is True
    # u-hat repairs it: w^T u-hat = -1 + softplus(-2) > -1
    assert solve_one("planar_flow", **base, reparameterize=True).answers["invertible"] is True


def test_bad_input_names_the_field():
    with pytest.raises(SpecError, match="field 'w' must have the length of z"):
        solve_one("planar_flow", z=[1, 2], u=[1, 1], w=[1])
    with pytest.raises(SpecError, match="field 'u' cannot be given together with 'layers'"):
        solve_one("planar_flow", z=[1], u=[1], w=[1], layers=[{"u": [1], "w": [1], "b": 0}])
    with pytest.raises(SpecError, match="field 'u' is required"):
        solve_one("planar_flow", z=[1])
    with pytest.raises(SpecError, match="singular Jacobian"):
        solve_one("planar_flow", z=[0], u=[-1], w=[1], h="identity")


def test_check_recognises_the_log_det_sign_slip_and_bits():
    from adlkit.check import Tolerance, find_slip

    problem = {"id": "q", "type": "planar_flow", "z": [1, 0.5], "u": [1, 0.5], "w": [0.5, 1], "b": 0.2}
    a = solve_one("planar_flow", **{k: v for k, v in problem.items() if k not in ("id", "type")}).answers
    slip = find_slip(problem, "log_px", a["log_pz"] + a["log_det"], a, Tolerance())
    assert slip is not None and slip.name == "log_det_sign"
    slip = find_slip(problem, "log_det", a["log_det"] / math.log(2), a, Tolerance())
    assert slip is not None and slip.name == "log_base_2"
