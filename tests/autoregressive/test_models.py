"""The autoregressive models: masks against an independent construction and nflows' MADE, the
autoregressive structure by autograd, normalisation by enumeration, counts against closed forms."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from sklearn.base import clone

from adlkit.autoregressive import (
    FVSBN,
    MADE,
    NADE,
    ARConfig,
    ARModule,
    MaskedConv2d,
    PixelCNN,
    conv_mask,
    count_parameters,
    hidden_degrees,
    made_masks,
    made_network,
)


def _loop_masks(m_in, hidden):
    """The paper's rule written as loops over units (eq. 12-13), independent of the vectorised builder."""
    masks, prev = [], list(m_in)
    for layer in hidden:
        M = np.zeros((len(layer), len(prev)), dtype=int)
        for k, mk in enumerate(layer):
            for j, mj in enumerate(prev):
                if mk >= mj:
                    M[k, j] = 1
        masks.append(M)
        prev = list(layer)
    M = np.zeros((len(m_in), len(prev)), dtype=int)
    for d, md in enumerate(m_in):
        for k, mk in enumerate(prev):
            if md > mk:
                M[d, k] = 1
    masks.append(M)
    return masks


@pytest.mark.parametrize("seed", range(5))
def test_made_masks_follow_the_papers_rule(seed):
    rng = np.random.default_rng(seed)
    D = int(rng.integers(2, 8))
    order = list(rng.permutation(D) + 1)
    hidden = [list(rng.integers(1, D, size=int(rng.integers(1, 9)))) for _ in range(int(rng.integers(1, 4)))]
    for a, b in zip(made_masks(order, hidden), _loop_masks(order, hidden)):
        assert a.shape == b.shape and (a == b).all()


def test_cyclic_degrees_and_masks_equal_nflows_made():
    pytest.importorskip("nflows", reason="nflows is a bench peer (pip install --no-deps nflows==0.14)")
    from nflows.transforms.made import MADE as NfMADE

    D, H = 5, 12
    ref = NfMADE(features=D, hidden_features=H, num_blocks=1, use_residual_blocks=False, random_mask=False)
    ours = made_masks(list(range(1, D + 1)), hidden_degrees(D, [H, H]))
    nf = [ref.initial_layer.mask, ref.blocks[0].linear.mask, ref.final_layer.mask]
    for a, b in zip(ours, nf):
        assert (a == b.numpy().astype(int)).all()


def _jacobian(module: ARModule, x: torch.Tensor) -> np.ndarray:
    return torch.autograd.functional.jacobian(lambda v: module.logits(v[None])[0], x).numpy()


@pytest.mark.parametrize("kind", ["fvsbn", "made", "made_random", "pixelcnn"])
def test_output_i_does_not_depend_on_inputs_not_before_it(kind):
    """d logit_i / d x_j == 0 for every j with m(j) >= m(i), by autograd, at random inputs."""
    D = 16
    order = None if kind == "pixelcnn" else [int(a) + 1 for a in np.random.default_rng(1).permutation(D)]
    cfg = ARConfig("made" if kind.startswith("made") else kind, D, ordering=order, hidden=(40, 40),
                   degrees="random" if kind == "made_random" else "cyclic", image_shape=(4, 4), channels=8,
                   kernel=3, layers=2)
    module = ARModule.from_config(cfg).double()
    m = np.array(module.ordering)
    for _ in range(3):
        J = _jacobian(module, torch.rand(D, dtype=torch.float64))
        not_before = m[None, :] >= m[:, None]
        assert np.abs(J[not_before]).max() == 0.0
        assert np.abs(J[~not_before]).max() > 0  # it does depend on something earlier


@pytest.mark.parametrize("kind", ["fvsbn", "made", "pixelcnn"])
def test_log_prob_is_normalised_over_all_binary_vectors(kind):
    D = 4
    module = ARModule.from_config(ARConfig(kind, D, hidden=(20,), image_shape=(2, 2), channels=4, kernel=3,
                                           layers=1)).double()
    X = torch.tensor(list(itertools.product([0.0, 1.0], repeat=D)), dtype=torch.float64)
    assert torch.logsumexp(module.log_prob(X), 0).item() == pytest.approx(0.0, abs=1e-12)


