r"""Corpus BLEU (Papineni et al., 2002), computed the way sacreBLEU computes it.

For n = 1..4, the clipped n-gram matches and the n-gram totals are summed over the corpus:

.. math::

    p_n = \frac{\sum_s \sum_{g \in \text{n-grams}(h_s)} \min(c_{h_s}(g), \max_r c_{r}(g))}
               {\sum_s \sum_{g \in \text{n-grams}(h_s)} c_{h_s}(g)}, \qquad
    \mathrm{BP} = \begin{cases} 1 & c > r \\ e^{1 - r/c} & c \le r \end{cases}, \qquad
    \mathrm{BLEU} = 100 \cdot \mathrm{BP} \cdot \exp\Big(\tfrac14 \sum_{n=1}^4 \log p_n\Big)

with ``c`` the total hypothesis length and ``r`` the sum over sentences of the reference length
closest to the hypothesis length (ties: the shorter). Smoothing (sacreBLEU's names):
``"exp"`` (its default, NIST mteval's): the k-th n-gram order with zero matches gets
:math:`p_n = 1 / (2^k \cdot \text{total}_n)`; ``"none"``: a zero precision gives BLEU 0;
``"floor"``: zero matches count as 0.1.

Tokenisation: :func:`tokenize_13a` reproduces sacreBLEU's default ``13a`` tokenizer (mteval-v13a),
so ``corpus_bleu(hyps, [refs])`` on raw strings equals ``sacrebleu.corpus_bleu(hyps, [refs]).score``;
pass ``tokenize=None`` for text that is already tokenised (tokens joined by spaces) or lists of
tokens. The tests check both against sacreBLEU's documented example and hand-computed counts.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_13A = [
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),
]


def tokenize_13a(line: str) -> list[str]:
    """sacreBLEU's ``13a`` tokenizer: punctuation split off, periods/commas kept inside numbers."""
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        line = (line.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    line = f" {line} "
    for pat, repl in _13A:
        line = pat.sub(repl, line)
    return line.split()


def ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    """Counts of the n-grams of ``tokens``."""
    return Counter(tuple(tokens[i: i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True)
class BLEUScore:
    """``score`` in [0, 100]; ``precisions`` in percent; counts summed over the corpus."""

    score: float
    precisions: tuple[float, ...]
    bp: float
    sys_len: int
    ref_len: int
    correct: tuple[int, ...]
    total: tuple[int, ...]

    def __str__(self) -> str:
        p = "/".join(f"{x:.1f}" for x in self.precisions)
        return (f"BLEU = {self.score:.2f} {p} (BP = {self.bp:.3f} ratio = "
                f"{self.sys_len / max(self.ref_len, 1):.3f} hyp_len = {self.sys_len} ref_len = {self.ref_len})")


def _as_tokens(x: str | Sequence[str], tok: Callable[[str], list[str]] | None) -> list[str]:
    if isinstance(x, str):
        return tok(x) if tok is not None else x.split()
    return list(x)


def sentence_stats(hyp: Sequence[str], refs: Sequence[Sequence[str]], max_n: int = 4
                   ) -> tuple[list[int], list[int], int, int]:
    """(clipped matches per order, totals per order, hypothesis length, closest reference length)."""
    max_ref: Counter[tuple[str, ...]] = Counter()
    for r in refs:
        for n in range(1, max_n + 1):
            for g, c in ngrams(r, n).items():
                if c > max_ref[g]:
                    max_ref[g] = c
    correct, total = [0] * max_n, [0] * max_n
    for n in range(1, max_n + 1):
        for g, c in ngrams(hyp, n).items():
            total[n - 1] += c
            correct[n - 1] += min(c, max_ref.get(g, 0))
    hl = len(hyp)
    ref_len = min((abs(len(r) - hl), len(r)) for r in refs)[1] if refs else 0
    return correct, total, hl, ref_len


def corpus_bleu(hypotheses: Sequence[str | Sequence[str]], references: Sequence[Sequence[str | Sequence[str]]],
                smooth: str = "exp", tokenize: str | None = "13a", max_n: int = 4) -> BLEUScore:
    """Corpus BLEU of ``hypotheses`` against one or more reference streams.

    ``references`` is a list of streams, each as long as ``hypotheses`` (sacreBLEU's layout):
    ``references[k][i]`` is the k-th reference of sentence i. Strings are tokenised with
    ``tokenize`` ("13a" or ``None`` = split on white space); token lists are used as they are.
    """
    if smooth not in ("exp", "none", "floor"):
        raise ValueError(f"unknown smoothing {smooth!r}; choose from exp, none, floor")
    if tokenize not in ("13a", None):
        raise ValueError(f"unknown tokenize {tokenize!r}; choose from '13a' or None")
    tok = tokenize_13a if tokenize == "13a" else None
    for k, stream in enumerate(references):
        if len(stream) != len(hypotheses):
            raise ValueError(f"reference stream {k} has {len(stream)} sentences, hypotheses have {len(hypotheses)}")
    correct, total = [0] * max_n, [0] * max_n
    sys_len = ref_len = 0
    for i, h in enumerate(hypotheses):
        refs = [_as_tokens(stream[i], tok) for stream in references]
        c, t, hl, rl = sentence_stats(_as_tokens(h, tok), refs, max_n)
        for n in range(max_n):
            correct[n] += c[n]
            total[n] += t[n]
        sys_len += hl
        ref_len += rl
    precisions = [0.0] * max_n
    smooth_mteval = 1.0
    for n in range(max_n):
        if total[n] == 0:
            break
        if correct[n] == 0:
            if smooth == "exp":
                smooth_mteval *= 2
                precisions[n] = 100.0 / (smooth_mteval * total[n])
            elif smooth == "floor":
                precisions[n] = 100.0 * 0.1 / total[n]
        else:
            precisions[n] = 100.0 * correct[n] / total[n]
    if sys_len == 0:
        bp = 0.0
    else:
        bp = 1.0 if sys_len > ref_len else math.exp(1 - ref_len / sys_len)
    if min(precisions) <= 0:
        score = 0.0
    else:
        score = bp * math.exp(sum(math.log(p) for p in precisions) / max_n)
    return BLEUScore(score, tuple(precisions), bp, sys_len, ref_len, tuple(correct), tuple(total))
