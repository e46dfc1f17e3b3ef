"""Variational autoencoders: the loss conventions of question 4D (``adlkit.vae.loss``, the
solver's ``vae_loss``), the module (:class:`VAEModule`, :class:`VAEConfig`), the estimator
(:class:`adlkit.vae.VAE`) and the train-evaluate-report pipeline (``adlkit.vae.pipeline``).

Submodules are imported on first use, so ``import adlkit.vae`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {"VAE": "adlkit.vae.estimator", "VAEModule": "adlkit.vae.model", "VAEConfig": "adlkit.vae.model"}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'adlkit.vae' has no attribute {name!r}")
