"""The 2-D toy samplers: shapes, seeds, standardisation, and the geometry each one promises."""

import numpy as np
import pytest
from sklearn.datasets import make_moons

from adlkit.data import registry, toys


@pytest.mark.parametrize("name", list(toys.TOYS))
def test_shape_seed_and_standardize(name):
    a = toys.sample(name, 3000, random_state=1)
    assert a.shape == (3000, 2) and a.dtype == np.float64 and np.isfinite(a).all()
    assert np.array_equal(a, toys.sample(name, 3000, random_state=1))
    assert not np.array_equal(a, toys.sample(name, 3000, random_state=2))
    z = toys.sample(name, 20000, random_state=3, standardize=True)
    assert np.allclose(z.mean(0), 0, atol=0.06) and np.allclose(z.std(0), 1, atol=0.06)


def test_moons_is_sklearn_make_moons():
    """Same points as scikit-learn's generator with the seed drawn from random_state."""
    x = toys.moons(500, random_state=5)
    seed = int(np.random.default_rng(5).integers(2**31 - 1))
    assert np.array_equal(x, make_moons(500, noise=0.05, random_state=seed)[0])


def test_eight_gaussians_sit_on_the_circle():
    x = toys.eight_gaussians(8000, random_state=0)
    r = np.linalg.norm(x, axis=1)
    assert abs(np.median(r) - 2.0) < 0.02
    angles = np.round(np.arctan2(x[:, 1], x[:, 0]) / (2 * np.pi / 8)) % 8
    counts = np.bincount(angles.astype(int), minlength=8)
    assert counts.min() > 850  # 8 modes, about 1000 points each


def test_twenty_five_gaussians_grid():
    x = toys.twenty_five_gaussians(10000, random_state=0)
    centres = np.round(x / 2.0)
    assert set(map(tuple, centres.astype(int))) == {(i, j) for i in range(-2, 3) for j in range(-2, 3)}
    assert np.abs(x - 2.0 * centres).max() < 0.3


def test_checkerboard_only_even_cells():
    """All points lie in [-4, 4)^2 on cells whose (row + column) is even, about equally."""
    x = toys.checkerboard(20000, random_state=0)
    assert x.min() >= -4 and x.max() < 4
    cells = np.floor(x / 2).astype(int)
    assert ((cells[:, 0] + cells[:, 1]) % 2 == 0).all()
    counts = np.unique(cells, axis=0, return_counts=True)[1]
    assert len(counts) == 8 and counts.min() > 2200


def test_unknown_name_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown toy data set 'mooons'"):
        toys.sample("mooons", 10)


def test_registry_splits_are_independent_and_fixed():
    """Train, validation and test are three different samples of the same toy, and the same seed
    gives the same rows (the splits every command and bench uses)."""
    s = registry.load("circles", 0, n_train=100, n_val=60, n_test=50)
    assert s.train.shape == (100, 2) and s.val.shape == (60, 2) and s.test.shape == (50, 2)
    assert not np.isin(s.test, s.train).any() and not np.isin(s.val, s.train).any()
    assert not np.isin(s.val, s.test).any()
    again = registry.load("circles", 0, n_train=100, n_val=60, n_test=50)
    assert all(np.array_equal(a, b) for a, b in zip(s, again))


def test_registry_knows_every_toy_and_digits():
    assert registry.names("toy") == list(toys.TOYS)
    assert registry.get("digits").image_shape == (8, 8)
    with pytest.raises(ValueError, match="unknown data set"):
        registry.load("mooons")


def test_toy_part_is_the_split_load_gives():
    """One split drawn alone has the same rows as that split of the whole load."""
    s = registry.load("8gaussians", 4, n_train=30, n_val=20, n_test=40)
    for part, rows in (("train", s.train), ("val", s.val), ("test", s.test)):
        assert np.array_equal(registry.toy_part("8gaussians", part, len(rows), 4), rows)
    with pytest.raises(ValueError, match="toy_part"):
        registry.toy_part("digits", "test", 10)
