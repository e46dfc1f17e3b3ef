r"""The autoregressive models of binary vectors: FVSBN, NADE, MADE and PixelCNN.

Each factorises :math:`p(x) = \prod_d p(x_d \mid x_{<d})` in an ordering (the degree m(d) of
input d) with Bernoulli conditionals whose logits come from one masked pass, so
:meth:`ARModule.log_prob` is exact (nats) and :meth:`ARModule.sample` draws the variables one at a
time in the ordering.

- :class:`FVSBN`: logistic conditionals, :math:`p(x_d = 1 \mid x_{<d}) = \sigma(b_d +
  \sum_{m(j) < m(d)} W_{dj} x_j)`: one strictly lower-triangular (in the ordering) masked
  linear layer; :math:`\sum_{i=1}^n i = n(n+1)/2` parameters.
- :class:`NADE` (Larochelle and Murray, 2011): a hidden layer :math:`h_d = \sigma(c + W_{:,<d}
  x_{<d})` shared across d; :math:`2nd + n + d` parameters.
- :class:`MADE` (Germain et al., 2015): an MLP of :class:`MaskedLinear` layers with masks from
  :func:`~adlkit.autoregressive.masks.made_masks`.
- :class:`PixelCNN` (van den Oord et al., 2016): a mask-A convolution, then mask-B ones, on the
  image in raster order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from adlkit.autoregressive.layers import MaskedConv2d, MaskedLinear
from adlkit.autoregressive.masks import check_ordering, hidden_degrees, made_masks

KINDS = ("fvsbn", "made", "pixelcnn")


def made_network(input_degrees: Sequence[int], hidden: Sequence[Sequence[int]],
                 output_degrees: Sequence[int] | None = None, activation: type[nn.Module] = nn.ReLU) -> nn.Sequential:
    """MaskedLinear, activation, ..., MaskedLinear with the MADE masks of the given degrees
    (no hidden layer: the one strictly lower-triangular layer of FVSBN)."""
    layers: list[nn.Module] = []
    masks = made_masks(input_degrees, hidden, output_degrees)
    for i, m in enumerate(masks):
        layers.append(MaskedLinear(m))
        if i < len(masks) - 1:
            layers.append(activation())
    return nn.Sequential(*layers)


@dataclass
class ARConfig:
    """The constructor's arguments of every model here (stored in checkpoints).

    ``kind`` fvsbn | made | pixelcnn; ``dim`` D; ``ordering`` the degree of each input (None:
    1..D; PixelCNN is raster order); ``hidden`` MADE's hidden widths; ``degrees`` ``cyclic`` or
    ``random`` (drawn with ``seed``); PixelCNN: ``image_shape``, ``channels``, ``kernel`` (mask
    A), ``layers`` (3x3 mask-B layers); ``lr``, ``weight_decay`` of Adam.
    """

    kind: str
    dim: int
    ordering: list[int] | None = None
    hidden: tuple[int, ...] = (512,)
    degrees: str = "cyclic"
    seed: int = 0
    image_shape: tuple[int, int] = (8, 8)
    channels: int = 32
    kernel: int = 5
    layers: int = 4
    lr: float = 1e-3
    weight_decay: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ARModule(nn.Module):
    """Common part: Bernoulli log-likelihood from logits, ancestral sampling, the train loop API."""

    progress_label = "(NLL: nats per example)"

    def __init__(self, config: ARConfig | dict[str, Any] | None = None, **options: Any):
        super().__init__()
        if config is None:
            config = ARConfig(**options)
        elif isinstance(config, dict):
            config = ARConfig(**config)
        self.config = config
        D = config.dim
        self.ordering = check_ordering(config.ordering, D) if config.ordering is not None else list(range(1, D + 1))

    @classmethod
    def from_config(cls, config: ARConfig | dict[str, Any]) -> ARModule:
        c = config if isinstance(config, ARConfig) else ARConfig(**config)
        if c.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {c.kind!r}")
        return {"fvsbn": FVSBN, "made": MADE, "pixelcnn": PixelCNN}[c.kind](c)

    def logits(self, x: Tensor) -> Tensor:  # pragma: no cover - every model defines it
        raise NotImplementedError

    def log_prob(self, x: Tensor) -> Tensor:
        """Exact :math:`\\log p(x)` per row, nats: :math:`-\\sum_d` BCE(logit_d, x_d)."""
        return -F.binary_cross_entropy_with_logits(self.logits(x), x, reduction="none").sum(1)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """n draws, one variable at a time in the ordering (D passes)."""
        p = next(self.parameters())
        x = torch.zeros(n, self.config.dim, dtype=p.dtype, device=p.device)
        for d in np.argsort(self.ordering):
            prob = torch.sigmoid(self.logits(x)[:, d])
            x[:, d] = (torch.rand(n, generator=generator, dtype=p.dtype) < prob).to(p.dtype)
        return x

    def get_config(self) -> dict[str, Any]:
        return self.config.as_dict()

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """Adam; the fused implementation (one kernel for every parameter) where torch has it
        for the parameters' device: the same update, fewer small ops per step."""
        kw = {"lr": self.config.lr, "weight_decay": self.config.weight_decay}
        try:
            return {"adam": torch.optim.Adam(self.parameters(), fused=True, **kw)}
        except (RuntimeError, TypeError):  # pragma: no cover - a torch or device without fused Adam
            return {"adam": torch.optim.Adam(self.parameters(), **kw)}

    def train_step(self, batch: Tensor, ctx) -> dict[str, float]:
        opt = ctx.optimizers["adam"]
        opt.zero_grad(set_to_none=True)
        loss = -self.log_prob(batch).mean()
        ctx.backward(loss)
        opt.step()
        return {"loss": loss.item()}

    def eval_loss(self, batch: Tensor) -> float:
        return float(-self.log_prob(batch).mean())


