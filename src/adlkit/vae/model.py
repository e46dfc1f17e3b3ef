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

Three objects, as for the flows: :class:`VAEConfig` (the module's arguments, validated; the
checkpoint stores them), :class:`VAEModule` (``torch.nn.Module`` implementing the
:mod:`adlkit.train` model interface) and :class:`VAE` (the scikit-learn estimator).

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

import numpy as np
import torch
from sklearn.base import BaseEstimator, DensityMixin
from torch import Tensor, nn

from adlkit.divergences import kl_normal_std_normal
from adlkit.networks import mlp
from adlkit.vae.terms import gaussian_log_density, reconstruction_nll

LIKELIHOODS = ("bernoulli", "gaussian")


@dataclass
class VAEConfig:
    """The arguments of :class:`VAEModule`, checked; ``to_dict()`` is what a checkpoint stores.

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
        image_shape: (H, W) of image data, for plots.
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

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe (sequences as lists): the checkpoint's ``model_config``."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


class VAEModule(nn.Module):
    """The VAE module: input (N, dim). ``VAEModule(dim, **options)``, the options being the
    fields of :class:`VAEConfig` (or :meth:`from_config`); ``config`` holds them.

    Networks (:func:`adlkit.networks.mlp`, ReLU): ``encoder`` D -> hidden -> 2 x latent_dim
    (mean and log-variance), ``decoder`` latent_dim -> reversed(hidden) -> D (2 x D for a
    Gaussian decoder with a learned std).
    """

    def __init__(self, dim: int, **options: Any):
        super().__init__()
        self.config = c = VAEConfig(dim, **options)
        h = list(c.hidden)
        self.encoder = mlp([c.dim, *h, 2 * c.latent_dim])
        learned_std = c.likelihood == "gaussian" and c.decoder_std is None
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
        return mu + torch.exp(0.5 * logvar) * eps

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
        return torch.logsumexp(torch.stack(parts), dim=0) - math.log(k)

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
        """The constructor's arguments (:meth:`VAEConfig.to_dict`), stored in checkpoints."""
        return self.config.to_dict()

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


def _as_tensor(X: Any, dtype: torch.dtype, dim: int | None = None, binary: bool = False) -> Tensor:
    a = np.asarray(X)
    if a.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {a.shape}")
    if a.shape[0] == 0:
        raise ValueError("X is empty")
    if dim is not None and a.shape[1] != dim:
        raise ValueError(f"X has {a.shape[1]} features, the model was fitted with {dim}")
    if not np.issubdtype(a.dtype, np.number) and a.dtype != bool:
        raise ValueError(f"X must be numeric, got dtype {a.dtype}")
    t = torch.as_tensor(a.astype(np.float64), dtype=dtype)
    if not torch.isfinite(t).all():
        raise ValueError("X contains NaN or inf")
    if binary and not bool(((t == 0) | (t == 1)).all()):
        raise ValueError("the Bernoulli decoder needs 0/1 data (binarize first, e.g. pixel > 8)")
    return t


