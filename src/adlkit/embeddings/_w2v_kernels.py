"""numba hot loops of word2vec with negative sampling (SGNS and CBOW).

Conventions (the original word2vec.c's, which gensim also follows):

- ``syn0`` (V, d) float32: input vectors (the embeddings); ``syn1`` (V, d) float32: output
  vectors of negative sampling. Rows are updated in place, lock-free (Hogwild) across threads.
- Skip-gram: for a centre at position ``i`` and each context position ``j`` the pair predicts the
  centre from the context word: input ``syn0[s[j]]``, positive output ``syn1[s[i]]``.
- CBOW: ``h`` = mean of the context input vectors; the gradient with respect to ``h`` is added
  unscaled to every context vector (word2vec.c and gensim's ``cbow_mean=1``), i.e. each context
  vector moves by ``count`` times its true gradient.
- Loss per prediction: ``-log s(u.v_pos) - sum_k log s(-u.v_neg_k)``; summed in float64.
- Dynamic window: ``half = window - (r mod window)`` words each side, ``r`` random; the span is
  :func:`adlkit.embeddings.windows.context_bounds` (the course's definition, compiled here).
- Out-of-vocabulary and subsampled words are removed before windowing.
- Random numbers: word2vec.c's 48-bit linear congruential generator, one stream per job, so a
  single worker with a seed is bit-for-bit reproducible.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from adlkit.embeddings import windows

_bounds = numba.njit(inline="always", cache=True)(windows.context_bounds)

_MUL = np.uint64(25214903917)
_ADD = np.uint64(11)


@numba.njit(inline="always")
def _next(state: np.uint64) -> np.uint64:
    return state * _MUL + _ADD


@numba.njit(inline="always")
def _sample(state: np.uint64, prob: np.ndarray, alias: np.ndarray) -> tuple[np.uint64, np.int64]:
    """One draw from the alias table: two random numbers, O(1), two cache lines."""
    state = _next(state)
    # multiply-shift instead of a 64-bit modulo: k = floor(r32 * V / 2^32)
    k = np.int64(((state >> np.uint64(16)) & np.uint64(0xFFFFFFFF)) * np.uint64(prob.shape[0]) >> np.uint64(32))
    state = _next(state)
    u = np.float32((state >> np.uint64(24)) & np.uint64(0xFFFFFF)) * np.float32(1.0 / 16777216.0)
    if u >= prob[k]:
        k = np.int64(alias[k])
    return state, k


MAX_EXP = 8.0
TABLE_SIZE = 2048
_x = -MAX_EXP + (np.arange(TABLE_SIZE) + 0.5) * (2 * MAX_EXP / TABLE_SIZE)
#: sigmoid and -log sigmoid at the bin centres of [-MAX_EXP, MAX_EXP] (16 KiB together)
SIG_TABLE = (1.0 / (1.0 + np.exp(-_x))).astype(np.float32)
NLOGSIG_TABLE = np.log1p(np.exp(-_x)).astype(np.float32)


@numba.njit(inline="always", fastmath=True)
def _sigmoid_loss_table(f, label, sig_t, nls_t, skip_at):
    """Table lookup of (sigmoid(f), -log P(label)); outside [-MAX_EXP, MAX_EXP] the sigmoid is
    taken as 0 or 1 (word2vec.c's clipping) and the loss as its asymptote. With ``skip_at > 0``,
    a score with ``|f| >= skip_at`` gives no update at all (sigmoid returned equal to the label,
    so the gradient is 0), which is gensim's rule (``skip_at = 6``)."""
    if skip_at > 0.0 and (f >= skip_at or f <= -skip_at):
        loss = 0.0
        if label == 1 and f < 0.0:
            loss = np.float64(-f)
        elif label == 0 and f > 0.0:
            loss = np.float64(f)
        return np.float32(label), loss
    if f >= MAX_EXP:
        return np.float32(1.0), (0.0 if label == 1 else np.float64(f))
    if f <= -MAX_EXP:
        return np.float32(0.0), (np.float64(-f) if label == 1 else 0.0)
    idx = np.int64((f + MAX_EXP) * (TABLE_SIZE / (2 * MAX_EXP)))
    if label == 1:
        return sig_t[idx], np.float64(nls_t[idx])
    return sig_t[idx], np.float64(nls_t[TABLE_SIZE - 1 - idx])  # -log(1 - s(f)) = -log s(-f)


@numba.njit(inline="always", fastmath=True)
def _sigmoid_loss(f: np.float32, label: int) -> tuple[np.float32, np.float64]:
    """Exact (sigmoid(f), -log of the probability of ``label``) with f clipped to [-30, 30]."""
    if f > 30.0:
        f = np.float32(30.0)
    elif f < -30.0:
        f = np.float32(-30.0)
    e = math.exp(-f)
    s = np.float32(1.0 / (1.0 + e))
    if label == 1:
        loss = math.log1p(e)  # -log s(f)
    else:
        loss = f + math.log1p(e)  # -log(1 - s(f)) = f + log(1 + e^-f)
    return s, loss


@numba.njit(inline="always", fastmath=True)
def _predict(h, h_grad, syn1, centre, negative, state, prob, alias, alpha, exact, sig_t, nls_t,
             skip_at):
    """One negative-sampling prediction of ``centre`` from the hidden vector ``h`` (d,): the
    positive output row and ``negative`` noise rows of ``syn1`` are updated in place and the
    gradient with respect to ``h`` is added to ``h_grad``. Returns ``(rng state, loss)``.
    Shared by skip-gram (h = one context vector) and CBOW (h = the context mean)."""
    d = h.shape[0]
    loss = 0.0
    for q in range(negative + 1):
        if q == 0:
            target = centre
            label = 1
        else:
            state, target = _sample(state, prob, alias)
            if target == centre:
                continue
            label = 0
        f = np.float32(0.0)
        for k in range(d):
            f += h[k] * syn1[target, k]
        if exact:
            sig, l = _sigmoid_loss(f, label)
        else:
            sig, l = _sigmoid_loss_table(f, label, sig_t, nls_t, skip_at)
        loss += l
        g = (np.float32(label) - sig) * alpha
        for k in range(d):
            h_grad[k] += g * syn1[target, k]
            syn1[target, k] += g * h[k]
    return state, loss


@numba.njit(inline="always")
def _reduce_sentence(tokens, a, b, to_model, keep, buf, state):
    """Copy the in-vocabulary, not-subsampled words of tokens[a:b] into buf; return (n, state)."""
    n = 0
    for t in range(a, b):
        w = to_model[tokens[t]]
        if w < 0:
            continue
        p = keep[w]
        if p < 1.0:
            state = _next(state)
            if p < np.float32((state >> np.uint64(24)) & np.uint64(0xFFFFFF)) * np.float32(1.0 / 16777216.0):
                continue
        buf[n] = w
        n += 1
    return n, state


@numba.njit(nogil=True, fastmath=True, cache=True)
def train_job(syn0, syn1, tokens, offsets, to_model, keep, prob, alias, sg, window, negative,
              alpha0, alpha1, seed, cbow_mean, exact, sig_t, nls_t, skip_at):
    """Train on sentences ``offsets[k]:offsets[k+1]`` of ``tokens`` (corpus ids).

    The learning rate falls linearly from ``alpha0`` to ``alpha1`` across the job's raw words.
    ``exact``: exact sigmoid and loss (``exp``/``log1p``); otherwise the lookup tables
    ``sig_t``/``nls_t`` (:data:`SIG_TABLE`, :data:`NLOGSIG_TABLE`), as word2vec.c and gensim do.
    ``skip_at``: 0 for word2vec.c's clipping of saturated scores, 6.0 for gensim's skipping.
    Returns ``(loss_sum float64, n_predictions int64, n_effective_words int64)``.
    """
    d = syn0.shape[1]
    n_sent = offsets.shape[0] - 1
    base = offsets[0]
    total = offsets[n_sent] - base
    maxlen = 0
    for s in range(n_sent):
        ln = offsets[s + 1] - offsets[s]
        if ln > maxlen:
            maxlen = ln
    buf = np.empty(maxlen, dtype=np.int64)
    neu1 = np.empty(d, dtype=np.float32)
    neu1e = np.empty(d, dtype=np.float32)
    xs = np.empty((2 * window, d), dtype=np.float32)  # shared-negatives skip-gram: context rows
    ys = np.empty((negative + 1, d), dtype=np.float32)  # ... output rows (centre, negatives)
    gs = np.empty((2 * window, negative + 1), dtype=np.float32)
    tgt = np.empty(negative + 1, dtype=np.int64)
    state = np.uint64(seed)
    loss = 0.0
    n_pred = 0
    n_eff = 0
    for s in range(n_sent):
        a = offsets[s] - base
        b = offsets[s + 1] - base
        alpha = np.float32(alpha0 + (alpha1 - alpha0) * (a / max(total, 1)))
        n, state = _reduce_sentence(tokens, a, b, to_model, keep, buf, state)
        n_eff += n
        for i in range(n):
            state = _next(state)
            half = window - np.int64((state >> np.uint64(16)) % np.uint64(window))
            lo, hi = _bounds(i, n, half)
            centre = buf[i]
            if sg == 2:
                # skip-gram with the negatives shared by all contexts of one centre: the m x (k+1)
                # scores are one small matrix product, each output row is read and written once.
                m = 0
                for j in range(lo, hi):
                    if j != i:
                        c = buf[j]
                        for k in range(d):
                            xs[m, k] = syn0[c, k]
                        m += 1
                if m == 0:
                    continue
                tgt[0] = centre
                nt = 1
                for _q in range(negative):
                    state, target = _sample(state, prob, alias)
                    if target != centre:
                        tgt[nt] = target
                        nt += 1
                for b in range(nt):
                    t = tgt[b]
                    for k in range(d):
                        ys[b, k] = syn1[t, k]
                for a in range(m):
                    for b in range(nt):
                        f = np.float32(0.0)
                        for k in range(d):
                            f += xs[a, k] * ys[b, k]
                        label = 1 if b == 0 else 0
                        if exact:
                            sig, l = _sigmoid_loss(f, label)
                        else:
                            sig, l = _sigmoid_loss_table(f, label, sig_t, nls_t, skip_at)
                        loss += l
                        gs[a, b] = (np.float32(label) - sig) * alpha
                a = 0
                for j in range(lo, hi):
                    if j != i:
                        c = buf[j]
                        for k in range(d):
                            neu1e[k] = 0.0
                        for b in range(nt):
                            g = gs[a, b]
                            for k in range(d):
                                neu1e[k] += g * ys[b, k]
                        for k in range(d):
                            syn0[c, k] += neu1e[k]
                        a += 1
                for b in range(nt):
                    t = tgt[b]
                    for k in range(d):
                        neu1e[k] = 0.0
                    for a in range(m):
                        g = gs[a, b]
                        for k in range(d):
                            neu1e[k] += g * xs[a, k]
                    for k in range(d):
                        syn1[t, k] += neu1e[k]
                n_pred += m
            elif sg == 1:
                for j in range(lo, hi):
                    if j == i:
                        continue
                    ctx = buf[j]
                    for k in range(d):
                        neu1[k] = syn0[ctx, k]  # local copy: lets LLVM vectorise without alias checks
                        neu1e[k] = 0.0
                    state, l = _predict(neu1, neu1e, syn1, centre, negative, state, prob, alias, alpha,
                                        exact, sig_t, nls_t, skip_at)
                    loss += l
                    for k in range(d):
                        syn0[ctx, k] += neu1e[k]
                    n_pred += 1
            else:
                cnt = hi - lo - 1
                if cnt <= 0:
                    continue
                for k in range(d):
                    neu1[k] = 0.0
                    neu1e[k] = 0.0
                for j in range(lo, hi):
                    if j != i:
                        c = buf[j]
                        for k in range(d):
                            neu1[k] += syn0[c, k]
                if cbow_mean:
                    inv = np.float32(1.0 / cnt)
                    for k in range(d):
                        neu1[k] *= inv
                state, l = _predict(neu1, neu1e, syn1, centre, negative, state, prob, alias, alpha,
                                    exact, sig_t, nls_t, skip_at)
                loss += l
                if not cbow_mean:
                    inv = np.float32(1.0 / cnt)
                    for k in range(d):
                        neu1e[k] *= inv
                for j in range(lo, hi):
                    if j != i:
                        c = buf[j]
                        for k in range(d):
                            syn0[c, k] += neu1e[k]
                n_pred += 1
    return loss, n_pred, n_eff


def alias_table(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker/Vose alias table for sampling index ``i`` with probability ``weights[i] / sum``.

    Returns ``(prob float32 (V,), alias int32 (V,))``: draw ``k`` uniform, keep it with
    probability ``prob[k]``, else take ``alias[k]``.
    """
    w = np.asarray(weights, dtype=np.float64)
    v = w.shape[0]
    scaled = w * (v / w.sum())
    prob = np.ones(v, dtype=np.float64)
    alias = np.arange(v, dtype=np.int32)
    small = [i for i in range(v) if scaled[i] < 1.0]
    large = [i for i in range(v) if scaled[i] >= 1.0]
    while small and large:
        s = small.pop()
        g = large[-1]
        prob[s] = scaled[s]
        alias[s] = g
        scaled[g] -= 1.0 - scaled[s]
        if scaled[g] < 1.0:
            large.pop()
            small.append(g)
    return prob.astype(np.float32), alias
