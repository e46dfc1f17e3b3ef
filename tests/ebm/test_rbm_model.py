"""The trainable RBM: AIS against exact enumeration, one CD-k / PCD-k update of the numba kernel
equal to the autograd step and to the closed form (scikit-learn's update for PCD-1), CD-k raising
the exact likelihood of a small model, the pseudo-likelihood by its definition."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from adlkit.ebm.rbm import RBM
from adlkit.ebm.rbm_model import RBMEstimator, RBMModule, ais_rbm_log_partition, draw_uniforms, pseudo_log_likelihood


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


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _free_energy_np(V, W, b, c):
    return -(V @ b) - np.logaddexp(0, c + V @ W).sum(1)


def _closed_form_update(W, b, c, V, H, U, lr, persistent):
    """Numpy, from the definitions: the k Gibbs steps with the uniforms U (k, M, n_v + n_h), then
    W += lr (V^T p(h|V)/B - Vn^T p(h|Vn)/M), biases likewise; returns the new state and the
    objective mean F(V) - mean F(Vn) before the update."""
    nv, k = W.shape[0], U.shape[0]
    hp = _sig(c + V @ W)
    if not persistent:
        H = (U[0, :, nv:] < hp).astype(float)
    for t in range(k):
        Vn = (U[t, :, :nv] < _sig(b + H @ W.T)).astype(float)
        if persistent or t < k - 1:
            H = (U[t if persistent else t + 1, :, nv:] < _sig(c + Vn @ W)).astype(float)
    hn = _sig(c + Vn @ W)
    B, M = V.shape[0], Vn.shape[0]
    loss = _free_energy_np(V, W, b, c).mean() - _free_energy_np(Vn, W, b, c).mean()
    return (W + lr * (V.T @ hp / B - Vn.T @ hn / M), b + lr * (V.sum(0) / B - Vn.sum(0) / M),
            c + lr * (hp.sum(0) / B - hn.sum(0) / M), H, loss)


class _Ctx:
    """A one-process step context (the kernel path), or one of two processes (the autograd path,
    whose gradient averaging is the identity here)."""

    def __init__(self, mod, world_size=1):
        self.optimizers, self.world_size = mod.configure_optimizers(), world_size

    def backward(self, loss):
        loss.backward()


def _module(method, k, scale=0.5, nv=6, nh=4, chains=5):
    torch.manual_seed(0)
    mod = RBMModule(nv, n_hidden=nh, method=method, k=k, lr=0.1, n_chains=chains, init_std=scale)
    with torch.no_grad():
        mod.rbm.b.normal_(), mod.rbm.c.normal_()
        mod.chains.copy_(torch.bernoulli(torch.full((chains, nh), 0.5, dtype=torch.float64)))
    return mod


@pytest.mark.parametrize("method,k", [("pcd", 1), ("pcd", 3), ("cd", 1), ("cd", 2)])
def test_kernel_update_equals_autograd_and_the_closed_form(method, k):
    """One update from the same state with the same uniforms: the numba kernel (one process),
    the autograd step (two processes) and the closed form from the definitions agree to 1e-12,
    the reported loss included; PCD's new hidden chain states are equal."""
    fast, slow = _module(method, k), _module(method, k)  # 5 chains, a batch of 7 rows
    v = torch.bernoulli(torch.full((7, 6), 0.5, dtype=torch.float64), generator=torch.Generator().manual_seed(3))
    W0, b0, c0, H0 = (t.detach().numpy().copy() for t in (fast.rbm.W, fast.rbm.b, fast.rbm.c, fast.chains))
    torch.manual_seed(7)
    U = draw_uniforms(1, k, 5 if method == "pcd" else 7, 10)[0]  # train_step's draw
    torch.manual_seed(7)
    lf = fast.train_step(v, _Ctx(fast))["loss"]
    torch.manual_seed(7)
    ls = slow.train_step(v, _Ctx(slow, world_size=2))["loss"]
    W, b, c, H, loss = _closed_form_update(W0, b0, c0, v.numpy(), H0, U, 0.1, method == "pcd")
    for mod, got in ((fast, lf), (slow, ls)):
        np.testing.assert_allclose(mod.rbm.W.detach().numpy(), W, rtol=0, atol=1e-12)
        np.testing.assert_allclose(mod.rbm.b.detach().numpy(), b, rtol=0, atol=1e-12)
        np.testing.assert_allclose(mod.rbm.c.detach().numpy(), c, rtol=0, atol=1e-12)
        assert got == pytest.approx(loss, abs=1e-12)
        if method == "pcd":
            np.testing.assert_array_equal(mod.chains.numpy(), H)
    assert not np.allclose(W, W0)  # the update moved the weights


