"""GloVe (Pennington et al. 2014): sparse co-occurrence counting and AdaGrad on weighted least squares.

Co-occurrence: within each sentence (out-of-vocabulary words removed first, as in GloVe's
``cooccur.c``), every pair of words at distance ``1 <= dist <= window`` adds ``1 / dist`` to
``X[w1, w2]`` and to ``X[w2, w1]`` (symmetric window), or 1 without distance weighting
(``cooccur.c -distance-weighting 0``). Stored once per unordered pair
``a <= b`` as a sorted int64 key ``a * V + b`` and a float64 value ``X[a, b]`` (the diagonal holds
``X[a, a]``). Pairs among the ``dense_words`` most frequent words accumulate in a dense square;
the others are emitted into a fixed buffer of ``buffer_pairs`` entries, reduced (sort + sum)
into runs that are merged whenever they exceed the buffer: memory is bounded by the dense
square, a few buffers and the final matrix, never by the corpus length.

Training: for every ordered non-zero ``(i, j)`` (both orders of each stored pair, the diagonal
once), minimise ``f(X_ij) (w_i . c_j + b_i + bc_j - log X_ij)^2 / 2`` with
``f(x) = min(1, (x / x_max)^alpha)``; AdaGrad with initial squared-gradient sums 1 and step ``eta``
(glove.c's update); Hogwild threads over a shuffled order per epoch. Output vectors ``W + C``.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable

import numpy as np

from adlkit.data.text import Corpus
from adlkit.embeddings.keyedvectors import KeyedVectors
from adlkit.embeddings.objectives import glove_weight
from adlkit.embeddings.windows import keep_probabilities


def _kernels():
    """The numba kernels, compiled on first use (keeps ``import adlkit.embeddings.glove`` cheap)."""
    from adlkit.embeddings._glove_kernels import count_pairs, seed, train_block

    return count_pairs, seed, train_block


def _reduce(keys: np.ndarray, vals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique keys and the float64 sums of their values."""
    uk, inv = np.unique(keys, return_inverse=True)
    return uk, np.bincount(inv.ravel(), weights=vals, minlength=uk.shape[0])


