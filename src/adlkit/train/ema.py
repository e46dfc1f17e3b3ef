"""An exponential moving average of a network's weights (Polyak averaging), the copy a
diffusion model (Ho et al. 2020 sample with an EMA of decay 0.9999; diffusers' ``EMAModel``) and
the score model (:mod:`adlkit.ebm.score_model`, with its own warm-up) sample with.

After update k (1-based) of the trained network: ema <- d_k ema + (1 - d_k) theta with
d_1 = 0 (the average starts at the first updated weights) and d_k = min(decay, k / (9 + k)),
the warm-up of diffusers' ``EMAModel`` by default (``use_ema_warmup=False``; TensorFlow's
``ExponentialMovingAverage(num_updates=k - 1)``). The cap ``decay`` takes over once
k / (9 + k) exceeds it (k > 9 decay / (1 - decay): 8,991 updates for 0.999); before that the
average spans about the last k / 9 updates.
"""

from __future__ import annotations

import copy

import torch
from torch import nn


def ema_decay(k: int, decay: float) -> float:
    """The decay applied after 1-based update ``k``: 0 for k = 1, else min(decay, k / (9 + k))."""
    if not 0.0 <= decay < 1.0:
        raise ValueError(f"the EMA decay must be in [0, 1), got {decay}")
    return 0.0 if k <= 1 else min(decay, k / (9 + k))


def ema_copy(net: nn.Module) -> nn.Module:
    """A frozen copy of ``net`` (no gradients) to hold the average; starts equal to ``net``."""
    ema = copy.deepcopy(net)
    for p in ema.parameters():
        p.requires_grad_(False)
    return ema.eval()


@torch.no_grad()
def update_ema(ema: nn.Module, net: nn.Module, decay: float) -> None:
    """ema <- decay * ema + (1 - decay) * net, parameter by parameter (one fused lerp); buffers
    are copied."""
    e, p = list(ema.parameters()), list(net.parameters())
    torch._foreach_lerp_(e, p, 1.0 - decay)
    for be, bn in zip(ema.buffers(), net.buffers(), strict=True):
        be.copy_(bn)
