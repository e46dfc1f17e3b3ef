"""Named data sets with fixed train / validation / test splits.

Every command, benchmark and comparison of adlkit loads its data here, so that "held-out"
means the same rows everywhere: no model early-stops on the rows another reports as its test
set.

- **2-D toys** (:data:`adlkit.data.toys.TOYS`): three independent samples of the same density,
  drawn with seeds ``seed`` (train), ``seed + 2_000_006`` (validation: early stopping, model
  selection) and ``seed + 1_000_003`` (test: the figures reported). Sizes are arguments; with
  ``standardize=True`` all three go through the toy's fixed affine map
  (:func:`adlkit.data.toys.moments`).
- **digits** (:mod:`adlkit.data.digits`): scikit-learn's 1,797 images, integer pixels 0..16, split
  70 / 15 / 15 % by one fixed permutation (seed 0, whatever ``seed`` is). Consumers binarize or
  dequantize them (:func:`~adlkit.data.digits.binarize`, :func:`~adlkit.data.digits.dequantize`).

    >>> from adlkit.data import registry
    >>> s = registry.load("moons", n_train=100, n_test=50)
    >>> s.train.shape, s.val.shape, s.test.shape
    ((100, 2), (500, 2), (50, 2))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: Seed offsets of the toys' splits (added to the caller's seed).
SEED_OFFSETS = {"train": 0, "test": 1_000_003, "val": 2_000_006}


@dataclass(frozen=True)
class Split:
    """One data set's three splits, rows are examples. ``*_labels`` only for labelled data."""

    name: str
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    train_labels: np.ndarray | None = None
    val_labels: np.ndarray | None = None
    test_labels: np.ndarray | None = None

    def __iter__(self):
        """``X, X_val, X_test = split``."""
        return iter((self.train, self.val, self.test))


@dataclass(frozen=True)
class DataSet:
    """A named data set: ``kind`` is "toy" (2-D points) or "images"; ``load`` builds the split."""

    name: str
    kind: str
    description: str
    dim: int
    load: Callable[..., Split]
    image_shape: tuple[int, int] | None = None


def _toy_loader(name: str) -> Callable[..., Split]:
    def load(seed: int = 0, n_train: int = 10_000, n_val: int | None = None, n_test: int = 5_000,
             standardize: bool = False) -> Split:
        n_val = max(n_test // 2, 500) if n_val is None else n_val
        draw = {k: toy_part(name, k, n, seed, standardize) for k, n in (("train", n_train), ("val", n_val), ("test", n_test))}
        return Split(name, draw["train"], draw["val"], draw["test"])

    return load


def toy_part(name: str, part: str, n: int, seed: int = 0, standardize: bool = False) -> np.ndarray:
    """``n`` points of one split (``part``: "train", "val" or "test") of toy ``name``: the rows
    :func:`load` gives for that split at that size (e.g. a held-out sample for W1 alone)."""
    from adlkit.data import toys

    if get(name).kind != "toy" or part not in SEED_OFFSETS:
        raise ValueError(f"toy_part takes a toy and one of {', '.join(SEED_OFFSETS)}, got {name!r}, {part!r}")
    return toys.sample(name, n, random_state=seed + SEED_OFFSETS[part], standardize=standardize)


def _load_digits(seed: int = 0, **_ignored) -> Split:
    from adlkit.data import digits as dg

    parts = {s: dg.load_digits(s, seed=0) for s in ("train", "val", "test")}
    return Split("digits", parts["train"][0], parts["val"][0], parts["test"][0],
                 parts["train"][1], parts["val"][1], parts["test"][1])


def _build() -> dict[str, DataSet]:
    from adlkit.data import toys

    sets = {name: DataSet(name, "toy", (fn.__doc__ or name).strip().splitlines()[0], 2, _toy_loader(name))
            for name, fn in toys.TOYS.items()}
    sets["digits"] = DataSet("digits", "images", "scikit-learn's 8x8 handwritten digits, pixels 0..16",
                             64, _load_digits, (8, 8))
    return sets


DATASETS: dict[str, DataSet] = _build()


def names(kind: str | None = None) -> list[str]:
    """The registered names (of one ``kind`` when given), in registry order."""
    return [n for n, d in DATASETS.items() if kind is None or d.kind == kind]


def get(name: str) -> DataSet:
    """The data set ``name``; a ValueError names the known ones."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
    return DATASETS[name]


def load(name: str, seed: int = 0, **sizes) -> Split:
    """The fixed split of data set ``name``. Toys take ``n_train`` (10,000), ``n_val``
    (half of ``n_test``, at least 500), ``n_test`` (5,000) and ``standardize`` (False)."""
    return get(name).load(seed=seed, **sizes)


def density_split(name: str, seed: int = 0, n_train: int = 10_000, n_test: int = 5_000,
                  n_val: int | None = None) -> Split:
    """The split the density models (VAE, EBM, the likelihood comparison) use: toys in their
    standardised coordinates (``n_train``, ``n_val``, ``n_test`` as :func:`load` takes them);
    digits binarized (pixel > 8) as float64 0/1 images (n, 64)."""
    if get(name).kind == "images":
        from adlkit.data import digits as dg

        s = load(name, seed)
        return Split(name, *(dg.binarize(x).astype(np.float64) for x in s), s.train_labels, s.val_labels,
                     s.test_labels)
    return load(name, seed, n_train=n_train, n_val=n_val, n_test=n_test, standardize=True)
