"""The standard benchmarks of static word vectors, in one call: WordSim-353 and SimLex-999
(rank correlation of cosine similarity with human scores) and the Google analogies (3CosAdd).

The evaluation files ship with gensim's test data (:func:`adlkit.data.text.gensim_test_data`);
the scores are computed by :class:`~adlkit.embeddings.keyedvectors.KeyedVectors` itself.
"""

from __future__ import annotations

from typing import Any

from adlkit.data.text import gensim_test_data
from adlkit.embeddings.keyedvectors import KeyedVectors

WORD_PAIR_SETS = (("wordsim353", "wordsim353.tsv"), ("simlex999", "simlex999.txt"))
ANALOGIES = "questions-words.txt"


def evaluate_vectors(wv: KeyedVectors, restrict_vocab: int = 30000) -> dict[str, Any]:
    """WordSim-353 and SimLex-999 (Pearson, Spearman, percentage of pairs out of vocabulary) and
    the Google analogies (3CosAdd over the ``restrict_vocab`` most frequent words): accuracy over
    the questions in vocabulary, their number, and the semantic / syntactic / per-section split.

    A pair set with fewer than 3 pairs in the vocabulary gets NaN correlations, 100% OOV and
    ``"error"``. The evaluation files ship with gensim (:func:`adlkit.data.text.gensim_test_data`).
    """
    d = gensim_test_data()
    out: dict[str, Any] = {}
    for name, fname in WORD_PAIR_SETS:
        try:
            pearson, spearman, oov = wv.evaluate_word_pairs(d / fname)
            out[name] = {"pearson": pearson, "spearman": spearman, "oov_percent": oov}
        except ValueError as err:  # too few pairs in the vocabulary
            out[name] = {"pearson": float("nan"), "spearman": float("nan"), "oov_percent": 100.0, "error": str(err)}
    _, secs = wv.evaluate_word_analogies(d / ANALOGIES, restrict_vocab=restrict_vocab)

    def tally(group: list[dict]) -> dict[str, int]:
        c = sum(len(s["correct"]) for s in group)
        return {"correct": c, "questions": c + sum(len(s["incorrect"]) for s in group)}

    total = tally(secs[-1:])
    with open(d / ANALOGIES, encoding="utf-8") as f:
        n_file = sum(1 for line in f if not line.startswith(":"))
    out["analogies"] = {
        "accuracy": total["correct"] / total["questions"] if total["questions"] else float("nan"),
        "correct": total["correct"], "questions": total["questions"], "questions_in_file": n_file, "restrict_vocab": restrict_vocab,
        "semantic": tally([s for s in secs[:-1] if not s["section"].startswith("gram")]),
        "syntactic": tally([s for s in secs[:-1] if s["section"].startswith("gram")]),
        "sections": [{"section": s["section"], **tally([s])} for s in secs[:-1]],
    }
    return out
