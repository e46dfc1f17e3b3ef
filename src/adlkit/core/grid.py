"""Scan grids for intervals that may be infinite (numeric checks of 1-D expressions)."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np


def scan_grid(a: float, b: float) -> np.ndarray:
    """Sorted points to scan ``[a, b]`` (possibly infinite): dense near the origin and the
    finite ends, geometric out to 1e8 on infinite sides. A fresh copy of a cached grid (the
    signs of the ends are part of the key: -0.0 and 0.0 make different grids)."""
    return _grid(float(a), float(b), math.copysign(1.0, a), math.copysign(1.0, b)).copy()


@lru_cache(maxsize=64)
def _grid(a: float, b: float, sign_a: float, sign_b: float) -> np.ndarray:
    pts = [np.linspace(max(a, -60.0), min(b, 60.0), 24001) if max(a, -60.0) < min(b, 60.0) else np.array([])]
    geo = np.logspace(-6, 8, 700)
    pts += [geo, -geo, np.array([0.0])]
    if math.isfinite(a) and math.isfinite(b):
        pts.append(np.linspace(a, b, 8001))
    for e in (a, b):
        if math.isfinite(e):
            pts.append(e + np.concatenate([np.logspace(-9, 1, 200), -np.logspace(-9, 1, 200)]))
            pts.append(np.array([e]))
    xs = np.unique(np.concatenate(pts))
    return xs[(xs >= a) & (xs <= b)]
