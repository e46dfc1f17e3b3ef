"""Normalizing flows. Direction convention: ``forward`` maps data x to latent z.

The layers and :class:`RealNVPFlow` load with torch alone; the scikit-learn estimator
:class:`RealNVP` (:mod:`adlkit.flows.estimator`) is imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from adlkit.flows.coupling import AffineCoupling, split_mask
from adlkit.flows.layers import ActNorm, Logit, Permutation
from adlkit.flows.nets import MLPConditioner
from adlkit.flows.planar import Planar, PlanarFlow
from adlkit.flows.realnvp import RealNVPConfig, RealNVPFlow

__all__ = [
    "AffineCoupling",
    "split_mask",
    "ActNorm",
    "Logit",
    "Permutation",
    "MLPConditioner",
    "Planar",
    "PlanarFlow",
    "RealNVP",
    "RealNVPFlow",
    "RealNVPConfig",
]


def __getattr__(name: str) -> Any:
    if name == "RealNVP":
        return importlib.import_module("adlkit.flows.estimator").RealNVP
    raise AttributeError(f"module 'adlkit.flows' has no attribute {name!r}")
