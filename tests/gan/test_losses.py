"""GAN losses against torch's binary cross-entropy and the value of the game at D = 1/2."""

import math

import pytest
import torch
import torch.nn.functional as F

from adlkit.gan import losses as L


def test_discriminator_loss_is_bce_and_minus_value():
    a_real, a_fake = torch.randn(50), torch.randn(50)
    bce = F.binary_cross_entropy(torch.sigmoid(a_real), torch.ones(50)) + \
        F.binary_cross_entropy(torch.sigmoid(a_fake), torch.zeros(50))
    assert float(L.discriminator_loss(a_real, a_fake)) == pytest.approx(float(bce), rel=1e-5)
    assert float(L.gan_value(a_real, a_fake)) == pytest.approx(-float(bce), rel=1e-5)


def test_value_at_uninformed_discriminator_is_minus_log_4():
    zeros = torch.zeros(10)  # D = sigmoid(0) = 1/2 everywhere
    assert float(L.gan_value(zeros, zeros)) == pytest.approx(-math.log(4), rel=1e-6)


def test_generator_losses():
    a = torch.tensor([-2.0, 0.0, 3.0])
    d = torch.sigmoid(a)
    assert float(L.generator_loss_minimax(a)) == pytest.approx(float(torch.log(1 - d).mean()), rel=1e-5)
    assert float(L.generator_loss_nonsaturating(a)) == pytest.approx(float(-torch.log(d).mean()), rel=1e-5)


def test_wasserstein_signs():
    real, fake = torch.tensor([3.0, 5.0]), torch.tensor([1.0, 1.0])
    assert float(L.wasserstein_estimate(real, fake)) == 3.0
    assert float(L.critic_loss(real, fake)) == -3.0
    assert float(L.wasserstein_generator_loss(fake)) == -1.0
