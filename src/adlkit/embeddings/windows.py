"""Training-set construction for word2vec: the answers to question 2A and the trainer's windows.

Convention (the course's): ``window`` is the TOTAL span including the centre word, so a window of
3 means one word on each side. It must be odd and at least 3. Every token position is a centre;
a sentence edge simply shortens the context (no padding).

``context_bounds`` is the one definition of a context span. It is plain Python on ints so that
the word2vec trainer compiles this same function with numba for its hot loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def half_window(window: int) -> int:
    """Words on each side of the centre for a total span ``window`` (odd, >= 3)."""
    if window < 3 or window % 2 == 0:
        raise ValueError(f"window is the total span including the centre: odd and >= 3, got {window}")
    return (window - 1) // 2


def context_bounds(i: int, n: int, half: int) -> tuple[int, int]:
    """Half-open span ``[lo, hi)`` of positions around centre ``i`` in a sentence of ``n``
    tokens, ``half`` words each side, clipped at the sentence edges (the centre is inside)."""
    lo = i - half
    if lo < 0:
        lo = 0
    hi = i + half + 1
    if hi > n:
        hi = n
    return lo, hi


def keep_probabilities(counts: np.ndarray, sample: float) -> np.ndarray:
    """word2vec.c's frequent-word subsampling: a token of a word with count ``c`` (of ``N``
    tokens in all) is kept with probability ``min(1, (sqrt(c / (sample N)) + 1) sample N / c)``;
    ``sample`` 0 keeps every token. float32 (V,)."""
    cnt = np.asarray(counts, dtype=np.float64)
    if sample <= 0:
        return np.ones(cnt.shape[0], dtype=np.float32)
    thr = sample * cnt.sum()
    return np.minimum((np.sqrt(cnt / thr) + 1.0) * thr / cnt, 1.0).astype(np.float32)


def cbow_samples(tokens: Sequence[T], window: int) -> list[tuple[list[T], T]]:
    """CBOW training set: one ``(context words, centre)`` sample per position with a
    non-empty context, context in sentence order."""
    half = half_window(window)
    n = len(tokens)
    out: list[tuple[list[T], T]] = []
    for i in range(n):
        lo, hi = context_bounds(i, n, half)
        context = [tokens[j] for j in range(lo, hi) if j != i]
        if context:
            out.append((context, tokens[i]))
    return out


def skipgram_pairs(tokens: Sequence[T], window: int) -> list[tuple[T, T]]:
    """Skip-gram training set: one ``(centre, context word)`` pair per centre-context pair."""
    half = half_window(window)
    n = len(tokens)
    out: list[tuple[T, T]] = []
    for i in range(n):
        lo, hi = context_bounds(i, n, half)
        out.extend((tokens[i], tokens[j]) for j in range(lo, hi) if j != i)
    return out


def parameter_count(vocab_size: int, dim: int, bias: bool = False) -> dict[str, int]:
    """Trainable parameters of word2vec with a full softmax output layer.

    Input embeddings ``W_in`` (V x d) plus output projection ``W_out`` (d x V), plus the output
    bias (V) when ``bias``. CBOW and skip-gram have the same matrices, so the same count.
    """
    w_in = vocab_size * dim
    w_out = dim * vocab_size
    b = vocab_size if bias else 0
    return {"W_in": w_in, "W_out": w_out, "bias": b, "total": w_in + w_out + b}
