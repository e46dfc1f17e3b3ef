"""The dtype names the scikit-learn-style estimators accept ("float32" default, "float64")."""

from __future__ import annotations

import torch

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def torch_dtype(name: str) -> torch.dtype:
    """``"float32"`` or ``"float64"`` -> the torch dtype; anything else is a ValueError."""
    if name not in DTYPES:
        raise ValueError(f"dtype must be 'float32' or 'float64', got {name!r}")
    return DTYPES[name]
