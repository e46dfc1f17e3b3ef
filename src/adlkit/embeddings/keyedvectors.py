"""A light vectors object (gensim's ``KeyedVectors`` split): lookup, similarity, evaluation, I/O.

``vectors`` is float32 (V, d); row ``i`` belongs to ``index_to_key[i]``; rows are in decreasing
frequency order when they come from a trainer (``restrict_vocab=n`` means "the n most frequent").
Cosine similarity everywhere. Two file formats:

- the word2vec text format (``V d`` header, then ``word x1 ... xd`` per line), read and written by
  gensim's ``KeyedVectors.load_word2vec_format`` / ``save_word2vec_format``;
- a fast binary form: a safetensors file with tensor ``vectors`` and the words (newline-joined)
  in its metadata. No pickle.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from adlkit.embeddings import _safetensors

FORMAT = "adlkit.KeyedVectors/1"


class KeyedVectors:
    """Word vectors: ``vectors`` (V, d) float32 and ``index_to_key`` (V words)."""

    def __init__(self, vectors: np.ndarray, index_to_key: Sequence[str], counts: np.ndarray | None = None):
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(index_to_key):
            raise ValueError(f"vectors must be (V, d) with V = {len(index_to_key)} words, got {vectors.shape}")
        self.vectors = vectors
        self.index_to_key = list(index_to_key)
        self.key_to_index = {w: i for i, w in enumerate(self.index_to_key)}
        if len(self.key_to_index) != len(self.index_to_key):
            raise ValueError("duplicate words in index_to_key")
        self.counts = None if counts is None else np.asarray(counts, dtype=np.int64)
        self._normed: np.ndarray | None = None

    # ------------------------------------------------------------------ basics
    @property
    def vector_size(self) -> int:
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, word: str) -> bool:
        return word in self.key_to_index

    def get_index(self, word: str) -> int:
        try:
            return self.key_to_index[word]
        except KeyError:
            raise KeyError(f"word {word!r} not in vocabulary ({len(self)} words)") from None

    def __getitem__(self, word: str) -> np.ndarray:
        return self.vectors[self.get_index(word)]

    def get_normed_vectors(self) -> np.ndarray:
        """Unit-length rows (zero rows stay zero), cached; (V, d) float32."""
        if self._normed is None:
            norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
            self._normed = (self.vectors / np.maximum(norms, 1e-12)).astype(np.float32)
        return self._normed

    def similarity(self, w1: str, w2: str) -> float:
        """Cosine similarity of two words."""
        n = self.get_normed_vectors()
        return float(n[self.get_index(w1)] @ n[self.get_index(w2)])

    def most_similar(self, positive: str | Iterable[str] = (), negative: str | Iterable[str] = (),
                     topn: int = 10, restrict_vocab: int | None = None) -> list[tuple[str, float]]:
        """Words closest (cosine) to ``mean(unit(positive)) - mean(unit(negative))`` (3CosAdd for
        analogies), excluding the query words; searched among the first ``restrict_vocab`` rows."""
        pos = [positive] if isinstance(positive, str) else list(positive)
        neg = [negative] if isinstance(negative, str) else list(negative)
        if not pos and not neg:
            raise ValueError("most_similar needs at least one positive or negative word")
        n = self.get_normed_vectors()
        q = np.zeros(self.vector_size, dtype=np.float64)
        for w in pos:
            q += n[self.get_index(w)]
        for w in neg:
            q -= n[self.get_index(w)]
        q /= max(np.linalg.norm(q), 1e-12)
        lim = len(self) if restrict_vocab is None else min(restrict_vocab, len(self))
        sims = n[:lim] @ q.astype(np.float32)
        for w in pos + neg:
            i = self.key_to_index[w]
            if i < lim:
                sims[i] = -np.inf
        k = min(topn, lim)
        top = np.argpartition(-sims, k - 1)[:k] if k < lim else np.arange(lim)
        top = top[np.argsort(-sims[top], kind="stable")]
        return [(self.index_to_key[i], float(sims[i])) for i in top if np.isfinite(sims[i])][:topn]

    # ------------------------------------------------------------------ evaluation
    def _lookup(self, restrict_vocab: int, case_insensitive: bool) -> dict[str, int]:
        lim = min(restrict_vocab, len(self))
        if not case_insensitive:
            return {w: i for i, w in enumerate(self.index_to_key[:lim])}
        out: dict[str, int] = {}
        for i in range(lim - 1, -1, -1):  # most frequent spelling wins
            out[self.index_to_key[i].lower()] = i
        return out

    def evaluate_word_pairs(self, pairs: str | os.PathLike[str], delimiter: str = "\t",
                            restrict_vocab: int = 300000, case_insensitive: bool = True,
                            dummy4unknown: bool = False) -> tuple[float, float, float]:
        """Correlate cosine similarity with human scores on a word-pair file.

        File: ``word1<delim>word2<delim>score`` per line; lines starting with ``#`` are skipped
        (WordSim-353 ``.tsv``, SimLex-999 ``.txt`` from gensim's test data read as is).
        Returns ``(pearson, spearman, oov_ratio)``: the two correlation coefficients over the pairs
        whose words are in the (restricted) vocabulary, and the percentage of pairs skipped for
        out-of-vocabulary words (with ``dummy4unknown`` they count with similarity 0 instead).
        """
        from scipy import stats

        lookup = self._lookup(restrict_vocab, case_insensitive)
        n = self.get_normed_vectors()
        model_sims: list[float] = []
        human: list[float] = []
        oov = total = 0
        with open(pairs, encoding="utf-8") as f:
            for line in f:
                if not line.strip() or line.startswith("#"):
                    continue
                parts = line.rstrip("\n").split(delimiter)
                if len(parts) < 3:
                    continue
                a, b = (parts[0].lower(), parts[1].lower()) if case_insensitive else (parts[0], parts[1])
                try:
                    score = float(parts[2])
                except ValueError:
                    continue  # a header line
                total += 1
                if a not in lookup or b not in lookup:
                    oov += 1
                    if dummy4unknown:
                        model_sims.append(0.0)
                        human.append(score)
                    continue
                model_sims.append(float(n[lookup[a]] @ n[lookup[b]]))
                human.append(score)
        if len(human) < 3:
            raise ValueError(f"fewer than 3 pairs of {pairs} are in the vocabulary")
        pearson = float(stats.pearsonr(model_sims, human)[0])
        spearman = float(stats.spearmanr(model_sims, human)[0])
        return pearson, spearman, 100.0 * oov / max(total, 1)

    def evaluate_word_analogies(self, analogies: str | os.PathLike[str], restrict_vocab: int = 300000,
                                case_insensitive: bool = True, dummy4unknown: bool = False,
                                batch: int = 256) -> tuple[float, list[dict]]:
        """Google-style analogies ``a b c d`` (``: section`` headers), answered by 3CosAdd:
        ``argmax_w cos(w, b - a + c)`` over the first ``restrict_vocab`` words, excluding a, b, c.

        Questions with a word outside the restricted vocabulary are skipped (or counted wrong with
        ``dummy4unknown``). Returns ``(accuracy, sections)``; each section is
        ``{"section", "correct": [(a, b, c, d)...], "incorrect": [...]}``, the last one
        ``"Total accuracy"``; the number evaluated is ``len(correct) + len(incorrect)``.
        """
        lookup = self._lookup(restrict_vocab, case_insensitive)
        lim = min(restrict_vocab, len(self))
        n = self.get_normed_vectors()[:lim]
        sections: list[dict] = []
        cur: dict | None = None
        pending: list[tuple[str, str, str, str]] = []

        def flush() -> None:
            if cur is None or not pending:
                return
            idx = np.array([[lookup[w] for w in q] for q in pending], dtype=np.int64)
            for s in range(0, len(idx), batch):
                blk = idx[s : s + batch]
                q = n[blk[:, 1]] - n[blk[:, 0]] + n[blk[:, 2]]
                q /= np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
                sims = q @ n.T
                r = np.arange(len(blk))
                for c in range(3):
                    sims[r, blk[:, c]] = -np.inf
                pred = np.argmax(sims, axis=1)
                for k, p in enumerate(pred):
                    (cur["correct"] if p == blk[k, 3] else cur["incorrect"]).append(pending[s + k])
            pending.clear()

        with open(analogies, encoding="utf-8") as f:
            for line in f:
                if line.startswith(":"):
                    flush()
                    cur = {"section": line[1:].strip(), "correct": [], "incorrect": []}
                    sections.append(cur)
                    continue
                words = line.split()
                if len(words) != 4:
                    continue
                if cur is None:
                    cur = {"section": "", "correct": [], "incorrect": []}
                    sections.append(cur)
                q4 = tuple(w.lower() for w in words) if case_insensitive else tuple(words)
                if all(w in lookup for w in q4):
                    pending.append(q4)  # type: ignore[arg-type]
                elif dummy4unknown:
                    cur["incorrect"].append(q4)
        flush()
        total = {"section": "Total accuracy",
                 "correct": [q for s in sections for q in s["correct"]],
                 "incorrect": [q for s in sections for q in s["incorrect"]]}
        sections.append(total)
        n_eval = len(total["correct"]) + len(total["incorrect"])
        score = len(total["correct"]) / n_eval if n_eval else 0.0
        return score, sections

    # ------------------------------------------------------------------ I/O
    def save_word2vec_format(self, path: str | os.PathLike[str], limit: int | None = None) -> None:
        """Write the word2vec text format (readable by gensim), full float32 precision."""
        lim = len(self) if limit is None else min(limit, len(self))
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"{lim} {self.vector_size}\n")
            for i in range(lim):
                w = self.index_to_key[i]
                if any(ch.isspace() for ch in w):
                    raise ValueError(f"word {w!r} contains white space: not representable in the text format")
                f.write(w + " " + " ".join(repr(float(x)) for x in self.vectors[i].tolist()) + "\n")

    @classmethod
    def load_word2vec_format(cls, path: str | os.PathLike[str], limit: int | None = None) -> KeyedVectors:
        """Read the word2vec text format (as written by gensim or by :meth:`save_word2vec_format`)."""
        with open(path, encoding="utf-8", errors="strict") as f:
            header = f.readline().split()
            if len(header) != 2 or not all(h.isdigit() for h in header):
                raise ValueError(f"{path}: not the word2vec text format (first line must be 'V d')")
            v, d = int(header[0]), int(header[1])
            if limit is not None:
                v = min(v, limit)
            vecs = np.empty((v, d), dtype=np.float32)
            words: list[str] = []
            for i in range(v):
                parts = f.readline().rstrip("\n").rstrip(" ").split(" ")
                if len(parts) != d + 1:
                    raise ValueError(f"{path}: line {i + 2} has {len(parts) - 1} numbers, expected {d}")
                words.append(parts[0])
                vecs[i] = np.asarray(parts[1:], dtype=np.float32)
        return cls(vecs, words)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Fast binary form: safetensors (``vectors``, optional ``counts``) + words in metadata."""
        from safetensors.numpy import save_file

        tensors = {"vectors": self.vectors}
        if self.counts is not None:
            tensors["counts"] = self.counts
        _safetensors.write(save_file, tensors, path, {"format": FORMAT, "words": "\n".join(self.index_to_key)})

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> KeyedVectors:
        """Load :meth:`save`'s safetensors file (any safetensors file with a ``vectors`` tensor and
        a newline-joined ``words`` list in its metadata), or a word2vec text file (detected by
        content)."""
        p = Path(path)
        if not p.is_file():
            raise FileNotFoundError(f"vectors file not found: {p}")
        with open(p, "rb") as f:
            head = f.read(64)
        first = head.split(b"\n", 1)[0].split()
        if len(first) == 2 and all(x.isdigit() for x in first):
            return cls.load_word2vec_format(p)
        from safetensors import safe_open

        try:
            with safe_open(str(p), framework="numpy") as f:
                meta = f.metadata() or {}
                vectors = f.get_tensor("vectors")
                counts = f.get_tensor("counts") if "counts" in f.keys() else None
        except Exception as e:
            raise ValueError(f"{p}: neither the word2vec text format nor an adlkit vectors file ({e})") from None
        if meta.get("format", FORMAT) != FORMAT or "words" not in meta:
            raise ValueError(f"{p}: safetensors file without adlkit vectors metadata (a 'words' list)")
        words = meta["words"].split("\n") if meta["words"] else []
        return cls(vectors, words, counts)
