"""numba kernels of GloVe: pair emission for co-occurrence counting, and AdaGrad steps.
See :mod:`adlkit.embeddings.glove` for the conventions."""

from __future__ import annotations

import numba
import numpy as np

from adlkit.embeddings import windows

_bounds = numba.njit(inline="always", cache=True)(windows.context_bounds)


@numba.njit(cache=True)
def seed(value):
    """Seed numba's own generator (the one :func:`count_pairs` subsamples with)."""
    np.random.seed(value)


@numba.njit(nogil=True, cache=True)
def count_pairs(tokens, offsets, s_begin, to_model, keep, window, vocab, keys, vals, dense, weights):
    """Add ``weights[dist]`` (1/dist with glove.c's distance weighting, else 1) for every pair of
    sentences from ``s_begin`` on: into ``dense[a, b]`` (a <= b) when both ids are below
    ``dense.shape[0]`` (the frequent words), else emit (key, weight) into the buffer; stop before
    the buffer could overflow. Each in-vocabulary token is kept with
    probability ``keep[w]`` (no draw where it is 1), before the window is applied.
    Returns (next sentence, pairs written)."""
    nd = dense.shape[0]
    cap = keys.shape[0]
    n_sent = offsets.shape[0] - 1
    maxlen = 0
    for s in range(s_begin, n_sent):
        ln = offsets[s + 1] - offsets[s]
        if ln > maxlen:
            maxlen = ln
        if s - s_begin > 100000:
            break
    buf = np.empty(max(maxlen, 1), dtype=np.int64)
    p = 0
    s = s_begin
    while s < n_sent:
        a, b = offsets[s], offsets[s + 1]
        if b - a > buf.shape[0]:
            buf = np.empty(b - a, dtype=np.int64)
        n = 0
        for t in range(a, b):
            w = to_model[tokens[t]]
            if w >= 0 and (keep[w] >= 1.0 or np.random.random() < keep[w]):
                buf[n] = w
                n += 1
        if p + n * window > cap:
            if p == 0:  # a single sentence larger than the buffer: truncate it
                n = cap // window
            else:
                break
        for i in range(n):
            _, hi = _bounds(i, n, window)  # right half of the course's span: each pair once
            wi = buf[i]
            for j in range(i + 1, hi):
                wj = buf[j]
                lo_w = wi if wi <= wj else wj
                hi_w = wj if wi <= wj else wi
                if hi_w < nd:
                    dense[lo_w, hi_w] += weights[j - i]
                else:
                    keys[p] = lo_w * vocab + hi_w
                    vals[p] = weights[j - i]
                    p += 1
        s += 1
    return s, p


@numba.njit(nogil=True, fastmath=True, cache=True)
def train_block(W, C, bw, bc, gW, gC, gbw, gbc, rows, cols, logx, fx, order, eta):
    """AdaGrad steps over entries ``order`` (indices into the ordered example arrays).
    Returns the summed cost 0.5 * f * diff^2 (float64)."""
    d = W.shape[1]
    cost = 0.0
    for e in order:
        i = rows[e]
        j = cols[e]
        diff = bw[i] + bc[j] - logx[e]
        for k in range(d):
            diff += W[i, k] * C[j, k]
        fdiff = fx[e] * diff
        cost += 0.5 * fdiff * diff
        fdiff *= eta
        for k in range(d):
            t1 = fdiff * C[j, k]
            t2 = fdiff * W[i, k]
            W[i, k] -= t1 / np.sqrt(gW[i, k])
            C[j, k] -= t2 / np.sqrt(gC[j, k])
            gW[i, k] += t1 * t1
            gC[j, k] += t2 * t2
        bw[i] -= fdiff / np.sqrt(gbw[i])
        bc[j] -= fdiff / np.sqrt(gbc[j])
        gbw[i] += fdiff * fdiff
        gbc[j] += fdiff * fdiff
    return cost
