"""The array operations of a closed form, picked from the types of its arguments.

Like POT's ``get_backend``, reduced to what the closed forms of this package need: each closed
form is written once and runs on Python floats (``math``), numpy arrays and torch tensors
(batched, on their device, differentiable by autograd). torch is never imported here: an
argument can only be a tensor if torch is already loaded.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Backend:
    """The elementwise functions a closed form calls: ``nx.log(x)``, ``nx.exp(x)``."""

    name: str
    log: Callable[[Any], Any]
    exp: Callable[[Any], Any]


MATH = Backend("math", math.log, math.exp)
NUMPY = Backend("numpy", np.log, np.exp)


def get_backend(*args: Any) -> Backend:
    """torch if any argument is a tensor, else numpy if any is an array, else ``math`` (floats)."""
    torch = sys.modules.get("torch")
    if torch is not None and any(isinstance(a, torch.Tensor) for a in args):
        return Backend("torch", torch.log, torch.exp)
    if any(isinstance(a, np.ndarray) for a in args):
        return NUMPY
    return MATH
