"""2-D toy densities for flows and GANs: moons, circles, 8 Gaussians, 25 Gaussians,
checkerboard, two spirals, swiss roll.

Every sampler returns a float64 array (n, 2) and takes ``random_state``. ``standardize=True``
rescales to zero mean and unit variance per coordinate using the sampler's large-sample moments
(computed once from 100,000 points with a fixed seed), so that train and held-out sets share
the same affine map and likelihoods in the standardized space are comparable across runs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np


def _rng(random_state: int | np.random.Generator | None) -> np.random.Generator:
    return random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)


def moons(n: int, noise: float = 0.05, random_state=None) -> np.ndarray:
    """Two interleaving half circles (scikit-learn ``make_moons``)."""
    from sklearn.datasets import make_moons

    seed = _rng(random_state).integers(2**31 - 1)
    return make_moons(n, noise=noise, random_state=int(seed))[0]


def circles(n: int, noise: float = 0.05, factor: float = 0.5, random_state=None) -> np.ndarray:
    """Two concentric circles (scikit-learn ``make_circles``)."""
    from sklearn.datasets import make_circles

    seed = _rng(random_state).integers(2**31 - 1)
    return make_circles(n, noise=noise, factor=factor, random_state=int(seed))[0]


def eight_gaussians(n: int, radius: float = 2.0, std: float = 0.02 ** 0.5, random_state=None) -> np.ndarray:
    """A mixture of 8 equal Gaussians centred on a circle of ``radius``."""
    rng = _rng(random_state)
    angles = 2 * np.pi * rng.integers(0, 8, n) / 8
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return centres + std * rng.standard_normal((n, 2))


def twenty_five_gaussians(n: int, spacing: float = 2.0, std: float = 0.05, random_state=None) -> np.ndarray:
    """A mixture of 25 equal Gaussians centred on the grid ``spacing * {-2, ..., 2}^2``."""
    rng = _rng(random_state)
    grid = (rng.integers(-2, 3, (n, 2))).astype(float) * spacing
    return grid + std * rng.standard_normal((n, 2))


def checkerboard(n: int, random_state=None) -> np.ndarray:
    """Uniform on the cells of a 4 x 4 checkerboard on [-4, 4)^2 whose row + column is even."""
    rng = _rng(random_state)
    x1 = rng.uniform(-4, 4, n)
    col = np.floor(x1 / 2)  # in {-2, -1, 0, 1}
    row = 2 * rng.integers(0, 2, n) - 2 + col % 2  # a row in {-2, ..., 1} with row + col even
    x2 = 2 * row + rng.uniform(0, 2, n)
    return np.stack([x1, x2], axis=1)


def two_spirals(n: int, noise: float = 0.1, random_state=None) -> np.ndarray:
    """Two interleaved spirals, ``n // 2`` points each (radius grows with the angle)."""
    rng = _rng(random_state)
    t = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi
    sign = np.where(rng.integers(0, 2, n) == 0, 1.0, -1.0)
    x = np.stack([-np.cos(t) * t, np.sin(t) * t], axis=1) * sign[:, None] / 3
    return x + noise * rng.standard_normal((n, 2))


def swiss_roll(n: int, noise: float = 0.5, random_state=None) -> np.ndarray:
    """The 2-D swiss roll: coordinates (x, z) of scikit-learn ``make_swiss_roll``."""
    from sklearn.datasets import make_swiss_roll

    seed = _rng(random_state).integers(2**31 - 1)
    return make_swiss_roll(n, noise=noise, random_state=int(seed))[0][:, [0, 2]]


TOYS: dict[str, Callable[..., np.ndarray]] = {
    "moons": moons,
    "circles": circles,
    "8gaussians": eight_gaussians,
    "25gaussians": twenty_five_gaussians,
    "checkerboard": checkerboard,
    "spirals": two_spirals,
    "swissroll": swiss_roll,
}


@lru_cache(maxsize=None)
def moments(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std (each (2,)) of toy ``name`` from 100,000 points drawn with seed 12345."""
    x = sample(name, 100_000, random_state=12345)
    return x.mean(0), x.std(0)


def sample(name: str, n: int, random_state=None, standardize: bool = False) -> np.ndarray:
    """``n`` points (n, 2) of toy ``name`` (one of :data:`TOYS`)."""
    if name not in TOYS:
        raise ValueError(f"unknown toy data set {name!r}; choose one of {', '.join(TOYS)}")
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    x = TOYS[name](n, random_state=random_state)
    if standardize:
        mu, sd = moments(name)
        x = (x - mu) / sd
    return x


def load(name: str, n_train: int = 10_000, n_test: int = 5_000, seed: int = 0,
         standardize: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Independent train and held-out samples of a toy (seeds ``seed`` and ``seed + 1_000_003``)."""
    return (sample(name, n_train, seed, standardize), sample(name, n_test, seed + 1_000_003, standardize))
