"""RealNVP as a scikit-learn estimator (clone, GridSearchCV), its config, the one MLP builder,
and checkpoints of the earlier code."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold
from torch import nn

from adlkit.data import toys
from adlkit.flows import MLPConditioner, RealNVP, RealNVPConfig, RealNVPFlow
from adlkit.train import load_model

DATA = Path(__file__).parent / "data"
TINY = dict(n_couplings=2, hidden=(8,), epochs=100, max_steps=4, patience=None, batch_size=64)


def test_clone_gives_an_unfitted_estimator_with_equal_params():
    """__init__ stores each hyperparameter as given (the very object); clone of an unfitted and
    of a fitted RealNVP has equal hyperparameters and nothing learned."""
    hidden = [16, 16]
    est = RealNVP(hidden=hidden, random_state=3, **{k: v for k, v in TINY.items() if k != "hidden"})
    assert est.hidden is hidden
    for e in (est, est.fit(toys.sample("moons", 200, random_state=0))):
        c = clone(e)
        assert type(c) is RealNVP and not hasattr(c, "module_") and not hasattr(c, "result_")
        assert c.get_params() == e.get_params()
    assert hasattr(est, "module_") and est.get_params()["random_state"] == 3


def test_grid_search_over_the_learning_rate_selects_by_score():
    """GridSearchCV (cv=2) over lr: each split score is RealNVP.score of a clone fitted on the
    other fold (recomputed here by hand), and the best lr is the one with the best mean."""
    X = toys.sample("moons", 256, random_state=0, standardize=True)
    grid = {"lr": [1e-4, 3e-2]}
    gs = GridSearchCV(RealNVP(**TINY), grid, cv=2).fit(X)
    by_hand = []
    for lr in grid["lr"]:
        folds = [RealNVP(**TINY, lr=lr).fit(X[tr]).score(X[te]) for tr, te in KFold(2).split(X)]
        by_hand.append(folds)
    for i, folds in enumerate(by_hand):
        for k, s in enumerate(folds):
            assert gs.cv_results_[f"split{k}_test_score"][i] == pytest.approx(s, rel=1e-6)
    assert gs.best_params_["lr"] == grid["lr"][int(np.argmax([np.mean(f) for f in by_hand]))]
    assert isinstance(gs.best_estimator_.module_, RealNVPFlow)


def test_from_module_wraps_a_module_with_its_config():
    flow = RealNVPFlow(3, n_couplings=2, hidden=(5,), actnorm=True, lr=2e-3).double()
    est = RealNVP.from_module(flow)
    assert est.module_ is flow and est.n_features_in_ == 3 and est.dtype == "float64"
    assert est.hidden == (5,) and est.actnorm is True and est.lr == 2e-3
    x = torch.randn(4, 3, dtype=torch.float64)
    with torch.no_grad():
        np.testing.assert_array_equal(est.score_samples(x.numpy()), flow.log_prob(x).numpy())
    assert not hasattr(clone(est), "module_")


def test_config_checks_and_is_what_the_checkpoint_stores():
    flow = RealNVPFlow(4, n_couplings=3, hidden=(6, 6), mask="half", scale_clamp=2)
    assert flow.get_config() == {"dim": 4, "n_couplings": 3, "hidden": [6, 6], "mask": "half", "image_shape": None,
                                 "scale_clamp": 2.0, "actnorm": False, "logit_alpha": None, "standardize": False,
                                 "lr": 1e-3, "weight_decay": 0.0}
    again = RealNVPFlow.from_config(RealNVPConfig(**flow.get_config()))
    assert again.get_config() == flow.get_config()
    for bad, msg in [(dict(dim=1), "at least 2 features"), (dict(dim=4, n_couplings=0), "n_couplings"),
                     (dict(dim=4, mask="diagonal"), "mask must be one of"),
                     (dict(dim=4, mask="checkerboard"), "checkerboard mask needs image_shape")]:
        with pytest.raises(ValueError, match=msg):
            RealNVPFlow(**bad)


def test_conditioner_initialisation_is_the_hand_written_mlp():
    """MLPConditioner (built by adlkit.networks.mlp) has the keys and, from one seed, the very
    weights of the hand-written MLP it replaces: Linear/ReLU in order, last layer zeroed."""
    torch.manual_seed(0)
    net = MLPConditioner(3, 4, (16, 16))
    torch.manual_seed(0)
    ref = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 8))
    nn.init.zeros_(ref[4].weight)
    nn.init.zeros_(ref[4].bias)
    got, want = net.state_dict(), {f"net.{k}": v for k, v in ref.state_dict().items()}
    assert list(got) == list(want)
    assert all(torch.equal(got[k], want[k]) for k in want)


def test_a_checkpoint_of_the_earlier_code_loads():
    """A checkpoint written by commit b3b6339 (ActNorm still had an 'initialized' buffer) loads
    with weights_only=True and gives the log-densities that code computed."""
    ref = json.loads((DATA / "realnvp_b3b6339.json").read_text())
    flow = load_model(DATA / "realnvp_b3b6339.ckpt")
    assert isinstance(flow, RealNVPFlow) and flow.config.actnorm and flow.config.standardize
    assert not any(k.endswith("initialized") for k in flow.state_dict())
    x = torch.tensor(ref["x"], dtype=torch.float64)
    with torch.no_grad():
        np.testing.assert_allclose(flow.log_prob(x).numpy(), ref["log_prob"], rtol=1e-13)
    est = RealNVP.from_module(flow)
    np.testing.assert_allclose(est.score_samples(x.numpy()), ref["log_prob"], rtol=1e-13)


def test_layers_and_closed_forms_load_without_scikit_learn():
    """What the worked solutions use (the coupling layer, the Bernoulli closed form, the VAE
    loss) imports without scikit-learn; the estimators load it on first use."""
    import subprocess
    import sys

    code = ("import sys, adlkit.flows, adlkit.mle, adlkit.vae.loss, adlkit.divergences; "
            "assert 'sklearn' not in sys.modules, 'sklearn'; "
            "from adlkit.flows import RealNVP; from adlkit.mle import Bernoulli; from adlkit.vae import VAE; "
            "from sklearn.base import BaseEstimator; "
            "assert all(issubclass(c, BaseEstimator) for c in (RealNVP, Bernoulli, VAE))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
