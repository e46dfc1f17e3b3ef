r"""RealNVP (Dinh, Sohl-Dickstein and Bengio, 2017): a stack of affine couplings.

Direction: ``forward`` maps data x to latent z; ``inverse`` maps z to x. The density is

.. math::

    \log p(x) = \log \mathcal N(z; 0, I) + \sum_k \log\left|\det \frac{\partial h_k}{\partial h_{k-1}}\right|,
    \qquad z = f_K \circ \dots \circ f_1(x).

Layers, in the data -> latent order: an optional fixed standardisation (so the density is in
the units of the data), an optional logit pre-processing for data in [0, 1] (Dinh et al.,
2017, section 4.1), a fixed permutation that realises the mask pattern, then ``n_couplings``
affine couplings whose pass-through half alternates (optionally each followed by ActNorm).

Here: :class:`RealNVPConfig` holds and checks the module's arguments (the checkpoint stores
them) and :class:`RealNVPFlow` is the ``torch.nn.Module`` (``forward``, ``inverse``,
``log_prob``, ``sample``) implementing the :mod:`adlkit.train` model interface. The
scikit-learn estimator :class:`adlkit.flows.RealNVP` (``fit``, ``score_samples``, ``score``,
``sample``; the trained module is ``module_``) is in :mod:`adlkit.flows.estimator`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import Tensor, nn

from adlkit.core.config import ModelConfig
from adlkit.flows.coupling import AffineCoupling, split_mask
from adlkit.flows.fused import apply_stack
from adlkit.flows.layers import ActNorm, Logit, Permutation
from adlkit.flows.nets import MLPConditioner

MASKS = ("alternate", "checkerboard", "half")
_LOG_2PI = math.log(2.0 * math.pi)


def mask_order(dim: int, mask: str, image_shape: Sequence[int] | None) -> Tensor:
    """A permutation that puts the first mask's pass-through coordinates first.

    ``alternate``: even indices pass through first (the usual checkered vector mask);
    ``checkerboard``: pixels with even ``row + col`` of an image of ``image_shape``;
    ``half``: the first ``dim // 2`` coordinates. The couplings then alternate between the
    first half and the second half of the permuted vector, i.e. between the mask and its
    complement.
    """
    idx = torch.arange(dim)
    if mask == "half":
        return idx
    if mask == "alternate":
        first = idx % 2 == 0
    elif mask == "checkerboard":
        if image_shape is None or math.prod(image_shape) != dim or len(image_shape) != 2:
            raise ValueError(f"checkerboard mask needs image_shape (H, W) with H*W = {dim}")
        h, w = image_shape
        first = ((idx // w + idx % w) % 2 == 0)
    else:
        raise ValueError(f"mask must be one of {MASKS}, got {mask!r}")
    return torch.cat([idx[first], idx[~first]])


@dataclass
class RealNVPConfig(ModelConfig):
    """The arguments of :class:`RealNVPFlow`, checked; ``as_dict()`` is what a checkpoint stores.

    Args:
        dim: number of features D (at least 2).
        n_couplings: number of affine coupling layers.
        hidden: hidden widths of each coupling's MLP conditioner (one MLP outputs s and t).
        mask: "alternate" (vectors), "checkerboard" (images, needs ``image_shape``) or "half".
        image_shape: (H, W) for image data, used by the checkerboard mask and for plots.
        scale_clamp: bound c on the log-scale, ``s = c tanh(s_raw / c)`` (keeps the inverse stable).
        actnorm: put an ActNorm layer after every coupling (data-initialised).
        logit_alpha: if set, data are in [0, 1] and go through the logit pre-processing with
            this alpha; likelihoods stay in the data space.
        standardize: learn nothing but store a per-feature mean/std (set by
            :meth:`RealNVPFlow.set_standardization`) applied first; likelihoods stay in the
            data's units.
        lr, weight_decay: Adam settings used by :meth:`RealNVPFlow.configure_optimizers`.
    """

    dim: int
    n_couplings: int = 8
    hidden: Sequence[int] = (64, 64)
    mask: str = "alternate"
    image_shape: Sequence[int] | None = None
    scale_clamp: float | None = 5.0
    actnorm: bool = False
    logit_alpha: float | None = None
    standardize: bool = False
    lr: float = 1e-3
    weight_decay: float = 0.0

    def __post_init__(self) -> None:
        if self.dim < 2:
            raise ValueError(f"RealNVP needs at least 2 features, got {self.dim}")
        if self.n_couplings < 1:
            raise ValueError(f"n_couplings must be >= 1, got {self.n_couplings}")
        if self.mask not in MASKS:
            raise ValueError(f"mask must be one of {MASKS}, got {self.mask!r}")
        self.dim, self.n_couplings = int(self.dim), int(self.n_couplings)
        self.hidden = tuple(int(h) for h in self.hidden)
        self.image_shape = None if self.image_shape is None else tuple(int(s) for s in self.image_shape)
        self.scale_clamp = None if self.scale_clamp is None else float(self.scale_clamp)
        self.actnorm, self.standardize = bool(self.actnorm), bool(self.standardize)
        self.logit_alpha = None if self.logit_alpha is None else float(self.logit_alpha)
        self.lr, self.weight_decay = float(self.lr), float(self.weight_decay)


class RealNVPFlow(nn.Module):
    """The RealNVP module. Input and output (N, dim).

    ``RealNVPFlow(dim, **options)``, the options being the fields of :class:`RealNVPConfig`
    (or :meth:`from_config`); ``config`` holds them.
    """

    def __init__(self, dim: int, **options: Any):
        super().__init__()
        self.config = c = RealNVPConfig(dim, **options)
        self.register_buffer("loc", torch.zeros(c.dim))
        self.register_buffer("scale", torch.ones(c.dim))
        self.logit = Logit(c.logit_alpha) if c.logit_alpha is not None else None
        order = mask_order(c.dim, c.mask, c.image_shape)
        self.permute = None if bool((order == torch.arange(c.dim)).all()) else Permutation(order)
        d = c.dim // 2
        layers: list[nn.Module] = []
        for k in range(c.n_couplings):
            # even k: the first d (permuted) coordinates pass through; odd k: the last d do.
            m = split_mask(c.dim, d, flip=k % 2 == 1)
            n_a = int(m.sum())
            layers.append(AffineCoupling(m, MLPConditioner(n_a, c.dim - n_a, c.hidden), c.scale_clamp))
            if c.actnorm:
                layers.append(ActNorm(c.dim))
        self.layers = nn.ModuleList(layers)

    @classmethod
    def from_config(cls, config: RealNVPConfig) -> RealNVPFlow:
        return cls(**asdict(config))

    @property
    def dim(self) -> int:
        return self.config.dim

    @property
    def standardize(self) -> bool:
        return self.config.standardize

    # -- the adlkit.train interface -------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments (:meth:`RealNVPConfig.as_dict`), stored in checkpoints."""
        return self.config.as_dict()

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        c = self.config
        # fused Adam: the same update as torch's default Adam, in one kernel per step.
        return {"adam": torch.optim.Adam(self.parameters(), lr=c.lr, weight_decay=c.weight_decay, fused=True)}

    def train_step(self, batch: Tensor, ctx) -> dict[str, float]:
        opt = ctx.optimizers["adam"]
        opt.zero_grad(set_to_none=True)
        loss = -self.log_prob(batch).mean()
        ctx.backward(loss)
        opt.step()
        return {"loss": loss.item()}

    def eval_loss(self, batch: Tensor) -> float:
        return float(-self.log_prob(batch).mean())

    @torch.no_grad()
    def data_init(self, x: Tensor) -> None:
        """Initialise the ActNorm layers from a batch of data ``x`` (N, dim)."""
        h, _ = self._pre(x)
        for layer in self.layers:
            if isinstance(layer, ActNorm):
                layer.data_init(h)
            h, _ = layer(h)

    @torch.no_grad()
    def set_standardization(self, loc: Tensor, scale: Tensor) -> None:
        """Set the fixed per-feature ``loc`` and ``scale`` (used when ``standardize=True``)."""
        self.loc.copy_(torch.as_tensor(loc, dtype=self.loc.dtype))
        self.scale.copy_(torch.as_tensor(scale, dtype=self.scale.dtype).clamp_min(1e-12))

    # -- the flow -------------------------------------------------------------------------
    def _pre(self, x: Tensor) -> tuple[Tensor, Tensor | float]:
        logdet: Tensor | float = 0.0
        if self.standardize:
            x = (x - self.loc) / self.scale
            logdet = -torch.log(self.scale).sum()
        if self.logit is not None:
            x, ld = self.logit(x)
            logdet = logdet + ld
        if self.permute is not None:
            x, _ = self.permute(x)
        return x, logdet

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Data -> latent. ``x`` (N, dim) -> ``(z, log|det dz/dx|)`` with shapes (N, dim), (N,)."""
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"expected input of shape (N, {self.dim}), got {tuple(x.shape)}")
        z, logdet = self._pre(x)
        for specs, item in self._segments():
            z, ld = apply_stack(z, specs, item) if specs else item(z)
            logdet = logdet + ld
        if not isinstance(logdet, Tensor) or logdet.ndim == 0:
            logdet = torch.as_tensor(logdet, dtype=x.dtype).expand(x.shape[0]).clone()
        return z, logdet

    def _segments(self):
        """The layers in the data -> latent order, each maximal run of consecutive fusable
        layers (couplings with MLP conditioners, ActNorm) merged into one autograd node
        (:mod:`adlkit.flows.fused`): yields ``(specs, params)`` for such a run and
        ``(None, layer)`` for any other layer."""
        specs: list = []
        params: list[Tensor] = []
        for layer in self.layers:
            spec = layer.fused_spec() if isinstance(layer, (AffineCoupling, ActNorm)) else None
            if spec is not None:
                specs.append(spec)
                params.extend(layer.fused_params())
                continue
            if specs:
                yield tuple(specs), params
                specs, params = [], []
            yield None, layer
        if specs:
            yield tuple(specs), params

    def inverse(self, z: Tensor) -> tuple[Tensor, Tensor]:
        """Latent -> data. ``z`` (N, dim) -> ``(x, log|det dx/dz|)``."""
        if z.ndim != 2 or z.shape[1] != self.dim:
            raise ValueError(f"expected input of shape (N, {self.dim}), got {tuple(z.shape)}")
        logdet = z.new_zeros(z.shape[0])
        x = z
        for layer in reversed(self.layers):
            x, ld = layer.inverse(x)
            logdet = logdet + ld
        if self.permute is not None:
            x, _ = self.permute.inverse(x)
        if self.logit is not None:
            x, ld = self.logit.inverse(x)
            logdet = logdet + ld
        if self.standardize:
            x = x * self.scale + self.loc
            logdet = logdet + torch.log(self.scale).sum()
        return x, logdet

    def log_prob(self, x: Tensor) -> Tensor:
        """log p(x) per row, (N,), in nats, in the data space."""
        z, logdet = self.forward(x)
        return logdet - 0.5 * (z * z).sum(dim=1) - 0.5 * self.dim * _LOG_2PI

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """Draw ``n`` samples (n, dim): z ~ N(0, I) then ``inverse``."""
        p = next(self.parameters())
        z = torch.randn(n, self.dim, generator=generator, dtype=p.dtype)
        return self.inverse(z)[0]
