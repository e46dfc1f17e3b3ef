"""Word embeddings: training-set construction (question 2A), word2vec, GloVe, CoVe."""

from adlkit.embeddings.windows import (
    cbow_samples,
    context_bounds,
    half_window,
    parameter_count,
    skipgram_pairs,
)

__all__ = ["cbow_samples", "context_bounds", "half_window", "parameter_count", "skipgram_pairs"]
