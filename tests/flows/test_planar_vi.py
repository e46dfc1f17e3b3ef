"""The planar-flow VI model: the paper's energies (against normflows' copies and the formulas of
Table 1 written out with numpy), log Z by quadrature (against scipy), and a short fit whose KL
falls well below its value at init, with q and p integrating to 1 on a grid."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from scipy import integrate

from adlkit.flows.energies import ENERGIES, QUADRATURE_BOX, energy, log_partition
from adlkit.flows.vi import PlanarVI, density_grid, evaluate_vi, train_planar_vi


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _points(n=500):
    return (torch.rand(n, 2, dtype=torch.float64) * 8 - 4)


def _our_envelope(z):
    return 0.5 * (z[:, 0] / 4) ** 8


def _nf_envelope(z, scale):
    return 0.5 * (torch.linalg.vector_norm(z, ord=4, dim=1) / (20 * scale)) ** 4


def test_energies_match_normflows_copies():
    pytest.importorskip("normflows", reason="normflows is a bench peer (pip install --no-deps normflows==1.7.3)")
    from normflows.distributions.prior import Sinusoidal, Sinusoidal_gap, TwoModes

    z = _points()
    assert torch.allclose(energy("u1")(z), -TwoModes(2.0, 0.2).log_prob(z), atol=1e-10)
    # normflows adds its own envelope to U2 and U3: compare the paper's part
    assert torch.allclose(energy("u2")(z) - _our_envelope(z), -Sinusoidal(0.4, 4).log_prob(z) - _nf_envelope(z, 0.4),
                          atol=1e-10)
    assert torch.allclose(energy("u3")(z) - _our_envelope(z),
                          -Sinusoidal_gap(0.35, 4).log_prob(z) - _nf_envelope(z, 0.35), atol=1e-10)


def test_u4_is_table_1_of_the_paper():
    z = _points().numpy()
    w1 = np.sin(2 * np.pi * z[:, 0] / 4)
    w3 = 3 / (1 + np.exp(-(z[:, 0] - 1) / 0.3))
    u4 = -np.log(np.exp(-0.5 * ((z[:, 1] - w1) / 0.4) ** 2) + np.exp(-0.5 * ((z[:, 1] - w1 + w3) / 0.35) ** 2))
    ours = energy("u4")(torch.from_numpy(z)).numpy() - 0.5 * (z[:, 0] / 4) ** 8
    assert np.allclose(ours, u4, atol=1e-10)


def test_log_partition_of_u1_against_scipy():
    def f(z2, z1):
        return float(torch.exp(-energy("u1")(torch.tensor([[z1, z2]], dtype=torch.float64)))[0])
    Z, _ = integrate.dblquad(f, -4, 4, -4, 4, epsabs=1e-9)
    assert log_partition("u1") == pytest.approx(math.log(Z), abs=1e-6)


def test_every_target_is_normalised_inside_the_quadrature_box():
    for name in ENERGIES:
        model = PlanarVI(name, layers=2)
        q, p, cell = density_grid(model, QUADRATURE_BOX, 301)
        assert p.sum() * cell == pytest.approx(1.0, abs=2e-3), name


def test_short_fit_lowers_the_kl_and_q_integrates_to_one():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    init = evaluate_vi(PlanarVI("u2", layers=6), n=5000)
    run = train_planar_vi("u2", layers=6, steps=250, seed=0, batch_size=128)
    fitted = evaluate_vi(run.model, n=5000)
    assert run.steps == 250
    assert fitted["kl"] < 0.5 * init["kl"], (init, fitted)
    assert fitted["kl"] > -3 * fitted["loss_se"]  # a KL is never negative (up to Monte Carlo error)
    q, _, cell = density_grid(run.model, QUADRATURE_BOX, 301)
    assert q.sum() * cell == pytest.approx(1.0, abs=1e-2)


def test_cli_writes_the_figure_and_metrics(tmp_path):
    from typer.testing import CliRunner

    from adlkit.cli import app

    r = CliRunner().invoke(app, ["train", "planar", "--energy", "u1", "--layers", "3", "--steps", "40",
                                 "--batch-size", "64", "-o", str(tmp_path), "-q"])
    assert r.exit_code == 0, r.output
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert m["steps"] == 40 and m["energy"] == "u1" and math.isfinite(m["kl_nats"])
    assert (tmp_path / "planar_density.png").stat().st_size > 1000 and (tmp_path / "best.pt").is_file()
    bad = CliRunner().invoke(app, ["train", "planar", "--energy", "u7", "-o", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "u7" in bad.output
