"""The EBM: its normalised density, training by CD and DSM through adlkit.train, save/load."""

import math

import numpy as np
import pytest
import torch

from adlkit.ebm import EBM, EBMModule

D64 = torch.float64


def test_log_prob_integrates_to_one_in_data_units():
    """exp(log p) with Z by quadrature integrates to 1 over the data space (loc/scale != 0/1),
    checked by an independent scipy dblquad."""
    from scipy.integrate import dblquad

    m = EBMModule(2, hidden=(8,), base_std=1.0).double()
    m.set_standardization(torch.tensor([1.0, -2.0]), torch.tensor([0.5, 2.0]),
                          torch.tensor([0.0, -4.0]), torch.tensor([2.0, 0.0]))
    log_z = m.log_z_quadrature(300)

    @torch.no_grad()
    def p(y, x):
        return math.exp(float(m.log_prob(torch.tensor([[x, y]], dtype=D64), log_z)))

    total, _ = dblquad(p, 1.0 - 3.0, 1.0 + 3.0, -2.0 - 12.0, -2.0 + 12.0, epsabs=1e-7)
    assert total == pytest.approx(1.0, abs=1e-4)


def test_ais_agrees_with_quadrature_on_a_random_network():
    """For an untrained random MLP energy, AIS and the grid agree on log Z within 0.05."""
    m = EBMModule(2, hidden=(16, 16), base_std=1.0).double()
    with torch.no_grad():
        for p in m.net.parameters():
            p.copy_(0.7 * torch.randn_like(p))
    q = m.log_z_quadrature(400)
    r = m.log_z_ais(n_chains=400, n_temps=300, generator=torch.Generator().manual_seed(0))
    assert abs(r.log_z - q) < 0.05


@pytest.mark.parametrize("method,tol", [("cd", 0.1), ("dsm", 0.25)])
def test_training_approaches_the_true_held_out_likelihood(method, tol):
    """On a 1-D two-component mixture, a short run of CD (MALA negatives) or DSM gives a
    held-out log-likelihood (Z by quadrature) within ``tol`` nats of the true density's,
    computed in closed form (DSM fits the data convolved with its noise, hence its wider
    tolerance); the best single Gaussian is 1.2 nats worse."""
    rng = np.random.default_rng(0)

    def draw(n):
        return np.where(rng.random(n) < 0.5, -2.0, 2.0)[:, None] + 0.3 * rng.standard_normal((n, 1))

    X, Xt = draw(2000), draw(1000)
    ebm = EBM(hidden=(32, 32), method=method, epochs=100, max_steps=300, patience=None, batch_size=200, lr=5e-3,
              buffer_size=2000, langevin_steps=10, step_size=0.05, dsm_sigma=0.05, dtype="float64").fit(X)
    comp = [-0.5 * np.log(2 * np.pi * 0.09) - (Xt[:, 0] - m) ** 2 / (2 * 0.09) for m in (-2.0, 2.0)]
    truth = float(np.mean(np.logaddexp(*comp) - np.log(2)))
    gauss = -0.5 * np.log(2 * np.pi * X.var()) - 0.5 * ((Xt - X.mean()) ** 2).mean() / X.var()
    assert truth > gauss + 1.0
    assert ebm.log_z_method_ == "quadrature"
    assert ebm.score(Xt) == pytest.approx(truth, abs=tol)


def test_save_load_roundtrip(tmp_path):
    """best.pt rebuilds the EBM (config, standardisation, replay buffer): same energies, same log Z."""
    from adlkit.train import load_model

    X = np.random.default_rng(0).standard_normal((300, 2)) * [1.0, 3.0] + [2.0, 0.0]
    ebm = EBM(hidden=(8,), epochs=2, batch_size=100, buffer_size=200, langevin_steps=2, patience=None,
              quad_points=100, checkpoint_dir=str(tmp_path)).fit(X, X[:100])
    m = load_model(tmp_path / "best.pt")
    assert isinstance(m, EBMModule) and m.get_config() == ebm.module_.get_config()
    e2 = EBM.from_module(m)
    np.testing.assert_allclose(e2.energy(X[:20]), ebm.energy(X[:20]), rtol=1e-6)
    assert e2.log_z_ == pytest.approx(ebm.log_z_, abs=1e-9)
    torch.testing.assert_close(m.buffer, ebm.module_.buffer)


def test_bad_input():
    with pytest.raises(ValueError, match="method"):
        EBMModule(2, method="mle")
    ebm = EBM()
    with pytest.raises(RuntimeError, match="not fitted"):
        ebm.score_samples(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="NaN"):
        EBM(epochs=1).fit(np.array([[0.0, np.nan], [1.0, 2.0]]))


def test_energy_network_is_the_old_layers_and_the_buffer_follows_it():
    """EnergyMLP (built by adlkit.networks.mlp) has the old keys and, for a fixed seed, the old
    initial weights; the replay buffer is drawn next, uniform in the default box [-3, 3]^dim."""
    from torch import nn

    torch.manual_seed(5)
    m = EBMModule(2, hidden=(6, 4), buffer_size=7)
    torch.manual_seed(5)
    ref = nn.Sequential(nn.Linear(2, 6), nn.SiLU(), nn.Linear(6, 4), nn.SiLU(), nn.Linear(4, 1))
    buffer = -3 + 6 * torch.rand(7, 2)
    ours = {k.removeprefix("net.net."): v for k, v in m.state_dict().items() if k.startswith("net.")}
    assert list(ours) == list(ref.state_dict())
    assert all(torch.equal(ours[k], v) for k, v in ref.state_dict().items())
    assert torch.equal(m.buffer, buffer)


def test_config_is_stored_and_rebuilds_the_module():
    from adlkit.ebm import EBMConfig

    m = EBMModule(1, hidden=[3], method="dsm", quad_points=11)
    assert m.config == EBMConfig(1, hidden=(3,), method="dsm", quad_points=11)
    assert m.get_config()["hidden"] == [3] and EBMModule(**m.get_config()).get_config() == m.get_config()
    with pytest.raises(ValueError, match="step_size must be > 0"):
        EBMConfig(2, step_size=0.0)