def test_kernel_pcd1_updates_are_sklearns_with_the_same_uniforms():
    """Five PCD-1 updates of the kernel from scikit-learn's state equal BernoulliRBM._fit's five
    updates fed the same uniforms (its draws: the visible units, then the hidden ones)."""
    from sklearn.neural_network import BernoulliRBM

    from adlkit.ebm._rbm_kernel import contrastive_updates

    if not hasattr(BernoulliRBM, "_fit"):
        pytest.skip("scikit-learn's BernoulliRBM has no _fit step to compare with")
    rng = np.random.default_rng(0)
    nv, nh, B = 12, 7, 4
    X = (rng.random((5 * B, nv)) < 0.3).astype(float)
    sk = BernoulliRBM(n_components=nh, learning_rate=0.06, batch_size=B)
    sk.components_, sk.intercept_hidden_ = rng.normal(0, 0.5, (nh, nv)), rng.normal(size=nh)
    sk.intercept_visible_, sk.h_samples_ = rng.normal(size=nv), (rng.random((B, nh)) < 0.5).astype(float)
    W, b, c, h = sk.components_.T.copy(), sk.intercept_visible_.copy(), sk.intercept_hidden_.copy(), sk.h_samples_.copy()
    U = rng.random((5, 1, B, nv + nh))

    class Replay:  # sklearn's rng: uniform(size) for the visible, then the hidden units, per update
        def __init__(self):
            self.draws = [d for s in range(5) for d in (U[s, 0, :, :nv], U[s, 0, :, nv:])]

        def uniform(self, size):
            d = self.draws.pop(0)
            assert d.shape == size
            return d.copy()

    replay = Replay()
    for s in range(5):
        sk._fit(X[s * B:(s + 1) * B], replay)
    contrastive_updates(W, b, c, X, B, h, U, 0.06, True)
    np.testing.assert_allclose(W, sk.components_.T, rtol=0, atol=1e-12)
    np.testing.assert_allclose(b, sk.intercept_visible_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(c, sk.intercept_hidden_, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(h, sk.h_samples_)


def test_kernel_loss_with_large_inputs_and_many_hidden_units():
    """The kernel's objective (softplus sums from products of 1 + e^-|a|, one log per 1,000
    factors) equals numpy's logaddexp free energies with pre-activations of size ~30 and 1,500
    hidden units (two chunks)."""
    mod = _module("cd", 1, scale=3.0, nv=30, nh=1500, chains=4)
    v = torch.bernoulli(torch.full((4, 30), 0.5, dtype=torch.float64), generator=torch.Generator().manual_seed(1))
    W0, b0, c0 = (t.detach().numpy().copy() for t in (mod.rbm.W, mod.rbm.b, mod.rbm.c))
    assert np.abs(c0 + v.numpy() @ W0).max() > 20
    torch.manual_seed(2)
    U = draw_uniforms(1, 1, 4, 1530)[0]
    torch.manual_seed(2)
    got = mod.train_step(v, _Ctx(mod))["loss"]
    *_, loss = _closed_form_update(W0, b0, c0, v.numpy(), None, U, 0.1, False)
    assert got == pytest.approx(loss, rel=1e-12, abs=1e-10)


def test_minibatch_blocks_keep_the_data_order_and_the_updates():
    """MinibatchBlocks hands over TensorBatches' minibatches (same permutation, same remainder
    left out), or without shuffling the rows in order; one step over a block makes the same
    updates as one step per minibatch."""
    from adlkit.ebm.rbm_model import MinibatchBlocks
    from adlkit.train import TensorBatches

    X = torch.bernoulli(torch.full((47, 6), 0.4, dtype=torch.float64), generator=torch.Generator().manual_seed(0))
    blocks = list(MinibatchBlocks(X, 5, 3).epoch(torch.Generator().manual_seed(4)))
    singles = list(TensorBatches(X, 5).epoch(torch.Generator().manual_seed(4)))
    assert len(blocks) == len(MinibatchBlocks(X, 5, 3)) == 3 and [len(b) for b in blocks] == [15, 15, 15]
    torch.testing.assert_close(torch.cat(blocks), torch.cat(singles), rtol=0, atol=0)
    fixed = MinibatchBlocks(X, 5, 3, shuffle=False)  # sklearn's order: every row, the last batch shorter
    got = list(fixed.epoch(torch.Generator().manual_seed(4)))
    assert len(got) == len(fixed) == 4 and [len(b) for b in got] == [15, 15, 15, 2]
    torch.testing.assert_close(torch.cat(got), X, rtol=0, atol=0)
    for method in ("pcd", "cd"):
        a, b = _module(method, 1), _module(method, 1)
        a.config.batch_size = 5
        torch.manual_seed(9)
        for block in blocks:
            a.train_step(block, _Ctx(a))
        torch.manual_seed(9)
        for block in blocks:  # the same uniforms: one draw per block, sliced per update
            u = torch.from_numpy(draw_uniforms(3, 1, 5, 10))
            for s in range(3):
                _one_update(b, block[5 * s:5 * (s + 1)], u[s])
        for p, q in zip(a.state_dict().values(), b.state_dict().values()):
            torch.testing.assert_close(p, q, rtol=0, atol=1e-12)


def _one_update(mod, v, u):
    from adlkit.ebm.rbm_model import contrastive_step

    contrastive_step(mod.rbm, mod.configure_optimizers()["sgd"], v, mod.chains, u, mod.config.method == "pcd")


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
