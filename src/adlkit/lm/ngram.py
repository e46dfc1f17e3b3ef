"""N-gram language models (unigram to trigram): MLE, add-k (Laplace for k = 1) and
interpolated Kneser-Ney, counted with numpy over the whole corpus.

Conventions (the course's, and CONTRACT.md's ``ngram`` row):

- every sentence is padded with n - 1 ``<s>`` on the left and ONE ``</s>`` on the right; ``</s>``
  is predicted (it is a word of the model), ``<s>`` only ever appears as context;
- tokens compare exactly (no case folding);
- ``V`` (:attr:`NGram.V`) is the number of distinct training tokens plus ``</s>`` (``<s>`` is not
  counted): the add-k denominator is ``c(context) + k V``;
- lower orders (for Kneser-Ney) count every k-gram of the padded sentences, ``<s>`` included, as
  NLTK's ``everygrams`` do; Kneser-Ney is NLTK's ``KneserNeyInterpolated`` recursion
  (``p(w|ctx) = max(c - D, 0)/total + D N1+(ctx .)/total * p(w|ctx[1:])``, continuation counts
  below the top order, the continuation unigram at the bottom, and an unseen context deferring
  wholly to the lower order). NLTK's middle order takes its gamma from the raw follower types of
  the context over its continuation total, so a trigram's conditionals sum to 1 only to within
  about 1 %; we keep that recursion so that perplexities equal NLTK's.

A word never seen in training is mapped to ``<unk>`` (count 0 everywhere).

    >>> lm = NGram(2, "add_k", k=1).fit([["a", "b"], ["a", "c"]])
    >>> lm.V, round(lm.score("b", ("a",)), 6)
    (4, 0.333333)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
SMOOTHINGS = ("mle", "add_k", "kneser_ney")


class _Table:
    """Sorted int64 keys with values; lookups of absent keys give 0."""

    def __init__(self, keys: np.ndarray, values: np.ndarray):
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.values = values[order].astype(np.float64)

    @classmethod
    def count(cls, keys: np.ndarray) -> _Table:
        u, c = np.unique(keys, return_counts=True)
        return cls(u, c)

    def __call__(self, q: np.ndarray) -> np.ndarray:
        if self.keys.size == 0:
            return np.zeros(q.shape, dtype=np.float64)
        i = np.searchsorted(self.keys, q)
        i = np.minimum(i, self.keys.size - 1)
        return np.where(self.keys[i] == q, self.values[i], 0.0)


class NGram:
    """An n-gram language model, n in 1..3.

    ``smoothing``: ``mle``, ``add_k`` (``k``, 1 = Laplace) or ``kneser_ney`` (``discount`` D,
    n >= 2). ``vocab_size`` overrides the add-k V (to match a library that counts its
    vocabulary otherwise, e.g. NLTK's, which also counts ``<s>`` and ``<UNK>``).
    """

    def __init__(self, n: int, smoothing: str = "mle", k: float = 1.0, discount: float = 0.75,
                 vocab_size: int | None = None):
        if n not in (1, 2, 3):
            raise ValueError(f"n must be 1, 2 or 3, got {n}")
        if smoothing not in SMOOTHINGS:
            raise ValueError(f"smoothing must be one of {', '.join(SMOOTHINGS)}, got {smoothing!r}")
        if smoothing == "kneser_ney" and n < 2:
            raise ValueError("Kneser-Ney needs n >= 2 (its unigram is a continuation count over bigrams)")
        if smoothing == "add_k" and not k > 0:
            raise ValueError(f"k must be > 0, got {k}")
        if smoothing == "kneser_ney" and not 0 < discount < 1:
            raise ValueError(f"discount must lie in (0, 1), got {discount}")
        self.n, self.smoothing, self.k, self.discount = n, smoothing, float(k), float(discount)
        self.vocab_size = vocab_size
        self.words: list[str] = []
        self.index: dict[str, int] = {}

    # -- vocabulary ---------------------------------------------------------------------------
    @property
    def V(self) -> int:
        """Distinct training tokens plus ``</s>`` (``<s>`` and ``<unk>`` not counted)."""
        return len(self.words) - 2

    def ids(self, tokens: Sequence[str]) -> np.ndarray:
        unk = self.index[UNK]
        return np.fromiter((self.index.get(t, unk) for t in tokens), dtype=np.int64, count=len(tokens))

    def _padded(self, sentences: Iterable[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Padded id sequences concatenated, and each position's sentence number."""
        bos, eos, unk = self.index[BOS], self.index[EOS], self.index[UNK]
        get = self.index.get
        pad = [bos] * (self.n - 1)
        flat: list[int] = []
        lens: list[int] = []
        for sent in sentences:
            flat.extend(pad)
            flat.extend([get(t, unk) for t in sent])
            flat.append(eos)
            lens.append(len(sent) + self.n)
        seq = np.array(flat, dtype=np.int64)
        return seq, np.repeat(np.arange(len(lens), dtype=np.int64), lens)

    def _grams(self, seq: np.ndarray, sid: np.ndarray, k: int, ends: np.ndarray | None = None) -> np.ndarray:
        """Keys of the k-grams of ``seq`` inside one sentence (ending at ``ends`` if given)."""
        B = self.base
        if ends is None:
            ends = np.arange(k - 1, seq.size)
            ends = ends[sid[ends - (k - 1)] == sid[ends]]
        key = np.zeros(ends.size, dtype=np.int64)
        for j in range(k - 1, -1, -1):
            key = key * B + seq[ends - j]
        return key

    # -- fitting ------------------------------------------------------------------------------
    def fit(self, sentences: Iterable[Sequence[str]]) -> NGram:
        sentences = sentences if isinstance(sentences, list) else list(sentences)
        seen: dict[str, None] = {}
        for s in sentences:
            seen.update(dict.fromkeys(s))
        for sp in (BOS, EOS, UNK):
            seen.pop(sp, None)
        self.words = [*seen, EOS, BOS, UNK]
        self.index = {w: i for i, w in enumerate(self.words)}
        self.base = len(self.words)
        if self.base ** self.n >= 2 ** 62:
            raise ValueError("vocabulary too large for int64 n-gram keys")
        seq, sid = self._padded(sentences)
        B, n = self.base, self.n
        self.counts = {k: _Table.count(self._grams(seq, sid, k)) for k in range(1, n + 1)}
        # per context (k-1 words) of the k-grams: c(ctx .) and N1+(ctx .)
        self.ctx_total, self.ctx_types = {}, {}
        for k in range(2, n + 1):
            t = self.counts[k]
            ctx = t.keys // B
            u, inv = np.unique(ctx, return_inverse=True)
            self.ctx_total[k] = _Table(u, np.bincount(inv, weights=t.values))
            self.ctx_types[k] = _Table(u, np.bincount(inv).astype(np.float64))
        self.total = float(self.counts[1].values.sum())
        if self.smoothing == "kneser_ney":
            # continuation counts: for a k-gram g (k < n), N1+(. g) over the distinct (k+1)-grams,
            # and for a (k-1)-word context, N1+(. ctx .)
            self.cont, self.cont_total = {}, {}
            for k in range(1, n):
                higher = self.counts[k + 1].keys
                tail = higher % (B ** k)
                self.cont[k] = _Table.count(tail)
                self.cont_total[k] = _Table.count(tail // B) if k > 1 else float(higher.size)
        return self

    # -- scoring ------------------------------------------------------------------------------
    def _probs(self, grams: np.ndarray) -> np.ndarray:
        """p(w | ctx) for id rows ``grams`` of shape (N, n): the context then the word."""
        B, n = self.base, self.n
        key = np.zeros(grams.shape[0], dtype=np.int64)
        for j in range(n):
            key = key * B + grams[:, j]
        ctx = key // B
        if self.smoothing in ("mle", "add_k"):
            c = self.counts[n](key)
            tot = self.ctx_total[n](ctx) if n > 1 else np.full(key.shape, self.total)
            if self.smoothing == "mle":  # an unseen context gives 0, as NLTK's MLE
                return np.where(tot > 0, c / np.where(tot > 0, tot, 1), 0.0)
            V = self.vocab_size if self.vocab_size is not None else self.V
            return (c + self.k) / (tot + self.k * V)
        D = self.discount
        w = grams[:, -1]
        p = self.cont[1](w) / self.cont_total[1]
        for L in range(1, n):  # context length
            ck = np.zeros(grams.shape[0], dtype=np.int64)
            for j in range(n - 1 - L, n - 1):
                ck = ck * B + grams[:, j]
            gk = ck * B + w
            total_seen = self.ctx_total[L + 1](ck)
            types = self.ctx_types[L + 1](ck)
            if L + 1 == n:
                num, tot = self.counts[n](gk), total_seen
            else:
                num, tot = self.cont[L + 1](gk), self.cont_total[L + 1](ck)
            ok = (total_seen > 0) & (tot > 0)
            safe = np.where(ok, tot, 1.0)
            alpha = np.where(ok, np.maximum(num - D, 0.0) / safe, 0.0)
            gamma = np.where(ok, D * types / safe, 1.0)
            p = alpha + gamma * p
        return p

    def _sentence_grams(self, sentences: Iterable[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        seq, sid = self._padded(sentences)
        bos = self.index[BOS]
        ends = np.flatnonzero(seq != bos)
        grams = np.stack([seq[ends - (self.n - 1 - j)] for j in range(self.n)], axis=1)
        return grams, sid[ends]

    def count(self, gram: Sequence[str]) -> int:
        """How often the k-gram ``gram`` (k <= n) occurs in the padded training sentences."""
        key = 0
        for t in gram:
            key = key * self.base + self.index.get(t, self.index[UNK])
        return int(self.counts[len(gram)](np.array([key]))[0])

    def context_count(self, context: Sequence[str]) -> int:
        """c(context .): the n-grams (n = len(context) + 1) that continue ``context``; for the
        empty context, every counted unigram."""
        if not context:
            return int(self.total)
        key = 0
        for t in context:
            key = key * self.base + self.index.get(t, self.index[UNK])
        return int(self.ctx_total[len(context) + 1](np.array([key]))[0])

    def score(self, word: str, context: Sequence[str] = ()) -> float:
        """p(word | the last n - 1 words of context), context padded with ``<s>`` on the left."""
        ctx = [BOS] * (self.n - 1) + list(context)
        toks = (ctx[len(ctx) - (self.n - 1):] if self.n > 1 else []) + [word]
        unk = self.index[UNK]
        row = np.array([[self.index.get(t, unk) for t in toks]], dtype=np.int64)
        return float(self._probs(row)[0])

    def probabilities(self, sentence: Sequence[str]) -> list[float]:
        """Each conditional of the padded sentence in order, ``</s>`` included."""
        grams, _ = self._sentence_grams([sentence])
        return [float(p) for p in self._probs(grams)]

    def log_prob(self, sentences: Iterable[Sequence[str]]) -> tuple[float, int]:
        """(sum of natural-log conditionals, number N of predicted tokens) over sentences."""
        grams, _ = self._sentence_grams(sentences)
        p = self._probs(grams)
        with np.errstate(divide="ignore"):
            lp = float(np.sum(np.log(p)))
        return lp, int(grams.shape[0])

    def perplexity(self, sentences: Iterable[Sequence[str]]) -> float:
        """exp(-log_prob / N): ``inf`` when a predicted token has probability 0."""
        lp, N = self.log_prob(sentences)
        return math.exp(-lp / N) if math.isfinite(lp) else math.inf

    def distribution(self, context: Sequence[str]) -> np.ndarray:
        """p(w | context) for every predictable word (the vocabulary without ``<s>``, ``<unk>``)."""
        ctx = [BOS] * (self.n - 1) + list(context)
        ctx = ctx[len(ctx) - (self.n - 1):] if self.n > 1 else []
        cids = [self.index.get(t, self.index[UNK]) for t in ctx]
        m = self.V
        grams = np.column_stack([np.full(m, c, dtype=np.int64) for c in cids] + [np.arange(m, dtype=np.int64)])
        return self._probs(grams)

    def generate(self, prompt: Sequence[str] = (), max_tokens: int = 30, seed: int = 0) -> list[str]:
        """Sample words after ``prompt`` until ``</s>`` or ``max_tokens``."""
        rng = np.random.default_rng(seed)
        out = list(prompt)
        for _ in range(max_tokens):
            p = self.distribution(out)
            if p.sum() <= 0:
                break
            w = self.words[int(rng.choice(p.size, p=p / p.sum()))]
            if w == EOS:
                break
            out.append(w)
        return out
