r"""Variational autoencoder (Kingma and Welling, 2014) with an importance-sampled likelihood.

Model: :math:`p(z) = \mathcal N(0, I)`, a decoder :math:`p_\theta(x \mid z)` (Bernoulli for
binary images, Gaussian for continuous data) and a Gaussian encoder
:math:`q_\phi(z \mid x) = \mathcal N(\mu_\phi(x), \operatorname{diag}\exp(\log\sigma^2_\phi(x)))`
sampled by the reparameterisation trick :math:`z = \mu + \sigma \odot \varepsilon`.

Loss convention (the same as the solver's ``vae_loss``, question 4D): per example

.. math::

    \mathcal L(x) = \underbrace{-\log p_\theta(x \mid z)}_{\text{reconstruction}}
      + \beta\, \underbrace{\mathrm{KL}\big(q_\phi(z\mid x)\,\|\,\mathcal N(0, I)\big)}_{\text{closed form}},

each term **summed over dimensions** (pixels, latent units), then **averaged over the batch**.
The reconstruction term is a negative log-likelihood in nats:

- Bernoulli decoder: the ``bce`` convention (binary cross-entropy on the logits, summed over
  pixels), which *is* :math:`-\log p(x\mid z)`.
- Gaussian decoder with standard deviation :math:`\sigma` (fixed, or output by the decoder):
  the ``half_mse`` convention on standardised residuals plus the normaliser,
  :math:`\tfrac12\sum_j (x_j-\hat x_j)^2/\sigma_j^2 + \sum_j \log\sigma_j + \tfrac D2\log 2\pi`.
  With :math:`\sigma = 1` the data-dependent part is exactly the course's
  :math:`\tfrac12 (x-\hat x)^2`.

With :math:`\beta = 1` the loss is the negative ELBO, a bound on :math:`-\log p(x)`; KL warm-up
ramps :math:`\beta` linearly from 0 over ``warmup_steps`` optimisation steps.

Held-out log-likelihood: the IWAE bound (Burda et al., 2016)

.. math::

    \log p(x) \ge \mathcal L_k(x) = \mathbb E\Big[\log \frac1k \sum_{i=1}^k
      \frac{p_\theta(x\mid z_i)\,p(z_i)}{q_\phi(z_i\mid x)}\Big], \quad z_i \sim q_\phi(z\mid x),

which equals the ELBO at :math:`k=1`, increases with :math:`k` and tends to :math:`\log p(x)`.

Here, as for the flows: :class:`VAEConfig` (the module's arguments, validated; the checkpoint
stores them) and :class:`VAEModule` (``torch.nn.Module`` implementing the :mod:`adlkit.train`
model interface); the scikit-learn estimator :class:`adlkit.vae.VAE` is in
:mod:`adlkit.vae.estimator`.

Example::

    from adlkit.data.digits import load_digits, binarize
    X = binarize(load_digits("train")[0]); Xv = binarize(load_digits("val")[0])
    vae = VAE(latent_dim=16, epochs=200).fit(X, Xv)
    vae.score(Xv)            # mean importance-sampled log-likelihood, nats per image
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import Tensor, nn

from adlkit.core.config import ModelConfig
from adlkit.divergences import kl_normal_std_normal
from adlkit.networks import mlp
from adlkit.vae.terms import gaussian_log_density, iwae_bound, reconstruction_nll
from adlkit.vae.terms import reparameterize as _reparameterize

LIKELIHOODS = ("bernoulli", "gaussian")
ARCHITECTURES = ("mlp", "conv")


@dataclass
class VAEConfig(ModelConfig):
    """The arguments of :class:`VAEModule`, checked; ``as_dict()`` is what a checkpoint stores.

    Args:
        dim: data dimension D.
        latent_dim: latent dimension.
        hidden: hidden widths of the encoder MLP (the decoder mirrors them). ``()`` gives a
            linear encoder and decoder (a linear-Gaussian VAE, probabilistic PCA's model).
        likelihood: "bernoulli" (binary data, decoder outputs logits) or "gaussian".
        decoder_std: Gaussian decoder only: a fixed standard deviation (float), or
            ``None`` to let the decoder output a per-dimension log-std (clamped to [-7, 3]).
        beta: weight of the KL term (1 gives the ELBO).
        warmup_steps: steps over which the KL weight ramps linearly from 0 to ``beta``.
        lr: Adam learning rate used by :meth:`VAEModule.configure_optimizers`.
        eval_samples: importance samples of the held-out loss used for early stopping
            (1 = the negative ELBO).
        image_shape: (H, W) of image data, for plots (and the convolutional networks).
        architecture: "mlp" (the default) or "conv": a convolutional encoder and decoder built
            from a layer list by :func:`adlkit.networks.build` (:mod:`adlkit.vae.conv`; needs
            ``image_shape`` with even sides, D = H W); ``hidden[0]`` (if any) is then the width of
            the dense layer between the convolutions and the code.
        channels: the two convolutions' channels of the "conv" architecture.
    """

    dim: int
    latent_dim: int = 16
    hidden: Sequence[int] = (256, 256)
    likelihood: str = "bernoulli"
    decoder_std: float | None = None
    beta: float = 1.0
    warmup_steps: int = 0
    lr: float = 1e-3
    eval_samples: int = 1
    image_shape: Sequence[int] | None = None
    architecture: str = "mlp"
    channels: Sequence[int] = (32, 64)

    def __post_init__(self) -> None:
        if self.likelihood not in LIKELIHOODS:
            raise ValueError(f"likelihood must be one of {LIKELIHOODS}, got {self.likelihood!r}")
        if self.dim < 1 or self.latent_dim < 1:
            raise ValueError(f"dim and latent_dim must be >= 1, got {self.dim} and {self.latent_dim}")
        if self.decoder_std is not None and not self.decoder_std > 0:
            raise ValueError(f"decoder_std must be > 0 or None, got {self.decoder_std}")
        if self.beta < 0 or self.warmup_steps < 0:
            raise ValueError("beta and warmup_steps must be >= 0")
        self.dim, self.latent_dim = int(self.dim), int(self.latent_dim)
        self.hidden = tuple(int(h) for h in self.hidden)
        self.decoder_std = None if self.decoder_std is None else float(self.decoder_std)
        self.beta, self.warmup_steps, self.lr = float(self.beta), int(self.warmup_steps), float(self.lr)
        self.eval_samples = int(self.eval_samples)
        self.image_shape = None if self.image_shape is None else tuple(int(s) for s in self.image_shape)
        if self.architecture not in ARCHITECTURES:
            raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {self.architecture!r}")
        self.channels = tuple(int(c) for c in self.channels)
        if self.architecture == "conv":
            from adlkit.vae.conv import check_conv_config

            check_conv_config(self)


class VAEModule(nn.Module):
    """The VAE module: input (N, dim). ``VAEModule(dim, **options)``, the options being the
    fields of :class:`VAEConfig` (or :meth:`from_config`); ``config`` holds them.

    Networks (:func:`adlkit.networks.mlp`, ReLU): ``encoder`` D -> hidden -> 2 x latent_dim
    (mean and log-variance), ``decoder`` latent_dim -> reversed(hidden) -> D (2 x D for a
    Gaussian decoder with a learned std); with ``architecture="conv"`` both are convolutional
    networks from :mod:`adlkit.vae.conv` with the same inputs and outputs.
    """

    def __init__(self, dim: int, **options: Any):
        super().__init__()
        self.config = c = VAEConfig(dim, **options)
        h = list(c.hidden)
        learned_std = c.likelihood == "gaussian" and c.decoder_std is None
        if c.architecture == "conv":
            from adlkit.vae.conv import conv_decoder, conv_encoder

            self.encoder = conv_encoder(c)
            self.decoder = conv_decoder(c, 2 if learned_std else 1)
        else:
            self.encoder = mlp([c.dim, *h, 2 * c.latent_dim])
            self.decoder = mlp([c.latent_dim, *reversed(h), (2 if learned_std else 1) * c.dim])
        # optimisation steps taken (drives the KL warm-up; saved, so resuming continues the ramp)
        self.register_buffer("steps_done", torch.zeros((), dtype=torch.long))

    @classmethod
    def from_config(cls, config: VAEConfig) -> VAEModule:
        return cls(**asdict(config))

    @property
    def dim(self) -> int:
        return self.config.dim

    @property
    def latent_dim(self) -> int:
        return self.config.latent_dim

    @property
    def likelihood(self) -> str:
        return self.config.likelihood

    @property
    def decoder_std(self) -> float | None:
        return self.config.decoder_std

    # -- the model ------------------------------------------------------------------------
    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``x`` (N, D) -> ``(mu, logvar)`` of q(z|x), each (N, latent_dim)."""
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"expected input of shape (N, {self.dim}), got {tuple(x.shape)}")
        mu, logvar = self.encoder(x).chunk(2, dim=-1)
        return mu, logvar.clamp(-12.0, 8.0)

    def decode(self, z: Tensor) -> tuple[Tensor, Tensor | None]:
        """``z`` (..., latent_dim) -> decoder parameters ``(out, log_std)``.

        Bernoulli: ``out`` are logits and ``log_std`` is None. Gaussian: ``out`` is the mean
        and ``log_std`` the per-dimension log standard deviation (a constant for fixed std).
        """
        h = self.decoder(z)
        if self.likelihood == "bernoulli":
            return h, None
        if self.decoder_std is None:
            mean, log_std = h.chunk(2, dim=-1)
            return mean, log_std.clamp(-7.0, 3.0)
        return h, torch.full_like(h, math.log(self.decoder_std))

    @staticmethod
    def reparameterize(mu: Tensor, logvar: Tensor, n: int | None = None) -> Tensor:
        """:math:`z = \\mu + \\exp(\\tfrac12\\log\\sigma^2)\\,\\varepsilon`; with ``n``, shape (n, N, L)."""
        shape = mu.shape if n is None else (n, *mu.shape)
        eps = torch.randn(shape, dtype=mu.dtype, device=mu.device)
        return _reparameterize(mu, logvar, eps)

    def reconstruction(self, x: Tensor, z: Tensor) -> Tensor:
        """:math:`-\\log p(x\\mid z)` summed over dimensions; ``z`` (..., N, L) -> (..., N)."""
        out, log_std = self.decode(z)
        return reconstruction_nll(x, out, self.likelihood, log_std)

    def loss_terms(self, x: Tensor) -> dict[str, Tensor]:
        """One-sample ELBO terms per example, each (N,): ``reconstruction``, ``kl``."""
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar)
        return {"reconstruction": self.reconstruction(x, z), "kl": kl_normal_std_normal(mu, logvar)}

    def elbo(self, x: Tensor) -> Tensor:
        """One-sample estimate of the ELBO per example (N,), nats."""
        t = self.loss_terms(x)
        return -(t["reconstruction"] + t["kl"])

    def log_weights(self, x: Tensor, k: int) -> Tensor:
        """:math:`\\log p(x\\mid z_i) + \\log p(z_i) - \\log q(z_i\\mid x)` for k draws, (k, N)."""
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar, k)  # (k, N, L)
        log_pxz = -self.reconstruction(x, z)
        log_pz = gaussian_log_density(z, torch.zeros_like(z), torch.zeros_like(z))
        log_qz = gaussian_log_density(z, mu, logvar)
        return log_pxz + log_pz - log_qz

    @torch.no_grad()
    def iwae(self, x: Tensor, k: int = 5000, chunk: int | None = None) -> Tensor:
        """IWAE bound :math:`\\mathcal L_k` per example (N,), nats (k=1 is the ELBO).

        The k importance samples are drawn in chunks so that memory stays bounded; the
        log-mean-exp is exact over all k.
        """
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        if chunk is None:
            chunk = max(1, min(k, 2_000_000 // max(1, x.shape[0] * self.dim)))
        parts = []
        done = 0
        while done < k:
            m = min(chunk, k - done)
            parts.append(torch.logsumexp(self.log_weights(x, m), dim=0))
            done += m
        return iwae_bound(torch.stack(parts), dim=0, k=k)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None, mean: bool = False) -> Tensor:
        """Draw n samples: z ~ N(0, I), x ~ p(x|z) (or the decoder's mean if ``mean``)."""
        p = next(self.parameters())
        z = torch.randn(n, self.latent_dim, generator=generator, dtype=p.dtype)
        out, log_std = self.decode(z)
        if self.likelihood == "bernoulli":
            probs = torch.sigmoid(out)
            return probs if mean else torch.bernoulli(probs, generator=generator)
        if mean:
            return out
        return out + torch.exp(log_std) * torch.randn(out.shape, generator=generator, dtype=out.dtype)

    # -- the adlkit.train interface -------------------------------------------------------
    #: shown in the shared loop's progress bar: the reduction of the loss it reports
    progress_label = "(-ELBO: sum over dims, mean over batch)"

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments (:meth:`VAEConfig.as_dict`), stored in checkpoints."""
        return self.config.as_dict()

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"adam": torch.optim.Adam(self.parameters(), lr=self.config.lr)}

    def kl_weight(self) -> float:
        """Current KL weight: ``beta * min(1, steps_done / warmup_steps)``."""
        w, beta = self.config.warmup_steps, self.config.beta
        return beta if w == 0 else beta * min(1.0, float(self.steps_done) / w)

    def train_step(self, batch: Tensor, ctx) -> dict[str, float]:
        """One Adam step on ``mean_batch[sum_dims recon + w * sum_latent KL]``."""
        opt = ctx.optimizers["adam"]
        opt.zero_grad(set_to_none=True)
        t = self.loss_terms(batch)
        w = self.kl_weight()
        rec, kl = t["reconstruction"].mean(), t["kl"].mean()
        loss = rec + w * kl
        ctx.backward(loss)
        opt.step()
        self.steps_done += 1
        return {"loss": loss.item(), "reconstruction": rec.item(), "kl": kl.item(),
                "neg_elbo": (rec + kl).item(), "kl_weight": w}

    def eval_loss(self, batch: Tensor) -> float:
        """Held-out loss: negative ELBO (or IWAE bound with ``eval_samples``) per example."""
        k = self.config.eval_samples
        if k <= 1:
            return float(-self.elbo(batch).mean())
        return float(-self.iwae(batch, k).mean())
