"""2-D toy densities for flows and GANs: moons, circles, 8 Gaussians, 25 Gaussians,
checkerboard, two spirals, swiss roll.

Every sampler returns a float64 array (n, 2) and takes ``random_state``. ``standardize=True``
rescales to zero mean and unit variance per coordinate using the sampler's large-sample moments
(computed once from 100,000 points with a fixed seed), so that train and held-out sets share
the same affine map and likelihoods in the standardized space are comparable across runs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

#: The defaults of the Gaussian mixtures (one place: the samplers and :data:`MIXTURES` use them).
EIGHT_RADIUS, EIGHT_STD = 2.0, 0.02 ** 0.5
GRID_SPACING, GRID_STD = 2.0, 0.05


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


def eight_gaussians(n: int, radius: float = EIGHT_RADIUS, std: float = EIGHT_STD, random_state=None) -> np.ndarray:
    """A mixture of 8 equal Gaussians centred on a circle of ``radius``."""
    rng = _rng(random_state)
    centres = circle_centres(8, radius)
    return centres[rng.integers(0, 8, n)] + std * rng.standard_normal((n, 2))


def circle_centres(k: int, radius: float) -> np.ndarray:
    """``k`` points (k, 2) evenly spaced on a circle of ``radius``, the first at angle 0."""
    angles = 2 * np.pi * np.arange(k) / k
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid_centres(spacing: float) -> np.ndarray:
    """The 25 points (25, 2) of ``spacing * {-2, ..., 2}^2``, row by row."""
    g = np.arange(-2, 3) * float(spacing)
    return np.stack(np.meshgrid(g, g, indexing="ij"), axis=-1).reshape(-1, 2)


def twenty_five_gaussians(n: int, spacing: float = GRID_SPACING, std: float = GRID_STD, random_state=None) -> np.ndarray:
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

#: The Gaussian mixtures among :data:`TOYS`: their centres and common std (the samplers' defaults).
MIXTURES: dict[str, tuple[np.ndarray, float]] = {
    "8gaussians": (circle_centres(8, EIGHT_RADIUS), EIGHT_STD),
    "25gaussians": (grid_centres(GRID_SPACING), GRID_STD),
}


def mixture_modes(name: str) -> tuple[np.ndarray, float]:
    """Centres (K, 2) and the common std of the Gaussian mixtures ``8gaussians`` and
    ``25gaussians`` (as their samplers draw them by default), for mode coverage."""
    if name not in MIXTURES:
        raise ValueError(f"no known modes for {name!r}; mode coverage is for {' and '.join(MIXTURES)}")
    centres, std = MIXTURES[name]
    return centres.copy(), std


@cache
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
