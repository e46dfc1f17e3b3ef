r"""scikit-learn's handwritten digits (1,797 images of 8 x 8 pixels, values 0..16), bundled
with scikit-learn (no download).

Conventions:

- Splits are fixed by a seeded permutation: :func:`load_digits` returns integer images
  (n, 64) for "train" / "val" / "test" (70 / 15 / 15 %).
- Dequantization for continuous models: :math:`u = (x + U[0, 1)) / 17 \in [0, 1)^{64}`
  (:func:`dequantize`). A density :math:`p_u` on the unit cube gives the discrete data a
  likelihood lower bound in the 17-level space of :math:`\log p_u(u) - 64 \log 17`.
- Bits per dimension, the standard way (Dinh et al., 2017; Theis et al., 2016): the negative
  log-likelihood of the dequantized data in the space of the 17 levels, divided by
  :math:`D \ln 2`: ``bpd = (-log p_u(u) + D log 17) / (D ln 2)``. A uniform model scores
  :math:`\log_2 17 = 4.09` bits/dim.
- Binarization for Bernoulli models: pixel > 8.
"""

from __future__ import annotations

import math

import numpy as np

LEVELS = 17
SHAPE = (8, 8)
DIM = 64
SPLITS = {"train": (0.0, 0.70), "val": (0.70, 0.85), "test": (0.85, 1.0)}


def load_digits(split: str = "train", seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Integer images (n, 64) with values 0..16 and their labels (n,), for one split."""
    if split not in SPLITS and split != "all":
        raise ValueError(f"split must be one of train, val, test, all; got {split!r}")
    from sklearn.datasets import load_digits as _load

    data = _load()
    X, y = data.data.astype(np.int64), data.target.astype(np.int64)
    perm = np.random.default_rng(seed).permutation(len(X))
    if split == "all":
        return X[perm], y[perm]
    lo, hi = SPLITS[split]
    idx = perm[int(round(lo * len(X))) : int(round(hi * len(X)))]
    return X[idx], y[idx]


def dequantize(x, random_state=None):
    """``(x + U[0,1)) / 17``: integer images -> points of [0, 1)^D. Works on NumPy arrays
    (with ``random_state``) and on torch tensors (with the global torch RNG)."""
    if isinstance(x, np.ndarray):
        rng = np.random.default_rng(random_state)
        return (x + rng.uniform(0.0, 1.0, x.shape)) / LEVELS
    import torch

    return (x + torch.rand(x.shape, dtype=x.dtype)) / LEVELS


def binarize(x: np.ndarray, threshold: int = 8) -> np.ndarray:
    """0/1 images: pixel > ``threshold`` (default 8, half of the 0..16 range)."""
    return (np.asarray(x) > threshold).astype(np.int64)


def bits_per_dim(log_prob_unit_cube, dim: int = DIM, levels: int = LEVELS):
    """Bits/dim from log-densities (nats) of dequantized data on the unit cube."""
    return (-np.asarray(log_prob_unit_cube) + dim * math.log(levels)) / (dim * math.log(2.0))
