"""adlkit.flows.Planar / PlanarFlow: log-det and Jacobian against autograd + slogdet (float64),
the u-hat reparameterization's guarantee, and the invertibility conditions."""

from __future__ import annotations

import math

import pytest
import torch

from adlkit.flows import Planar, PlanarFlow
from adlkit.flows.planar import invertible


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.mark.parametrize("h", ["tanh", "sigmoid", "identity"])
@pytest.mark.parametrize("reparameterize", [False, True])
def test_log_det_and_jacobian_match_autograd_slogdet(h, reparameterize):
    D = 3
    flow = PlanarFlow([Planar(D, h=h, reparameterize=reparameterize, dtype=torch.float64) for _ in range(4)])
    with torch.no_grad():
        for layer in flow.layers:
            layer.u.normal_(0, 1.5)
            layer.w.normal_(0, 1.0)
            layer.b.normal_()
    z = torch.randn(5, D, dtype=torch.float64)
    x, log_det = flow(z)
    J_analytic = flow.jacobian(z)
    for i in range(5):
        J = torch.autograd.functional.jacobian(lambda v: flow(v.unsqueeze(0))[0][0], z[i])
        sign, logabs = torch.linalg.slogdet(J)
        assert torch.allclose(J_analytic[i], J, atol=1e-12)
        assert float(log_det[i].detach()) == pytest.approx(float(logabs), abs=1e-10)


def test_u_hat_makes_every_layer_invertible_and_matches_the_paper():
    for _ in range(50):
        layer = Planar(4, h="tanh", reparameterize=True, dtype=torch.float64)
        with torch.no_grad():
            layer.u.normal_(0, 2)
            layer.w.normal_(0, 2)
        u, w = layer.u.detach(), layer.w.detach()
        wu = float(w @ u)
        m = -1 + math.log1p(math.exp(wu))
        expected = u + (m - wu) * w / float(w @ w)  # appendix A of Rezende & Mohamed (2015)
        assert torch.allclose(layer.u_effective.detach(), expected, atol=1e-8)
        assert float(w @ layer.u_effective.detach()) == pytest.approx(m, rel=1e-8, abs=1e-9)  # torch softplus is linear above 20
        assert m > -1
        assert layer.invertible()


def test_invertibility_conditions_per_activation():
    w = torch.tensor([1.0, 0.0], dtype=torch.float64)
    for h, edge in (("tanh", -1.0), ("sigmoid", -4.0)):
        assert invertible(torch.tensor([edge, 3.0], dtype=torch.float64), w, h)
        assert not invertible(torch.tensor([edge - 0.01, 3.0], dtype=torch.float64), w, h)
        # the scalar map a -> a + (w^T u) h(a) is decreasing somewhere below the edge
        a = torch.linspace(-3, 3, 2001, dtype=torch.float64)
        hf = torch.tanh if h == "tanh" else torch.sigmoid
        g = a + (edge - 0.05) * hf(a)
        assert bool((g.diff() < 0).any())
        g = a + edge * hf(a)
        assert bool((g.diff() > 0).all())
    assert not invertible(torch.tensor([-1.0, 0.0], dtype=torch.float64), w, "identity")
    assert invertible(torch.tensor([-5.0, 0.0], dtype=torch.float64), w, "identity")
    assert invertible(torch.tensor([-9.0, 0.0], dtype=torch.float64), torch.zeros(2, dtype=torch.float64), "tanh")


def test_sample_and_log_prob_is_a_normalised_density():
    flow = PlanarFlow.random(2, 3)
    flow = flow.double()
    # E_q[p_ref / q] = 1 for any normalised p_ref: importance check with a narrow Gaussian (bounded weights)
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        x, log_q = flow.sample_and_log_prob(200_000, generator=g)
    log_ref = -0.5 * (x.pow(2).sum(1) / 0.49) - math.log(2 * math.pi * 0.49)
    est = torch.exp(log_ref - log_q).mean()
    assert float(est) == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("h", ["tanh", "sigmoid", "identity"])
def test_inverse_round_trip_and_log_prob_integrates_to_one(h):
    flow = PlanarFlow([Planar(2, h=h, reparameterize=True, dtype=torch.float64) for _ in range(5)])
    with torch.no_grad():
        for layer in flow.layers:
            layer.u.normal_(0, 2)
            layer.w.normal_(0, 1.5)
    z = torch.randn(100, 2, dtype=torch.float64)
    x, ld = flow(z)
    z_back, ld_back = flow.inverse(x.detach())
    assert torch.allclose(z_back, z, atol=1e-9)
    assert torch.allclose(ld_back, ld.detach(), atol=1e-9)
    # q(x) on a grid (through the inverse) integrates to 1 over a box holding its mass
    with torch.no_grad():
        for layer in flow.layers:  # moderate layers: the mass stays in the box, no sharp ridges
            layer.u.mul_(0.4)
            layer.w.mul_(0.5)
    g = torch.linspace(-12, 12, 481, dtype=torch.float64)
    X = torch.cartesian_prod(g, g)
    mass = torch.exp(flow.log_prob(X)).sum() * (g[1] - g[0]) ** 2
    assert float(mass) == pytest.approx(1.0, abs=2e-3)
