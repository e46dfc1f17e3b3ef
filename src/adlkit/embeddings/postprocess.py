"""Post-processing of trained static word vectors.

:func:`all_but_the_top` is Mu & Viswanath's "all-but-the-top" (ICLR 2018, *All-but-the-Top:
Simple and Effective Postprocessing for Word Representations*): word vectors share a large
common mean and a few dominant directions that carry word frequency more than meaning; removing
them tends to raise word-similarity scores. Vectors changed this way are no longer the trainer's
raw output: report scores with and without it separately.
"""

from __future__ import annotations

from typing import overload

import numpy as np

from adlkit.embeddings.keyedvectors import KeyedVectors


def top_directions(vectors: np.ndarray, n_components: int) -> tuple[np.ndarray, np.ndarray]:
    """``(mean, U)``: the mean row of ``vectors`` (V, d) and the top ``n_components`` principal
    directions of the centred rows, as the rows of ``U`` (n_components, d), orthonormal, in
    decreasing order of variance."""
    x = np.asarray(vectors, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"vectors must be (V, d), got shape {x.shape}")
    if not 0 <= n_components <= min(x.shape):
        raise ValueError(f"n_components must be in 0..{min(x.shape)} for {x.shape[0]} vectors of dimension "
                         f"{x.shape[1]}, got {n_components}")
    mean = x.mean(axis=0)
    if n_components == 0:
        return mean, np.zeros((0, x.shape[1]))
    _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
    return mean, vt[:n_components]


@overload
def all_but_the_top(vectors: np.ndarray, n_components: int) -> np.ndarray: ...
@overload
def all_but_the_top(vectors: KeyedVectors, n_components: int) -> KeyedVectors: ...


def all_but_the_top(vectors, n_components):
    """Subtract the mean vector, then remove the projections on the top ``n_components``
    principal directions of the centred vectors: ``v' = (v - mu) - sum_i (u_i . (v - mu)) u_i``.

    The paper's rule of thumb is ``n_components ~ d / 100``. The result has zero mean and is
    orthogonal to the removed directions. (The paper's Algorithm 1 projects the uncentred ``v``;
    we project the centred one, so that the mean stays zero; the two differ by the fixed vector
    ``sum_i (u_i . mu) u_i``.) ``n_components = 0`` only centres.

    ``vectors``: a (V, d) array (returns float32 (V, d)) or a
    :class:`~adlkit.embeddings.keyedvectors.KeyedVectors` (returns a new one with the same words
    and counts).
    """
    if isinstance(vectors, KeyedVectors):
        return KeyedVectors(all_but_the_top(vectors.vectors, n_components), vectors.index_to_key, vectors.counts)
    x = np.asarray(vectors, dtype=np.float64)
    mean, u = top_directions(x, n_components)
    c = x - mean
    return (c - (c @ u.T) @ u).astype(np.float32)