def _merge(runs: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    return _reduce(np.concatenate([r[0] for r in runs]), np.concatenate([r[1] for r in runs]))


def cooccurrence(corpus: Corpus, to_model: np.ndarray, vocab: int, window: int = 10,
                 buffer_pairs: int = 1 << 23, dense_words: int = 4096, progress=None,
                 keep: np.ndarray | None = None, seed: int = 1,
                 distance_weighting: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse symmetric co-occurrence of ``corpus`` under the model vocabulary ``to_model``.

    Pairs of two of the ``dense_words`` most frequent words (most pair events) accumulate in a
    dense float64 square (128 MiB for 4096); the others go through the sort-and-sum buffer.

    ``keep`` (V,): the probability of keeping each token of model word ``w`` (frequent-word
    subsampling, :func:`adlkit.embeddings.windows.keep_probabilities`, drawn with ``seed``);
    None keeps every token (glove.c).

    ``distance_weighting``: a pair at distance ``dist`` adds ``1 / dist`` (True, glove.c's default)
    or 1 (False, ``cooccur.c -distance-weighting 0``: plain counts within the window).

    Returns ``(rows, cols, values)`` for the unordered pairs ``rows <= cols`` (int32, int32,
    float64), sorted by ``(rows, cols)``.
    """
    count_pairs, seed_kernel, _ = _kernels()
    keep = np.ones(vocab, dtype=np.float32) if keep is None else np.asarray(keep, dtype=np.float32)
    seed_kernel(seed)
    dist = np.arange(window + 1, dtype=np.float64)
    weights = 1.0 / np.maximum(dist, 1.0) if distance_weighting else np.ones(window + 1)
    keys = np.empty(buffer_pairs, dtype=np.int64)
    vals = np.empty(buffer_pairs, dtype=np.float32)
    offsets = np.asarray(corpus.offsets)
    nd = min(dense_words, vocab)
    dense = np.zeros((nd, nd), dtype=np.float64)
    runs: list[tuple[np.ndarray, np.ndarray]] = []
    held = 0
    s = 0
    while s < corpus.n_sentences:
        a = int(offsets[s])
        s_next, p = count_pairs(corpus.tokens, offsets, s, to_model, keep, window, vocab, keys, vals, dense, weights)
        if s_next == s:
            s_next = s + 1  # an oversized sentence was truncated
        runs.append(_reduce(keys[:p], vals[:p].astype(np.float64)))
        held += runs[-1][0].shape[0]
        if held > buffer_pairs and len(runs) > 1:
            runs = [_merge(runs)]
            held = runs[0][0].shape[0]
        if progress is not None:
            progress(int(offsets[s_next]) - a)
        s = s_next
    da, db = np.nonzero(dense)  # row-major: sorted by (a, b)
    runs.append((da.astype(np.int64) * vocab + db, dense[da, db]))
    del dense
    uk, uv = _merge(runs)
    return (uk // vocab).astype(np.int32), (uk % vocab).astype(np.int32), uv


class GloVe:
    """GloVe vectors on the ``max_vocab`` most frequent words (count >= ``min_count``).

    Parameters: ``vector_size`` d, ``window`` words each side (GloVe's default 10), ``x_max`` 100,
    ``alpha`` 0.75, ``eta`` AdaGrad step (0.1; glove.c uses 0.05), ``epochs``, ``workers`` Hogwild
    threads, ``seed``. ``init``: word and context vectors start uniform in [-0.5, 0.5] / sqrt(d)
    ("scaled", the default) or / d as in glove.c ("glove"): near zero both factors of w.c are tiny
    and learning starts slowly. On the built-in corpus (30k words, bench/RESULTS.md) "scaled" with
    eta 0.1 reached its plateau much sooner than glove.c's setting (WS-353 0.455 vs 0.324 after
    10 epochs) and ended level with it after 40 (0.478 vs 0.484; analogies 0.113 vs 0.091).
    ``sample``: word2vec's frequent-word subsampling applied to the tokens before counting
    (:func:`~adlkit.embeddings.windows.keep_probabilities`; 0, the default, counts every token as
    glove.c does). ``distance_weighting``: a pair ``dist`` words apart adds ``1 / dist`` to the
    count (True, glove.c's default) or 1 (False, ``cooccur.c -distance-weighting 0``).
    ``fit(corpus)`` returns self; then ``wv`` (W + C as :class:`KeyedVectors`), ``history``
    (mean weighted cost per epoch, float64), ``nnz_`` (stored unordered pairs).
    """

    def __init__(self, vector_size: int = 100, window: int = 10, max_vocab: int | None = 30000,
                 min_count: int = 5, x_max: float = 100.0, alpha: float = 0.75, eta: float = 0.1,
                 epochs: int = 50, workers: int | None = None, seed: int = 1, buffer_pairs: int = 1 << 23,
                 init: str = "scaled", sample: float = 0.0, distance_weighting: bool = True,
                 progress: bool = False):
        for ok, msg in [(vector_size >= 1, "vector_size must be >= 1"), (window >= 1, "window must be >= 1"),
                        (max_vocab is None or max_vocab >= 2, "max_vocab must be >= 2"),
                        (min_count >= 1, "min_count must be >= 1"), (x_max > 0, "x_max must be > 0"),
                        (alpha > 0, "alpha must be > 0"), (eta > 0, "eta must be > 0"), (epochs >= 1, "epochs must be >= 1"),
                        (sample >= 0, "sample must be >= 0")]:
            if not ok:
                raise ValueError(msg)
        self.vector_size = vector_size
        self.window = window
        self.max_vocab = max_vocab
        self.min_count = min_count
        self.x_max = x_max
        self.alpha = alpha
        self.eta = eta
        self.epochs = epochs
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        self.seed = seed
        self.buffer_pairs = buffer_pairs
        if init not in ("scaled", "glove"):
            raise ValueError("init must be 'scaled' or 'glove'")
        self.init = init
        self.sample = sample
        self.distance_weighting = bool(distance_weighting)
        self.progress = progress
        self.history: list[float] = []

    def fit(self, corpus: Corpus | str | Iterable[list[str]], on_epoch=None) -> GloVe:
        """Count co-occurrences and train; ``on_epoch(epoch, keyed_vectors)`` (optional) is called
        after every epoch with the current ``W + C`` (e.g. to evaluate during training)."""
        from adlkit.embeddings.word2vec import as_corpus

        c = as_corpus(corpus)
        counts = np.asarray(c.counts, dtype=np.int64)
        order = np.argsort(-counts, kind="stable")
        order = order[counts[order] >= self.min_count]
        if self.max_vocab is not None:
            order = order[: self.max_vocab]
        if order.size < 2:
            raise ValueError(f"fewer than 2 words occur at least min_count={self.min_count} times")
        v = int(order.size)
        to_model = np.full(len(c.words), -1, dtype=np.int32)
        to_model[order] = np.arange(v, dtype=np.int32)

        t0 = time.perf_counter()
        bar = None
        if self.progress:
            from tqdm import tqdm

            bar = tqdm(total=c.n_tokens, unit="w", unit_scale=True, desc="co-occurrence", dynamic_ncols=True)
        keep = keep_probabilities(counts[order], self.sample)
        rows, cols, x = cooccurrence(c, to_model, v, self.window, self.buffer_pairs,
                                     progress=bar.update if bar is not None else None, keep=keep, seed=self.seed,
                                     distance_weighting=self.distance_weighting)
        if bar is not None:
            bar.close()
        self.cooc_seconds_ = time.perf_counter() - t0
        self.nnz_ = int(x.shape[0])
        self.cooc_ = (rows, cols, x)
        words = [c.words[i] for i in order]
        cb = None if on_epoch is None else (lambda ep: on_epoch(ep, KeyedVectors(self.W_ + self.C_, words, counts[order])))
        self._train(rows, cols, x, v, cb)
        self.wv = KeyedVectors(self.W_ + self.C_, words, counts[order])
        return self

    def _train(self, rows: np.ndarray, cols: np.ndarray, x: np.ndarray, v: int, callback=None) -> None:
        _, _, train_block = _kernels()
        off = rows != cols
        # ordered examples: every stored pair in both orders, the diagonal once
        r = np.concatenate([rows, cols[off]]).astype(np.int32)
        cc = np.concatenate([cols, rows[off]]).astype(np.int32)
        xx = np.concatenate([x, x[off]])
        logx = np.log(xx).astype(np.float32)
        fx = glove_weight(xx, self.x_max, self.alpha).astype(np.float32)
        del xx
        rng = np.random.default_rng(self.seed)
        d = self.vector_size
        scale = 1.0 / d if self.init == "glove" else 1.0 / np.sqrt(d)
        self.W_ = ((rng.random((v, d), dtype=np.float32) - 0.5) * scale).astype(np.float32)
        self.C_ = ((rng.random((v, d), dtype=np.float32) - 0.5) * scale).astype(np.float32)
        bw = ((rng.random(v, dtype=np.float32) - 0.5) / d).astype(np.float32)
        bc = ((rng.random(v, dtype=np.float32) - 0.5) / d).astype(np.float32)
        gW = np.ones((v, d), np.float32)
        gC = np.ones((v, d), np.float32)
        gbw = np.ones(v, np.float32)
        gbc = np.ones(v, np.float32)
        n = r.shape[0]
        bar = None
        if self.progress:
            from tqdm import tqdm

            bar = tqdm(total=self.epochs, unit="epoch", desc="GloVe AdaGrad", dynamic_ncols=True)
        for _epoch in range(self.epochs):
            perm = rng.permutation(n).astype(np.int64)
            parts = np.array_split(perm, self.workers)
            costs = [0.0] * self.workers

            def run(k: int) -> None:
                costs[k] = train_block(self.W_, self.C_, bw, bc, gW, gC, gbw, gbc, r, cc, logx, fx, parts[k],
                                       np.float32(self.eta))

            if self.workers == 1:
                run(0)
            else:
                ts = [threading.Thread(target=run, args=(k,)) for k in range(self.workers)]
                for t in ts:
                    t.start()
                for t in ts:
                    t.join()
            self.history.append(sum(costs) / max(n, 1))
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(f"cost={self.history[-1]:.4f}")
            if callback is not None:
                callback(_epoch + 1)
        if bar is not None:
            bar.close()
        self.b_ = bw
        self.bc_ = bc
