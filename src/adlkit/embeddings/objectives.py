"""The word2vec and GloVe objectives for one example, in float64, with their gradients.

- :func:`negative_sampling`: skip-gram with negative sampling for one (centre, context) pair and
  its noise words, ``L = -log s(u_o . v_c) - sum_k log s(-u_k . v_c)`` (s the logistic sigmoid).
  The word2vec kernel (:mod:`adlkit.embeddings._w2v_kernels`, exact-sigmoid mode) updates each
  vector by ``-alpha`` times these gradients (tests/embeddings/test_objectives.py checks it).
- :func:`softmax_objective`: the full-softmax objective ``-log softmax(U v_c)[target]``.
- :func:`glove_weight` (used by :class:`adlkit.embeddings.GloVe` for its training pairs) and
  :func:`glove_pair`: ``J = f(X) (w . w~ + b + b~ - log X)^2``; the GloVe kernel
  (:func:`adlkit.embeddings._glove_kernels.train_block`) descends half of it.
"""

from __future__ import annotations

import numpy as np


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1.0 + np.exp(-np.abs(x))))


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


def negative_sampling(center: np.ndarray, context: np.ndarray, negatives: np.ndarray) -> dict[str, np.ndarray | float]:
    """Scores, loss and gradients of one negative-sampling example (``negatives`` k x d)."""
    v, u, N = (np.asarray(a, dtype=np.float64) for a in (center, context, negatives))
    N = N.reshape(-1, v.size)
    pos = float(u @ v)
    neg = N @ v
    loss = float(-_log_sigmoid(np.array(pos)) - _log_sigmoid(-neg).sum())
    g_pos = float(_sigmoid(np.array(pos))) - 1.0  # dL/d(pos score)
    g_neg = _sigmoid(neg)  # dL/d(neg scores)
    return {"positive_score": pos, "negative_scores": neg, "loss": loss,
            "grad_center": g_pos * u + g_neg @ N, "grad_context": g_pos * v, "grad_negatives": np.outer(g_neg, v)}


def softmax_objective(center: np.ndarray, outputs: np.ndarray, target: int) -> dict[str, np.ndarray | float]:
    """Scores ``U v_c``, their softmax, the loss ``-log p_target`` and its gradient in ``v_c``."""
    v, U = np.asarray(center, dtype=np.float64), np.asarray(outputs, dtype=np.float64)
    scores = U @ v
    logp = scores - np.logaddexp.reduce(scores)
    p = np.exp(logp)
    y = np.zeros_like(p)
    y[target] = 1.0
    return {"scores": scores, "probabilities": p, "loss": float(-logp[target]), "grad_center": U.T @ (p - y)}


def glove_weight(x: np.ndarray | float, x_max: float = 100.0, alpha: float = 0.75) -> np.ndarray:
    """GloVe's weighting ``f(x) = min(1, (x / x_max)^alpha)``, in the float type of ``x``."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return np.minimum(1.0, (x / x_max) ** alpha)


def glove_pair(X: np.ndarray, w: np.ndarray, w_context: np.ndarray, b: np.ndarray, b_context: np.ndarray,
               x_max: float = 100.0, alpha: float = 0.75) -> dict[str, np.ndarray]:
    """Per pair (rows): ``weight`` f(X), ``residual`` w . w~ + b + b~ - log X, ``loss`` f residual^2."""
    X = np.asarray(X, dtype=np.float64)
    W, C = np.atleast_2d(np.asarray(w, dtype=np.float64)), np.atleast_2d(np.asarray(w_context, dtype=np.float64))
    residual = np.einsum("ij,ij->i", W, C) + np.asarray(b, dtype=np.float64) + np.asarray(b_context, dtype=np.float64) - np.log(X)
    weight = glove_weight(X, x_max, alpha)
    return {"weight": weight, "residual": residual, "loss": weight * residual ** 2}
