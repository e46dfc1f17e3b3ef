"""Energy-based models: partition functions (question 4A: ``adlkit.ebm.partition``, and grid
quadrature in :mod:`adlkit.ebm.quadrature`), annealed importance sampling
(:mod:`adlkit.ebm.ais`), Langevin samplers (:mod:`adlkit.ebm.langevin`) and the trainable
density model :class:`adlkit.ebm.EBM` (:mod:`adlkit.ebm.model`).

Submodules are imported on first use, so ``import adlkit.ebm`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "EBM": "adlkit.ebm.model",
    "EBMModule": "adlkit.ebm.model",
    "EBMConfig": "adlkit.ebm.model",
    "EnergyMLP": "adlkit.ebm.model",
    "langevin": "adlkit.ebm.langevin",
    "ais_log_partition": "adlkit.ebm.ais",
    "log_partition": "adlkit.ebm.quadrature",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'adlkit.ebm' has no attribute {name!r}")
