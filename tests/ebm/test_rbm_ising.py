"""adlkit.ebm.rbm and the ``rbm`` / ``ising`` problem types against brute-force numpy
enumeration written here (itertools over every state, the definitions summed directly)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from adlkit.ebm.rbm import RBM, all_states, log_partition_enumerate, rbm_log_partition
from adlkit.solve import solve_spec


def _solve(problem: dict) -> dict:
    return solve_spec({"problems": [problem]}).results[0].answers


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _rbm_brute(W, b, c, v, h):
    nv, nh = W.shape
    E = lambda v, h: -(b @ v) - (c @ h) - v @ W @ h
    H = [np.array(s, float) for s in itertools.product([0, 1], repeat=nh)]
    V = [np.array(s, float) for s in itertools.product([0, 1], repeat=nv)]
    Z = sum(math.exp(-E(vv, hh)) for vv in V for hh in H)
    marg_v = sum(math.exp(-E(v, hh)) for hh in H)
    F = -math.log(marg_v)
    ph = np.array([sum(math.exp(-E(v, hh)) for hh in H if hh[j] == 1) / marg_v for j in range(nh)])
    marg_h = sum(math.exp(-E(vv, h)) for vv in V)
    pv = np.array([sum(math.exp(-E(vv, h)) for vv in V if vv[i] == 1) / marg_h for i in range(nv)])
    return {"Z": Z, "p_v": marg_v / Z, "free_energy": F, "p_h_given_v": ph, "p_v_given_h": pv, "energy": E(v, h)}


@pytest.mark.parametrize("seed", range(4))
def test_rbm_type_equals_brute_force_enumeration(seed):
    rng = np.random.default_rng(seed)
    nv, nh = int(rng.integers(2, 5)), int(rng.integers(1, 4))
    W, b, c = rng.normal(size=(nv, nh)), rng.normal(size=nv), rng.normal(size=nh)
    v, h = rng.integers(0, 2, nv).astype(float), rng.integers(0, 2, nh).astype(float)
    a = _solve({"type": "rbm", "W": W.tolist(), "b": b.tolist(), "c": c.tolist(), "v": v.tolist(), "h": h.tolist()})
    ref = _rbm_brute(W, b, c, v, h)
    for key in ("Z", "p_v", "free_energy", "energy"):
        assert a[key] == pytest.approx(ref[key], rel=1e-12), key
    np.testing.assert_allclose(a["p_h_given_v"], ref["p_h_given_v"], rtol=1e-12)
    np.testing.assert_allclose(a["p_v_given_h"], ref["p_v_given_h"], rtol=1e-12)
    # the closed-form conditionals too
    np.testing.assert_allclose(a["p_h_given_v"], _sigmoid(c + v @ W), rtol=1e-12)


def test_joint_and_visible_enumeration_agree_and_model_matches():
    g = torch.Generator().manual_seed(0)
    m = RBM(6, 4, init_std=1.0, generator=g, dtype=torch.float64)
    with torch.no_grad():
        m.b.normal_(generator=g)
        m.c.normal_(generator=g)
    assert m.log_partition_exact() == pytest.approx(rbm_log_partition(m.W, m.b, m.c), rel=1e-12)


def test_enumeration_order_is_itertools_product_and_chunks_do_not_matter():
    s = all_states(5, (-1.0, 1.0))
    assert s.tolist() == [list(p) for p in itertools.product([-1.0, 1.0], repeat=5)]
    w = torch.randn(5, dtype=torch.float64)
    E = lambda x: x @ w
    ref = math.log(sum(math.exp(-float(np.dot(p, w.numpy())) / 1.5) for p in itertools.product([-1, 1], repeat=5)))
    for chunk in (1, 3, 32, 1 << 15):
        assert log_partition_enumerate(E, 5, (-1.0, 1.0), 1.5, chunk=chunk) == pytest.approx(ref, rel=1e-12)
    with pytest.raises(ValueError):
        log_partition_enumerate(E, 21)


@pytest.mark.parametrize("seed", range(3))
def test_ising_type_equals_brute_force(seed):
    rng = np.random.default_rng(10 + seed)
    n = int(rng.integers(2, 7))
    J = np.triu(rng.normal(size=(n, n)), 1)
    J = J + J.T
    h = rng.normal(size=n)
    T = float(rng.uniform(0.5, 3))
    s = rng.choice([-1.0, 1.0], n)

    def E(x):
        return -sum(J[i, j] * x[i] * x[j] for i in range(n) for j in range(i + 1, n)) - h @ x

    Z = sum(math.exp(-E(np.array(p)) / T) for p in itertools.product([-1.0, 1.0], repeat=n))
    a = _solve({"type": "ising", "spins": s.tolist(), "J": J.tolist(), "h": h.tolist(), "temperature": T})
    assert a["energy"] == pytest.approx(E(s), rel=1e-12, abs=1e-12)
    assert a["Z"] == pytest.approx(Z, rel=1e-12)
    assert a["probability"] == pytest.approx(math.exp(-E(s) / T) / Z, rel=1e-12)


def test_ising_by_hand():
    # s = (1, -1, 1): sum_{i<j} J s s = 1(-1) + 0.5(1) + (-1)(-1) = 0.5; h.s = 0.2; E = -0.7
    a = _solve({"type": "ising", "spins": [1, -1, 1], "J": [[0, 1, 0.5], [1, 0, -1], [0.5, -1, 0]], "h": 0.2})
    assert a["energy"] == pytest.approx(-0.7)


def test_ising_couplings_given_once_per_pair_read_as_the_symmetric_matrix():
    full = _solve({"type": "ising", "spins": [1, -1, 1], "J": [[0, 1, 0.5], [1, 0, -1], [0.5, -1, 0]], "temperature": 2})
    upper = _solve({"type": "ising", "spins": [1, -1, 1], "J": [[0, 1, 0.5], [0, 0, -1], [0, 0, 0]], "temperature": 2})
    assert upper == full
