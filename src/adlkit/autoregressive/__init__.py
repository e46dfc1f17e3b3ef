"""Autoregressive models of binary data (course module 4): FVSBN, NADE, MADE, PixelCNN.

- :mod:`adlkit.autoregressive.masks` (numpy only): MADE's degrees and masks (Germain et al.,
  2015), the connectivity they give, PixelCNN's kernel masks A and B;
- :mod:`adlkit.autoregressive.layers`: :class:`MaskedLinear`, :class:`MaskedConv2d`,
  :func:`count_parameters` (all / effective);
- :mod:`adlkit.autoregressive.model`: the modules ``FVSBNModule``, ``MADEModule``, ``NADE``,
  ``PixelCNNModule`` (exact log-likelihood, sampling in order) and :func:`made_network`;
- :mod:`adlkit.autoregressive.estimator`: the estimators ``FVSBN``, ``MADE``, ``PixelCNN``;
- :mod:`adlkit.autoregressive.pipeline`: ``evaluate_digits`` (and one per model) for the
  likelihood table of ``adlkit compare --data digits``.

Torch is imported on first use of a torch name, so the solver's mask questions stay light.
"""

from __future__ import annotations

import importlib
from typing import Any

from adlkit.autoregressive.masks import check_ordering, connectivity, conv_mask, hidden_degrees, made_masks

_LAZY = {
    "MaskedLinear": ("layers", "MaskedLinear"), "MaskedConv2d": ("layers", "MaskedConv2d"),
    "count_parameters": ("layers", "count_parameters"),
    "ARConfig": ("model", "ARConfig"), "ARModule": ("model", "ARModule"), "made_network": ("model", "made_network"),
    "FVSBNModule": ("model", "FVSBN"), "MADEModule": ("model", "MADE"), "PixelCNNModule": ("model", "PixelCNN"),
    "NADE": ("model", "NADE"),
    "FVSBN": ("estimator", "FVSBNEstimator"), "MADE": ("estimator", "MADEEstimator"),
    "PixelCNN": ("estimator", "PixelCNNEstimator"),
    "evaluate_digits": ("pipeline", "evaluate_digits"), "EVALUATORS": ("pipeline", "EVALUATORS"),
}

__all__ = ["check_ordering", "connectivity", "conv_mask", "hidden_degrees", "made_masks", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        mod, attr = _LAZY[name]
        return getattr(importlib.import_module(f"adlkit.autoregressive.{mod}"), attr)
    raise AttributeError(f"module 'adlkit.autoregressive' has no attribute {name!r}")
