"""The trainable RBM: AIS against exact enumeration, PCD-1 equal to scikit-learn's update, CD-k
raising the exact likelihood of a small model, the pseudo-likelihood by its definition."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from adlkit.ebm.rbm import RBM
from adlkit.ebm.rbm_model import RBMEstimator, RBMModule, ais_rbm_log_partition, pseudo_log_likelihood


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _random_rbm(nv, nh, seed, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    m = RBM(nv, nh, init_std=scale, generator=g, dtype=torch.float64)
    with torch.no_grad():
        m.b.normal_(generator=g)
        m.c.normal_(generator=g)
    return m


def _exact_log_z(m: RBM) -> float:
    """Brute force over every (v, h), numpy, independent of the library's enumeration."""
    W, b, c = (t.detach().numpy() for t in (m.W, m.b, m.c))
    vals = [float(np.array(v) @ b + np.array(h) @ c + np.array(v) @ W @ np.array(h))
            for v in itertools.product([0, 1], repeat=W.shape[0]) for h in itertools.product([0, 1], repeat=W.shape[1])]
    mx = max(vals)
    return mx + math.log(sum(math.exp(x - mx) for x in vals))


@pytest.mark.parametrize("seed", [0, 1])
def test_ais_log_partition_matches_exact_enumeration(seed):
    m = _random_rbm(10, 5, seed)
    exact = _exact_log_z(m)
    assert m.log_partition_exact() == pytest.approx(exact, rel=1e-12)
    r = ais_rbm_log_partition(m, n_chains=300, n_temps=800, generator=torch.Generator().manual_seed(seed))
    assert abs(r.log_z - exact) < max(0.05, 5 * r.stderr), (r.log_z, exact, r.stderr)


def test_pcd1_step_is_sklearns_update():
    """One PCD-1 step: W += lr/B (v^T p(h|v) - v_neg^T p(h|v_neg)), the same for the biases."""
    torch.manual_seed(0)
    mod = RBMModule(6, n_hidden=4, method="pcd", lr=0.1, n_chains=5, init_std=0.5)
    v = torch.bernoulli(torch.full((5, 6), 0.5, dtype=torch.float64))
    W0, b0, c0 = (p.detach().clone() for p in (mod.rbm.W, mod.rbm.b, mod.rbm.c))
    chains0 = mod.chains.clone()

    class Ctx:
        optimizers = mod.configure_optimizers()

        def backward(self, loss):
            loss.backward()

    torch.manual_seed(1)
    mod.train_step(v, Ctx())
    ref = RBM(6, 4, dtype=torch.float64)
    torch.manual_seed(1)  # replay the same Gibbs draws
    with torch.no_grad():
        ref.W.copy_(W0), ref.b.copy_(b0), ref.c.copy_(c0)
        v_neg = ref.gibbs(chains0, 1)
    sig = lambda z: 1 / (1 + np.exp(-z))
    V, Vn, W, b, c = v.numpy(), v_neg.numpy(), W0.numpy(), b0.numpy(), c0.numpy()
    hp, hn = sig(c + V @ W), sig(c + Vn @ W)
    np.testing.assert_allclose(mod.rbm.W.detach().numpy(), W + 0.1 / 5 * (V.T @ hp - Vn.T @ hn), atol=1e-12)
    np.testing.assert_allclose(mod.rbm.b.detach().numpy(), b + 0.1 / 5 * (V - Vn).sum(0), atol=1e-12)
    np.testing.assert_allclose(mod.rbm.c.detach().numpy(), c + 0.1 / 5 * (hp - hn).sum(0), atol=1e-12)
    np.testing.assert_allclose(mod.chains.numpy(), Vn)


def test_pseudo_likelihood_by_its_definition():
    m = _random_rbm(5, 3, 4)
    v = torch.tensor([[1, 0, 1, 1, 0], [0, 0, 0, 1, 1]], dtype=torch.float64)
    states = torch.tensor(list(itertools.product([0, 1], repeat=5)), dtype=torch.float64)
    logp = -m.free_energy(states).detach()
    ref = []
    for row in v:
        tot = 0.0
        for i in range(5):
            other = row.clone()
            other[i] = 1 - other[i]
            a = float(logp[int("".join(str(int(x)) for x in row), 2)])
            o = float(logp[int("".join(str(int(x)) for x in other), 2)])
            tot += a - math.log(math.exp(a) + math.exp(o))
        ref.append(tot)
    np.testing.assert_allclose(pseudo_log_likelihood(m, v).numpy(), ref, rtol=1e-12)


@pytest.mark.parametrize("method", ["cd", "pcd"])
def test_training_raises_the_exact_likelihood_of_a_small_model(method):
    rng = np.random.default_rng(0)
    protos = rng.integers(0, 2, (3, 12))
    X = np.array([np.where(rng.random(12) < 0.05, 1 - p, p) for p in protos[rng.integers(0, 3, 600)]], float)
    untrained = RBMEstimator(n_hidden=6, method=method, epochs=1, max_steps=1, lr=1e-9).fit(X)
    est = RBMEstimator(n_hidden=6, method=method, k=3, epochs=15, lr=0.1, random_state=0).fit(X)
    assert est.log_z_method_ == "exact"
    ll, ll0 = est.score(X), untrained.score(X)
    assert ll > ll0 + 3.0, (ll, ll0)  # 12 * log 2 = 8.3 nats for the uniform start
    probs = np.exp(est.score_samples(np.array(list(itertools.product([0, 1], repeat=12)), float)))
    assert probs.sum() == pytest.approx(1.0, rel=1e-9)  # exactly normalised