class FVSBN(ARModule):
    """Fully visible sigmoid belief net: logits = (W * M) x + b, M strictly lower-triangular in
    the ordering (M[d, j] = 1 iff m(j) < m(d))."""

    def __init__(self, config: ARConfig | dict[str, Any] | None = None, **options: Any):
        super().__init__(config, **options)
        self.net = made_network(self.ordering, [])

    def logits(self, x: Tensor) -> Tensor:
        return self.net(x)


class MADE(ARModule):
    """MADE: masked MLP, ReLU hidden layers, one Bernoulli logit per input."""

    def __init__(self, config: ARConfig | dict[str, Any] | None = None, **options: Any):
        super().__init__(config, **options)
        config = self.config
        rng = np.random.default_rng(config.seed)
        self.hidden_degrees = hidden_degrees(config.dim, config.hidden, config.degrees, rng)
        self.net = made_network(self.ordering, self.hidden_degrees)

    def logits(self, x: Tensor) -> Tensor:
        return self.net(x)


class PixelCNN(ARModule):
    """PixelCNN on one binary channel: MaskedConv A (k x k), then ``layers`` ReLU + MaskedConv B
    (3x3), then ReLU + 1x1, ReLU + 1x1 to one logit per pixel; raster order."""

    def __init__(self, config: ARConfig | dict[str, Any] | None = None, **options: Any):
        super().__init__(config, **options)
        config = self.config
        h, w = config.image_shape
        if h * w != config.dim:
            raise ValueError(f"image_shape {tuple(config.image_shape)} does not hold {config.dim} pixels")
        if config.ordering is not None and list(config.ordering) != list(range(1, config.dim + 1)):
            raise ValueError("PixelCNN's ordering is the raster order")
        C = config.channels
        mods: list[nn.Module] = [MaskedConv2d(1, C, config.kernel, "A")]
        for _ in range(config.layers):
            mods += [nn.ReLU(), MaskedConv2d(C, C, 3, "B")]
        mods += [nn.ReLU(), MaskedConv2d(C, C, 1, "B"), nn.ReLU(), MaskedConv2d(C, 1, 1, "B")]
        self.net = nn.Sequential(*mods)

    def logits(self, x: Tensor) -> Tensor:
        h, w = self.config.image_shape
        return self.net(x.reshape(-1, 1, h, w)).reshape(x.shape[0], -1)


class NADE(nn.Module):
    """NADE for n variables of K categories (K - 1 indicators each, the last category the
    reference), hidden size d: W (d, n(K-1)), c (d), V (n(K-1), d), b (n(K-1)); for binary
    variables 2nd + n + d parameters. ``logits(x)``: a_d = c + W[:, <d] x_<d, h_d = sigmoid(a_d),
    logit_d = b_d + V_d h_d."""

    def __init__(self, n: int, d: int, categories: int = 2):
        super().__init__()
        k = categories - 1
        self.n, self.k = n, k
        self.W = nn.Parameter(torch.randn(d, n * k) * 0.01)
        self.c = nn.Parameter(torch.zeros(d))
        self.V = nn.Parameter(torch.randn(n * k, d) * 0.01)
        self.b = nn.Parameter(torch.zeros(n * k))

    def logits(self, x: Tensor) -> Tensor:
        N = x.shape[0]
        xs = x.reshape(N, self.n, self.k)
        Ws = self.W.reshape(-1, self.n, self.k)
        contrib = torch.einsum("hnk,bnk->bnh", Ws, xs)  # (N, n, d): each variable's term
        a = self.c + torch.cumsum(contrib, 1) - contrib  # sums over the variables before d
        h = torch.sigmoid(a)
        Vs = self.V.reshape(self.n, self.k, -1)
        return (torch.einsum("nkh,bnh->bnk", Vs, h) + self.b.reshape(self.n, self.k)).reshape(N, -1)
