r"""The WGAN-GP gradient penalty and WGAN weight clipping.

Gradient penalty (Gulrajani et al., 2017, eq. 3):

.. math::

    \hat x = \epsilon x + (1 - \epsilon)\tilde x, \quad \epsilon \sim U[0, 1] \text{ per sample},
    \qquad GP = \lambda\, \mathbb{E}_{\hat x}\big[(\|\nabla_{\hat x} f(\hat x)\|_2 - 1)^2\big]

The norm is taken **per sample over all dimensions** of :math:`\hat x` (for images of shape
(N, C, H, W) it is the 2-norm of the C*H*W gradient entries of each sample), never per
coordinate or over the batch. The gradient is computed with one ``autograd.grad`` call with
``create_graph=True`` so that the penalty can be back-propagated into the critic's weights.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


def interpolate(real: Tensor, fake: Tensor, eps: Tensor | None = None) -> Tensor:
    """Points on the segments between ``real`` and ``fake`` (both (N, ...)).

    ``eps`` (N,) in [0, 1] weights the real sample; drawn from U[0, 1) when None.
    Returns (N, ...) with ``requires_grad`` set, detached from ``real`` and ``fake``.
    """
    if real.shape != fake.shape:
        raise ValueError(f"real {tuple(real.shape)} and fake {tuple(fake.shape)} must have the same shape")
    n = real.shape[0]
    if eps is None:
        eps = torch.rand(n, dtype=real.dtype, device=real.device)
    e = eps.reshape((n,) + (1,) * (real.dim() - 1))
    x_hat = torch.lerp(fake.detach(), real.detach(), e)  # fake + e * (real - fake)
    return x_hat.requires_grad_(True)


def input_gradient_norms(critic: nn.Module, x: Tensor, create_graph: bool = False) -> Tensor:
    r"""Per-sample :math:`\|\nabla_x f(x)\|_2` over all non-batch dimensions: (N,).

    ``critic`` maps (N, ...) to (N,) or (N, 1); samples must not interact (no batch norm),
    which makes the gradient of the summed output equal to each sample's own gradient.
    """
    if not x.requires_grad:
        x = x.detach().requires_grad_(True)
    out = critic(x)
    (g,) = torch.autograd.grad(out.sum(), x, create_graph=create_graph)
    return g.flatten(1).norm(dim=1)


def gradient_penalty(
    critic: nn.Module,
    real: Tensor,
    fake: Tensor,
    lam: float = 10.0,
    eps: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    r"""Return ``(penalty, norms)``: :math:`\lambda\,\mathrm{mean}((\|\nabla f(\hat x)\| - 1)^2)`
    (a scalar with a graph into the critic's weights) and the detached norms (N,)."""
    x_hat = interpolate(real, fake, eps)
    norms = input_gradient_norms(critic, x_hat, create_graph=True)
    return lam * (norms - 1.0).square().mean(), norms.detach()


@torch.no_grad()
def clip_weights(module: nn.Module, c: float) -> None:
    """WGAN weight clipping: clamp every parameter of ``module`` to [-c, c] in place."""
    if not c > 0:
        raise ValueError(f"clip value must be > 0, got {c}")
    for p in module.parameters():
        p.clamp_(-c, c)


@torch.no_grad()
def share_at_bounds(module: nn.Module, c: float, tol: float = 1e-3) -> float:
    """Share of weights (all parameters) within ``tol * c`` of the clipping bounds +-c."""
    total, at = 0, 0
    for p in module.parameters():
        total += p.numel()
        at += int((p.abs() >= c * (1.0 - tol)).sum())
    return at / max(total, 1)
