"""Masked layers: a Linear and a Conv2d whose weight is multiplied by a fixed 0/1 mask."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from adlkit.autoregressive.masks import conv_mask


class MaskedLinear(nn.Linear):
    """``y = x (W * M)^T + b`` with a fixed 0/1 ``mask`` M shaped ``(out, in)`` like W.

    The mask is a buffer (saved in the state dict, moved with the module). Masked weights stay
    parameters (they are counted by :func:`count_parameters` under ``all``, not ``effective``)
    but never receive a gradient.
    """

    def __init__(self, mask: Any, bias: bool = True):
        m = torch.as_tensor(np.asarray(mask), dtype=torch.float32)
        if m.ndim != 2:
            raise ValueError(f"a MaskedLinear mask must be 2-D (out, in), got shape {tuple(m.shape)}")
        super().__init__(m.shape[1], m.shape[0], bias=bias)
        self.register_buffer("mask", m)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight * self.mask.to(self.weight.dtype), self.bias)


class MaskedConv2d(nn.Conv2d):
    """A PixelCNN convolution: a k x k kernel (odd k, 'same' padding) whose spatial mask ``A``
    sees the pixels strictly before the centre in raster order, ``B`` those and the centre. The
    same spatial mask applies to every (output, input) channel pair (one image channel)."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int, mask: str, bias: bool = True):
        m = conv_mask(kernel, mask)
        super().__init__(in_channels, out_channels, kernel, padding=kernel // 2, bias=bias)
        self.mask_type = mask
        self.register_buffer("mask", torch.as_tensor(m, dtype=torch.float32)[None, None].expand(
            out_channels, in_channels, kernel, kernel).clone())

    def forward(self, x: Tensor) -> Tensor:
        return self._conv_forward(x, self.weight * self.mask.to(self.weight.dtype), self.bias)


def count_parameters(module: nn.Module) -> dict[str, int]:
    """``all``: every trainable weight and bias, masked ones included; ``effective``: those a
    mask does not zero (biases, the 1-D parameters, are never masked); ``weights`` / ``biases``:
    ``all`` split by kind;
    read from the built module's tensors."""
    total = effective = weights = biases = 0
    for sub in module.modules():
        for name, p in sub.named_parameters(recurse=False):
            n = p.numel()
            total += n
            if p.ndim == 1:  # a bias vector (Linear, Conv2d, NADE's b and c)
                biases += n
                effective += n
            else:
                weights += n
                mask = getattr(sub, "mask", None)
                effective += int(mask.sum().item()) if name == "weight" and mask is not None else n
    return {"all": total, "effective": effective, "weights": weights, "biases": biases}
