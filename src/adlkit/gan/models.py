r"""MLP generators and critics and the :class:`GANModule` that trains them (its arguments:
:class:`GANConfig`; the scikit-learn estimator around it is :class:`adlkit.gan.GAN`).

One class covers the three objectives of the course (``loss``):

==========  ==========================================  =========================================
``loss``    critic / discriminator update               defaults (as in the papers)
==========  ==========================================  =========================================
"gan"       BCE on logits, ``n_critic`` = 1              Adam 2e-4, betas (0.5, 0.999);
            generator: non-saturating or minimax         Goodfellow et al. 2014, Radford et al. 2016
"wgan"      :math:`-\hat W`, then clip weights to +-c    RMSprop 5e-5, c = 0.01, ``n_critic`` = 5;
                                                         Arjovsky et al. 2017, Algorithm 1
"wgan-gp"   :math:`-\hat W + \lambda\,GP` on interpolates Adam 1e-4, betas (0.5, 0.9), lambda = 10,
                                                         ``n_critic`` = 5; Gulrajani et al. 2017
==========  ==========================================  =========================================

Shapes: data are (N, *data_shape) in the **data space**; the networks work on
``(x - shift) / scale`` flattened to (N, D). The generator maps noise (N, latent_dim) ~ N(0, I)
to (N, D); the critic maps (N, D) to (N,) (a logit for "gan", an unbounded score otherwise).

One call of :meth:`GANModule.train_step` is one **generator iteration**: ``n_critic`` critic updates,
each on its own ``batch_size`` slice of the batch it is given (so the shared loop is configured
with ``batch_size = n_critic * batch``), then one generator update on ``batch`` fresh noises.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils import parametrize

from adlkit.core.config import ModelConfig
from adlkit.gan import CRITIC_NORMS, GENERATOR_LOSSES, LOSSES
from adlkit.gan import losses as L
from adlkit.gan.penalty import clip_weights, interpolate
from adlkit.networks import mlp
from adlkit.train.schedules import decay_linearly

OUT_ACTIVATIONS = ("none", "tanh")

DEFAULTS: dict[str, dict[str, Any]] = {
    "gan": {"n_critic": 1, "lr": 2e-4, "betas": (0.5, 0.999)},
    "wgan": {"n_critic": 5, "lr": 5e-5, "betas": None},
    "wgan-gp": {"n_critic": 5, "lr": 1e-4, "betas": (0.5, 0.9)},
}


class MLP(nn.Module):
    """Linear layers with ReLU between them: (N, in_features) -> (N, out_features), built by
    :func:`adlkit.networks.mlp` and held as ``net`` (state-dict keys ``net.0.weight``, ...).

    No normalisation layers: samples never interact, which the per-sample gradient penalty
    relies on. ``out_activation`` "none" leaves the output linear; a name of
    :data:`adlkit.networks.ACTIVATIONS` ("tanh": bounded to (-1, 1)) follows the last layer.
    """

    def __init__(self, in_features: int, out_features: int, hidden: Sequence[int] = (512, 512, 512),
                 out_activation: str = "none"):
        super().__init__()
        self.net = mlp([in_features, *hidden, out_features], "relu",
                       out_activation=None if out_activation == "none" else out_activation)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


class Critic(nn.Module):
    """An MLP critic/discriminator: (N, ...) -> (N,) (inputs are flattened)."""

    def __init__(self, data_dim: int, hidden: Sequence[int] = (512, 512, 512)):
        super().__init__()
        self.mlp = MLP(data_dim, 1, hidden)

    def forward(self, x: Tensor) -> Tensor:
        return self.mlp(x.flatten(1)).squeeze(1)

    def input_gradient(self, x: Tensor) -> Tensor:
        r"""Per-sample input gradient :math:`\nabla_x f(x)`, (N, D), written out for the ReLU MLP
        and differentiable with respect to the weights (for the gradient penalty).

        For :math:`f(x) = w_L^\top \mathrm{relu}(W_{L-1} \cdots \mathrm{relu}(W_1 x + b_1) \cdots) + b_L`,
        :math:`\nabla_x f = W_1^\top M_1 W_2^\top M_2 \cdots M_{L-1} w_L` with the ReLU masks
        :math:`M_l = \mathrm{diag}(W_l h_{l-1} + b_l > 0)`. The masks are piecewise constant in
        the weights, so holding them fixed gives the exact gradient of the penalty (almost
        everywhere), as double back-propagation does -- without back-propagating the zero
        derivative of the masks through a second forward pass (about a sixth fewer matrix
        products per WGAN-GP critic step than ``autograd.grad(..., create_graph=True)``;
        checked against it in ``tests/gan/test_penalty.py``).
        """
        linears = [m for m in self.mlp.net if isinstance(m, nn.Linear)]
        masks: list[Tensor] = []
        with torch.no_grad():
            h = x.flatten(1)
            for lin in linears[:-1]:
                a = F.linear(h, lin.weight, lin.bias)
                m = a > 0
                masks.append(m.to(a.dtype))
                h = a.mul_(masks[-1])
        g = linears[-1].weight * masks[-1]  # (N, H_{L-1}): (1, H) broadcast over the batch
        for lin, m in zip(reversed(linears[1:-1]), reversed(masks[:-1])):
            g = (g @ lin.weight) * m
        return g @ linears[0].weight


def _json_number_or_list(v: float | Sequence[float]) -> float | list[float]:
    """A scalar as given, or a sequence as a list of floats (how the checkpoint stores it)."""
    return v if isinstance(v, (int, float)) else [float(x) for x in v]


@dataclass
class GANConfig(ModelConfig):
    """The arguments of :class:`GANModule`, checked and normalised (stored in checkpoints).

    Args:
        loss: "gan", "wgan" or "wgan-gp".
        data_shape: shape of one sample in the data space, e.g. [2] or [8, 8].
        latent_dim: noise dimension.
        hidden: widths of the hidden layers of both networks.
        n_critic, lr, betas: None picks the loss's default (:data:`DEFAULTS`); ``betas`` is
            ignored by "wgan" (RMSprop).
        clip: WGAN's weight-clipping bound c.
        gp_lambda: WGAN-GP's penalty weight lambda.
        generator_loss: "nonsaturating" or "minimax" (only for "gan").
        shift, scale: the data are standardised as (x - shift) / scale before the networks
            (a number, or one value per flattened coordinate).
        out_activation: "none" or "tanh" for the generator's last layer.
        target: name of the data set the model is trained on (metadata for ``adlkit eval gan``).
        critic_norm: "none" or "spectral": spectral normalization of every critic layer
            (:mod:`adlkit.gan.spectral`, SN-GAN; ``n_power_iterations`` per forward pass in
            training). With "wgan" it replaces weight clipping.
        lr_decay_iters: None (constant learning rates) or T: both learning rates decay linearly,
            ``lr * (1 - k / T)`` at generator iteration k (0-based), reaching 0 at k = T. k is
            read from the generator optimizer's step count, so a resumed run continues the decay.
    """

    loss: str = "wgan-gp"
    data_shape: Sequence[int] = (2,)
    latent_dim: int = 2
    hidden: Sequence[int] = (512, 512, 512)
    n_critic: int | None = None
    lr: float | None = None
    betas: Sequence[float] | None = None
    clip: float = 0.01
    gp_lambda: float = 10.0
    generator_loss: str = "nonsaturating"
    shift: float | Sequence[float] = 0.0
    scale: float | Sequence[float] = 1.0
    out_activation: str = "none"
    target: str | None = None
    critic_norm: str = "none"
    n_power_iterations: int = 1
    lr_decay_iters: int | None = None

    def __post_init__(self) -> None:
        if self.lr_decay_iters is not None:
            self.lr_decay_iters = int(self.lr_decay_iters)
            if self.lr_decay_iters < 1:
                raise ValueError(f"lr_decay_iters must be >= 1 or None, got {self.lr_decay_iters}")
        if self.critic_norm not in CRITIC_NORMS:
            raise ValueError(f"critic_norm must be one of {', '.join(CRITIC_NORMS)}; got {self.critic_norm!r}")
        self.n_power_iterations = int(self.n_power_iterations)
        if self.n_power_iterations < 1:
            raise ValueError(f"n_power_iterations must be >= 1, got {self.n_power_iterations}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)}; got {self.loss!r}")
        if self.generator_loss not in GENERATOR_LOSSES:
            raise ValueError(f"generator_loss must be one of {', '.join(GENERATOR_LOSSES)}; got {self.generator_loss!r}")
        if self.out_activation not in OUT_ACTIVATIONS:
            raise ValueError(f"out_activation must be 'none' or 'tanh', got {self.out_activation!r}")
        d = DEFAULTS[self.loss]
        self.data_shape = tuple(int(s) for s in self.data_shape)
        self.latent_dim = int(self.latent_dim)
        self.hidden = tuple(int(h) for h in self.hidden)
        self.n_critic = int(self.n_critic if self.n_critic is not None else d["n_critic"])
        self.lr = float(self.lr if self.lr is not None else d["lr"])
        b = self.betas if self.betas is not None else d["betas"]
        self.betas = tuple(float(x) for x in b) if b is not None else None
        self.clip = float(self.clip)
        self.gp_lambda = float(self.gp_lambda)
        self.shift = _json_number_or_list(self.shift)
        self.scale = _json_number_or_list(self.scale)
        if self.n_critic < 1:
            raise ValueError(f"n_critic must be >= 1, got {self.n_critic}")
        if not self.lr > 0:
            raise ValueError(f"lr must be > 0, got {self.lr}")
        if self.loss == "wgan" and not self.clip > 0:
            raise ValueError(f"clip must be > 0, got {self.clip}")
        if min([self.scale] if isinstance(self.scale, (int, float)) else self.scale) <= 0:
            raise ValueError("scale must be > 0")

    @property
    def data_dim(self) -> int:
        """D, the number of entries of one sample (the networks work on (N, D))."""
        return math.prod(self.data_shape)


class GANModule(nn.Module):
    """A generator and a critic trained with one of :data:`adlkit.gan.LOSSES` (see the module docstring).

    ``GANModule(loss, **arguments)``: the arguments are those of :class:`GANConfig`, kept as
    ``config``. Conventions: see :mod:`adlkit.gan.losses`. ``train_step`` returns floats:
    ``loss`` (the last critic loss including the penalty), ``g_loss``, and ``w_estimate``
    (Wasserstein losses: the mean over the critic steps of E f(real) - E f(fake), in the
    standardised space) or ``value`` (GAN: V(D, G) in nats), plus ``gp`` and ``grad_norm`` (mean
    norm on interpolates) for "wgan-gp".
    """

    def __init__(self, loss: str = "wgan-gp", **arguments: Any):
        super().__init__()
        self.config = c = GANConfig(loss=loss, **arguments)
        self.register_buffer("shift", torch.as_tensor(c.shift, dtype=torch.float32).flatten())
        self.register_buffer("scale", torch.as_tensor(c.scale, dtype=torch.float32).flatten())
        self.generator = MLP(c.latent_dim, c.data_dim, c.hidden, c.out_activation)
        self.critic = Critic(c.data_dim, c.hidden)
        if c.critic_norm == "spectral":
            from adlkit.gan.spectral import apply_spectral_norm

            apply_spectral_norm(self.critic, n_power_iterations=c.n_power_iterations)
        self._optimizers: dict[str, torch.optim.Optimizer] | None = None

    # -- the shared loop's interface ---------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (JSON-safe), stored in checkpoints."""
        return self.config.as_dict()

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """``{"critic": ..., "generator": ...}``: RMSprop for "wgan", Adam otherwise (created once)."""
        if self._optimizers is None:
            if self.config.loss == "wgan":
                make = lambda ps: torch.optim.RMSprop(ps, lr=self.config.lr)
            else:
                # fused: one kernel per step for all parameters (CPU and CUDA since torch 2.4)
                make = lambda ps: torch.optim.Adam(ps, lr=self.config.lr, betas=self.config.betas, fused=True)
            self._optimizers = {"critic": make(self.critic.parameters()),
                                "generator": make(self.generator.parameters())}
        return self._optimizers

    def train_step(self, batch: Tensor, ctx: Any = None) -> dict[str, float]:
        """One generator iteration on ``batch`` (M, *data_shape), M >= n_critic: the batch is
        split into ``n_critic`` slices, one per critic update. ``ctx`` is the shared loop's
        step context (its optimizers and ``backward``); without it the model's own are used."""
        opts = ctx.optimizers if ctx is not None else self.configure_optimizers()
        backward = ctx.backward if ctx is not None else (lambda t: t.backward())
        if self.config.lr_decay_iters is not None:  # k = the generator updates so far (checkpointed state)
            decay_linearly(opts.values(), self.config.lr, self.config.lr_decay_iters, clock=opts["generator"])
        x = self.normalize(batch)
        if x.shape[0] < self.config.n_critic:
            raise ValueError(f"a batch of {x.shape[0]} cannot feed {self.config.n_critic} critic steps")
        metrics: dict[str, float] = {}
        w_sum = 0.0
        gp_sum = 0.0
        gn_sum = 0.0
        reals = x.chunk(self.config.n_critic)
        with torch.no_grad():  # the generator is fixed during the critic updates: one pass
            fakes = self.generator(torch.randn(x.shape[0], self.config.latent_dim)).split([r.shape[0] for r in reals])
        for real, fake in zip(reals, fakes):
            loss, m = self._critic_step(real, fake, opts["critic"], backward)
            w_sum += m.get("w_estimate", m.get("value", 0.0))
            gp_sum += m.get("gp", 0.0)
            gn_sum += m.get("grad_norm", 0.0)
            metrics["loss"] = loss
        k = self.config.n_critic
        if self.config.loss == "gan":
            metrics["value"] = w_sum / k
        else:
            metrics["w_estimate"] = w_sum / k
        if self.config.loss == "wgan-gp":
            metrics["gp"] = gp_sum / k
            metrics["grad_norm"] = gn_sum / k
        metrics["g_loss"] = self._generator_step(x.chunk(self.config.n_critic)[0].shape[0], opts["generator"], backward)
        return metrics

    @torch.no_grad()
    def eval_loss(self, batch: Tensor) -> float:
        """Held-out critic loss against fresh fakes (-W estimate, or the discriminator's BCE).
        Not a quality measure for a GAN: use :mod:`adlkit.gan.metrics`."""
        real = self.normalize(batch)
        fake = self.generator(torch.randn(real.shape[0], self.config.latent_dim))
        r, f = self.critic(real), self.critic(fake)
        return float(L.discriminator_loss(r, f) if self.config.loss == "gan" else L.critic_loss(r, f))

    # -- the updates ---------------------------------------------------------------------------
    def _critic_step(self, real: Tensor, fake: Tensor, opt: torch.optim.Optimizer,
                     backward) -> tuple[float, dict[str, float]]:
        with parametrize.cached():  # spectral norm: one power iteration per critic step
            return self._critic_update(real, fake, opt, backward)

    def _critic_update(self, real: Tensor, fake: Tensor, opt: torch.optim.Optimizer,
                       backward) -> tuple[float, dict[str, float]]:
        n = real.shape[0]
        scores = self.critic(torch.cat([real, fake]))  # one forward pass for both
        s_real, s_fake = scores[:n], scores[n:]
        m: dict[str, float] = {}
        if self.config.loss == "gan":
            loss = L.discriminator_loss(s_real, s_fake)
            m["value"] = -float(loss.detach())
        else:
            loss = L.critic_loss(s_real, s_fake)
            m["w_estimate"] = -float(loss.detach())
            if self.config.loss == "wgan-gp":
                norms = self.critic.input_gradient(interpolate(real, fake).detach()).norm(dim=1)
                gp = self.config.gp_lambda * (norms - 1.0).square().mean()
                loss = loss + gp
                m["gp"] = float(gp.detach())
                m["grad_norm"] = float(norms.detach().mean())
        opt.zero_grad(set_to_none=True)
        backward(loss)
        opt.step()
        if self.config.loss == "wgan" and self.config.critic_norm == "none":
            clip_weights(self.critic, self.config.clip)
        return float(loss.detach()), m

    def _generator_step(self, n: int, opt: torch.optim.Optimizer, backward) -> float:
        self.critic.requires_grad_(False)  # no critic weight gradients in the generator update
        try:
            s_fake = self.critic(self.generator(torch.randn(n, self.config.latent_dim)))
            if self.config.loss == "gan":
                g = (L.generator_loss_nonsaturating(s_fake) if self.config.generator_loss == "nonsaturating"
                     else L.generator_loss_minimax(s_fake))
            else:
                g = L.wasserstein_generator_loss(s_fake)
            opt.zero_grad(set_to_none=True)
            backward(g)
            opt.step()
        finally:
            self.critic.requires_grad_(True)
        return float(g.detach())

    # -- use ---------------------------------------------------------------------------------
    def normalize(self, x: Tensor) -> Tensor:
        """Data space (N, *data_shape) -> network space (N, D)."""
        x = x.reshape(x.shape[0], -1).to(torch.float32)
        return (x - self.shift) / self.scale

    def denormalize(self, y: Tensor) -> Tensor:
        """Network space (N, D) -> data space (N, *data_shape)."""
        return (y * self.scale + self.shift).reshape((y.shape[0],) + self.config.data_shape)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """``n`` samples (n, *data_shape) in the data space."""
        z = torch.randn(n, self.config.latent_dim, generator=generator)
        return self.denormalize(self.generator(z))