def test_sampling_follows_the_conditionals():
    """Samples of a 3-variable MADE: their empirical joint matches exp(log_prob) (chi-square-ish bound)."""
    module = ARModule.from_config(ARConfig("made", 3, ordering=[3, 1, 2], hidden=(16,))).double()
    with torch.no_grad():
        for p in module.parameters():
            p.mul_(4)
    S = module.sample(40000, torch.Generator().manual_seed(0))
    X = torch.tensor(list(itertools.product([0.0, 1.0], repeat=3)), dtype=torch.float64)
    p = module.log_prob(X).exp().detach().numpy()
    freq = np.array([((S == x).all(1)).double().mean().item() for x in X])
    assert np.abs(freq - p).max() < 4 * np.sqrt(p.max() / 40000) + 1e-3


def test_counts_against_closed_forms():
    n = 10
    fv = count_parameters(made_network(list(range(1, n + 1)), []))
    assert fv["effective"] == n * (n + 1) // 2 and fv["all"] == n * n + n
    d = 7
    assert count_parameters(NADE(n, d))["all"] == 2 * n * d + n + d
    H = [13, 9]
    made = count_parameters(made_network(list(range(1, n + 1)), hidden_degrees(n, H)))
    assert made["all"] == n * 13 + 13 + 13 * 9 + 9 + 9 * n + n
    assert made["biases"] == 13 + 9 + n
    for k, kind, vis in [(3, "A", 4), (3, "B", 5), (5, "A", 12), (7, "B", 25)]:
        conv = MaskedConv2d(3, 8, k, kind)
        c = count_parameters(conv)
        assert c["all"] == 8 * 3 * k * k + 8 and c["effective"] == 8 * 3 * vis + 8
        assert conv_mask(k, kind).sum() == vis == (k // 2) * k + k // 2 + (kind == "B")


def test_conv_mask_refuses_an_even_kernel():
    with pytest.raises(ValueError, match="odd"):
        conv_mask(4, "A")


@pytest.mark.parametrize("cls", [FVSBN, MADE, PixelCNN])
def test_estimators_clone_fit_score_and_sample(cls):
    rng = np.random.default_rng(0)
    # a dependent 16-pixel distribution: half the images copy a random first row down
    row = rng.integers(0, 2, size=(400, 4))
    X = np.where(rng.random((400, 1)) < 0.5, np.tile(row, 4), rng.integers(0, 2, size=(400, 16))).astype(float)
    kw = {"image_shape": (4, 4), "channels": 8, "kernel": 3, "layers": 2} if cls is PixelCNN else {}
    est = clone(cls(max_steps=400, random_state=0, **kw)).fit(X[:300], X[300:])
    ll = est.score_samples(X[300:])
    assert ll.shape == (100,) and np.all(ll < 0)
    assert ll.mean() > -16 * np.log(2) + 1.0  # learns the dependence: better than uniform pixels by > 1 nat
    S = est.sample(5, random_state=3)
    assert S.shape == (5, 16) and set(np.unique(S)) <= {0.0, 1.0}
    assert (S == est.sample(5, random_state=3)).all()
    with pytest.raises(ValueError):
        est.score_samples(X[:, :8])


def test_evaluate_digits_returns_the_common_row():
    from adlkit.autoregressive import evaluate_digits
    from adlkit.data.registry import density_split

    r = evaluate_digits(seed=0, quick=True)
    assert {"model", "test_ll", "how", "parameters", "seconds", "samples"} <= set(r)
    X_test = list(density_split("digits", 0))[2]
    assert r["test_ll"] == pytest.approx(float(np.mean(r["estimator"].score_samples(X_test))))
    assert r["parameters"] == r["estimator"].n_parameters()["effective"]
    assert r["samples"].shape[1] == 64 and set(np.unique(r["samples"])) <= {0.0, 1.0}
    assert r["test_ll"] > -24.4  # even 300 steps beat the per-pixel Bernoulli model (-24.38)
