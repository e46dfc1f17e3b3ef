"""scikit-learn digits: splits, dequantization, binarization and the bits/dim convention."""

import math

import numpy as np
import torch
from sklearn.datasets import load_digits as sk_load

from adlkit.data import digits


def test_splits_partition_the_data_set():
    """train/val/test are disjoint, cover all 1,797 images and keep image-label pairs."""
    parts = [digits.load_digits(s) for s in ("train", "val", "test")]
    assert [len(p[0]) for p in parts] == [round(0.70 * 1797), round(0.85 * 1797) - round(0.70 * 1797), 1797 - round(0.85 * 1797)]
    X = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    ref = sk_load()
    assert sorted(map(bytes, X.astype(np.uint8))) == sorted(map(bytes, ref.data.astype(np.uint8)))
    rows = {bytes(a.astype(np.uint8)): t for a, t in zip(ref.data, ref.target)}
    assert all(rows[bytes(a.astype(np.uint8))] == t for a, t in zip(X[:200], y[:200]))
    assert X.min() == 0 and X.max() == 16 and X.shape[1] == 64


def test_dequantize_stays_in_the_pixel_bin():
    """u = (x + U[0,1)) / 17 lies in [x/17, (x+1)/17): floor(17 u) = x, for numpy and torch."""
    x = digits.load_digits("test")[0]
    u = digits.dequantize(x, random_state=0)
    assert u.min() >= 0 and u.max() < 1 and np.array_equal(np.floor(u * 17).astype(int), x)
    t = digits.dequantize(torch.tensor(x, dtype=torch.float64))
    assert torch.equal(torch.floor(t * 17).long(), torch.tensor(x))


def test_binarize_threshold():
    assert digits.binarize(np.array([[0, 8, 9, 16]])).tolist() == [[0, 0, 1, 1]]


def test_bits_per_dim_convention():
    """The uniform density on the unit cube (log p = 0) scores log2(17) bits/dim; each extra
    nat per image lowers it by 1 / (64 ln 2)."""
    assert math.isclose(digits.bits_per_dim(0.0), math.log2(17), rel_tol=1e-12)
    assert math.isclose(digits.bits_per_dim(64.0), math.log2(17) - 1 / math.log(2), rel_tol=1e-12)
