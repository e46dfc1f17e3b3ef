"""Langevin samplers, grid quadrature and AIS against closed forms."""

import math

import pytest
import torch

from adlkit.ebm.ais import ais_log_partition, sigmoid_schedule
from adlkit.ebm.langevin import langevin
from adlkit.ebm.partition import partition_function
from adlkit.ebm.quadrature import log_partition

D64 = torch.float64
MU = torch.tensor([1.0, -2.0], dtype=D64)
SD = torch.tensor([0.5, 1.5], dtype=D64)


def gaussian_energy(x):
    """E(x) = sum_j (x_j - mu_j)^2 / (2 sd_j^2): Z = 2 pi sd_1 sd_2."""
    return (((x - MU) / SD) ** 2).sum(-1) / 2


LOG_Z_GAUSS = math.log(2 * math.pi * 0.5 * 1.5)


def test_quadrature_question_4a():
    """f(x) = exp(-(x - 2.5)^2 / 9) has Z = 3 sqrt(pi) (question 4A): the torch-energy grid
    quadrature agrees with the closed form and with the solver's partition_function."""
    lz = log_partition(lambda x: (x[:, 0] - 2.5) ** 2 / 9, [(-40.0, 45.0)], n=4001)
    assert lz == pytest.approx(math.log(3 * math.sqrt(math.pi)), abs=1e-10)
    assert lz == pytest.approx(math.log(partition_function("exp(-(x - 2.5)**2 / 9)").Z), abs=1e-10)


def test_quadrature_2d_gaussian():
    """2-D Gaussian energy: log Z = log(2 pi sd1 sd2), and doubling the grid changes nothing."""
    b = [(-6.0, 8.0), (-12.0, 8.0)]
    assert log_partition(gaussian_energy, b, n=301) == pytest.approx(LOG_Z_GAUSS, abs=1e-9)
    assert log_partition(gaussian_energy, b, n=601) == pytest.approx(LOG_Z_GAUSS, abs=1e-9)


def test_quadrature_rejects_three_dimensions():
    with pytest.raises(ValueError, match="1-D and 2-D"):
        log_partition(gaussian_energy, [(-1, 1)] * 3, n=10)


@pytest.mark.parametrize("metropolis,step", [(True, 0.2), (False, 0.05)])
def test_langevin_reaches_gaussian_mean_and_variance(metropolis, step):
    """Chains started far away reach mean mu and the right variance of the Gaussian energy:
    sd^2 for MALA (exact invariance); for ULA its exact stationary variance
    eps / (1 - (1 - eps / (2 sd^2))^2), which differs from sd^2 by O(eps)."""
    g = torch.Generator().manual_seed(1)
    x0 = torch.full((2000, 2), 5.0, dtype=D64)
    x, acc = langevin(gaussian_energy, x0, 400, step, metropolis=metropolis, generator=g)
    var_ref = SD**2 if metropolis else step / (1 - (1 - step / (2 * SD**2)) ** 2)
    torch.testing.assert_close(x.mean(0), MU, atol=4 * 1.5 / math.sqrt(2000), rtol=0)
    torch.testing.assert_close(x.var(0) / var_ref, torch.ones(2, dtype=D64), atol=0.1, rtol=0)
    if metropolis:
        assert 0.3 < acc < 1.0
    else:
        assert float(var_ref[0] / SD[0] ** 2) > 1.05  # the ULA bias is real and accounted for


def test_ais_matches_known_partition_function():
    """AIS on the Gaussian energy: |log Z_hat - log(2 pi sd1 sd2)| < 0.05 and within 4 standard
    errors; on a two-mode mixture AIS agrees with quadrature within 0.05."""
    g = torch.Generator().manual_seed(2)
    r = ais_log_partition(gaussian_energy, 2, base_std=2.0, n_chains=400, n_temps=300, generator=g)
    assert abs(r.log_z - LOG_Z_GAUSS) < max(0.05, 4 * r.stderr) and abs(r.log_z - LOG_Z_GAUSS) < 0.05

    def two_modes(x):
        a = -((x - 1.5) ** 2).sum(-1) / 0.2
        b = -((x + 1.5) ** 2).sum(-1) / 0.6
        return -torch.logsumexp(torch.stack([a, b]), 0)

    quad = log_partition(two_modes, [(-8.0, 8.0)] * 2, n=600)
    assert quad == pytest.approx(math.log(0.2 * math.pi + 0.6 * math.pi), abs=1e-8)
    r = ais_log_partition(two_modes, 2, base_std=2.5, n_chains=400, n_temps=300, generator=g)
    assert abs(r.log_z - quad) < 0.05


def test_sigmoid_schedule_is_increasing_from_0_to_1():
    b = sigmoid_schedule(50)
    assert b[0] == 0 and b[-1] == 1 and bool((b[1:] > b[:-1]).all())
