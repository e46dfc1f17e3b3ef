"""Diffusion models (module 8): the noise schedule and the DDPM/DDIM step formulas
(:mod:`adlkit.diffusion.schedule`, shared by the samplers and the solver), and the trainable
model (:mod:`adlkit.diffusion.model`: epsilon networks, the ``Diffusion`` estimator).

Submodules are imported on first use, so ``import adlkit.diffusion`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "Schedule": "adlkit.diffusion.schedule",
    "ScheduleError": "adlkit.diffusion.schedule",
    "q_sample": "adlkit.diffusion.schedule",
    "posterior": "adlkit.diffusion.schedule",
    "ddpm_step": "adlkit.diffusion.schedule",
    "ddim_step": "adlkit.diffusion.schedule",
    "ddim_sigma": "adlkit.diffusion.schedule",
    "strided_timesteps": "adlkit.diffusion.schedule",
    "Diffusion": "adlkit.diffusion.model",
    "EpsMLP": "adlkit.diffusion.model",
    "EpsConv": "adlkit.diffusion.model",
    "evaluate_digits": "adlkit.diffusion.model",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'adlkit.diffusion' has no attribute {name!r}")