class VAE(DensityMixin, BaseEstimator):
    """Variational autoencoder, a scikit-learn estimator (see :mod:`adlkit.vae.model` for the maths).

    ``__init__`` only stores the hyperparameters (``sklearn.base.clone`` and ``GridSearchCV``
    work). ``fit(X, X_val=None)`` trains with :func:`adlkit.train.fit` (early stopping on the
    held-out negative ELBO when ``X_val`` is given); ``score_samples(X)`` is the
    importance-sampled log-likelihood (IWAE bound, ``n_importance`` samples) per row in nats,
    ``score(X)`` its mean; ``elbo(X)`` the ELBO; ``sample``, ``encode``, ``decode``.
    ``random_state`` (an int) seeds the initialisation, the batches, and the importance
    samples of ``score_samples``.

    ``likelihood="auto"`` picks Bernoulli for 0/1 data and Gaussian (learned per-dimension
    std) otherwise. ``warmup_epochs`` ramps the KL weight from 0 to ``beta``. The module's
    arguments go through :class:`VAEConfig`.

    Learned attributes: ``module_`` (:class:`VAEModule`), ``result_`` (the loop's
    :class:`~adlkit.train.TrainResult`), ``n_features_in_``, ``likelihood_``.
    """

    def __init__(
        self,
        latent_dim: int = 16,
        hidden: Sequence[int] = (256, 256),
        likelihood: str = "auto",
        decoder_std: float | None = None,
        beta: float = 1.0,
        warmup_epochs: int = 0,
        lr: float = 1e-3,
        epochs: int = 200,
        batch_size: int = 128,
        patience: int | None = 20,
        max_steps: int | None = None,
        n_importance: int = 5000,
        random_state: int = 0,
        dtype: str = "float32",
        image_shape: Sequence[int] | None = None,
        checkpoint_dir: str | None = None,
        progress: bool = False,
    ):
        self.latent_dim = latent_dim
        self.hidden = hidden
        self.likelihood = likelihood
        self.decoder_std = decoder_std
        self.beta = beta
        self.warmup_epochs = warmup_epochs
        self.lr = lr
        self.epochs = epochs
        self.batch_size = batch_size
        self.patience = patience
        self.max_steps = max_steps
        self.n_importance = n_importance
        self.random_state = random_state
        self.dtype = dtype
        self.image_shape = image_shape
        self.checkpoint_dir = checkpoint_dir
        self.progress = progress

    @property
    def _torch_dtype(self) -> torch.dtype:
        from adlkit.core.dtypes import torch_dtype

        return torch_dtype(self.dtype)

    def _likelihood_for(self, X: np.ndarray) -> str:
        if self.likelihood == "auto":
            return "bernoulli" if np.isin(X, (0, 1)).all() else "gaussian"
        if self.likelihood not in LIKELIHOODS:
            raise ValueError(f"likelihood must be 'auto' or one of {LIKELIHOODS}, got {self.likelihood!r}")
        return self.likelihood

    def fit(self, X: Any, X_val: Any = None, resume: bool = False) -> VAE:
        """Train on X (n_samples, n_features), early-stopping on ``X_val`` when given; returns
        self. ``resume``: continue from ``checkpoint_dir/last.pt``."""
        from adlkit.train import TrainConfig, fit

        dt = self._torch_dtype
        lik = self._likelihood_for(np.asarray(X))
        Xt = _as_tensor(X, dt, binary=lik == "bernoulli")
        Xv = None if X_val is None else _as_tensor(X_val, dt, Xt.shape[1], binary=lik == "bernoulli")
        n = Xt.shape[0]
        steps_per_epoch = max(1, n // min(self.batch_size, n))
        config = VAEConfig(
            dim=Xt.shape[1], latent_dim=self.latent_dim, hidden=self.hidden, likelihood=lik,
            decoder_std=self.decoder_std, beta=self.beta,
            warmup_steps=int(self.warmup_epochs) * steps_per_epoch, lr=self.lr, image_shape=self.image_shape,
        )
        torch.manual_seed(self.random_state)
        module = VAEModule.from_config(config).to(dt)
        cfg = TrainConfig(
            epochs=self.epochs, batch_size=self.batch_size, seed=self.random_state,
            patience=self.patience, max_steps=self.max_steps, checkpoint_dir=self.checkpoint_dir,
            resume=resume, progress=self.progress,
        )
        self.result_ = fit(module, Xt, Xv, cfg)
        self.module_ = module.eval()
        self.n_features_in_ = Xt.shape[1]
        self.likelihood_ = lik
        return self

    @classmethod
    def from_module(cls, module: VAEModule, n_importance: int = 5000, random_state: int = 0) -> VAE:
        """Wrap a trained (e.g. loaded) :class:`VAEModule` as a fitted estimator whose
        hyperparameters are the module's config."""
        c = module.config
        est = cls(latent_dim=c.latent_dim, hidden=c.hidden, likelihood=c.likelihood, decoder_std=c.decoder_std,
                  beta=c.beta, lr=c.lr, image_shape=c.image_shape, n_importance=n_importance,
                  random_state=random_state,
                  dtype="float64" if next(module.parameters()).dtype == torch.float64 else "float32")
        est.module_, est.n_features_in_, est.likelihood_ = module.eval(), c.dim, c.likelihood
        return est

    def _check_fitted(self) -> None:
        if not hasattr(self, "module_"):
            raise RuntimeError("this VAE is not fitted yet: call fit(X) first")

    def _X(self, X: Any) -> Tensor:
        self._check_fitted()
        return _as_tensor(X, self._torch_dtype, self.n_features_in_, binary=self.likelihood_ == "bernoulli")

    def score_samples(self, X: Any, k: int | None = None, random_state: int | None = None,
                      batch_size: int = 64) -> np.ndarray:
        """Importance-sampled log-likelihood (IWAE bound with k = ``n_importance``) per row, nats.

        Seeded by ``random_state`` (default: the estimator's) without touching the global RNG.
        """
        Xt = self._X(X)
        k = self.n_importance if k is None else int(k)
        with torch.random.fork_rng(), torch.no_grad():
            torch.manual_seed(self.random_state if random_state is None else int(random_state))
            out = [self.module_.iwae(Xt[i:i + batch_size], k) for i in range(0, Xt.shape[0], batch_size)]
        return torch.cat(out).numpy()

    def elbo(self, X: Any, random_state: int | None = None) -> np.ndarray:
        """One-sample ELBO per row, nats (its mean over many rows estimates the mean ELBO)."""
        Xt = self._X(X)
        with torch.random.fork_rng(), torch.no_grad():
            torch.manual_seed(self.random_state if random_state is None else int(random_state))
            return self.module_.elbo(Xt).numpy()

    def score(self, X: Any, y: Any = None) -> float:
        """Compute the per-sample average log-likelihood of the given data X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored (scikit-learn's API).

        Returns
        -------
        log_likelihood : float
            Mean over the rows of X of :meth:`score_samples` (the IWAE bound with
            ``n_importance`` samples), in nats per sample. Higher is better, so
            ``GridSearchCV`` can select by it.
        """
        return float(np.mean(self.score_samples(X)))

    def encode(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(mu, logvar)`` of q(z|x) for each row."""
        Xt = self._X(X)
        with torch.no_grad():
            mu, logvar = self.module_.encode(Xt)
        return mu.numpy(), logvar.numpy()

    def decode(self, Z: Any) -> np.ndarray:
        """Decoder mean for latent codes Z (n, latent_dim): pixel probabilities or Gaussian means."""
        self._check_fitted()
        Zt = torch.as_tensor(np.asarray(Z, dtype=np.float64), dtype=self._torch_dtype)
        if Zt.ndim != 2 or Zt.shape[1] != self.module_.latent_dim:
            raise ValueError(f"Z must have shape (n, {self.module_.latent_dim}), got {tuple(Zt.shape)}")
        with torch.no_grad():
            out, _ = self.module_.decode(Zt)
        return (torch.sigmoid(out) if self.likelihood_ == "bernoulli" else out).numpy()

    def sample(self, n_samples: int = 1, random_state: int | None = None, mean: bool = False) -> np.ndarray:
        """Draw ``n_samples`` rows from the model (``mean=True``: the decoder means)."""
        self._check_fitted()
        g = torch.Generator()
        if random_state is None:
            g.seed()
        else:
            g.manual_seed(int(random_state))
        return self.module_.sample(int(n_samples), generator=g, mean=mean).numpy()
