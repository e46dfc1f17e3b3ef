"""Word embeddings: training-set construction (question 2A), word2vec, GloVe, CoVe.

``Word2Vec``, ``GloVe``, ``KeyedVectors`` and ``all_but_the_top`` (vector post-processing) are
imported on first use, so that importing this package (as the exam solver does for :mod:`.windows`) stays cheap.
"""

from adlkit.embeddings.windows import (
    cbow_samples,
    context_bounds,
    half_window,
    parameter_count,
    skipgram_pairs,
)

_LAZY = {
    "Word2Vec": "adlkit.embeddings.word2vec",
    "KeyedVectors": "adlkit.embeddings.keyedvectors",
    "GloVe": "adlkit.embeddings.glove",
    "all_but_the_top": "adlkit.embeddings.postprocess",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'adlkit.embeddings' has no attribute {name!r}")


__all__ = ["cbow_samples", "context_bounds", "half_window", "parameter_count", "skipgram_pairs",
           "Word2Vec", "KeyedVectors", "GloVe", "all_but_the_top"]
