"""The one held-out split of the English corpus that every language model here is measured on.

Sentence ``s`` of the corpus (its first ``max_tokens`` tokens, whole sentences) goes to the test
set when ``s % every == every - 1`` (every 10th sentence by default), to training otherwise: a
deterministic split, the same for the n-gram and transformer models and for the NLTK bench.
"""

from __future__ import annotations

import numpy as np

from adlkit.data.text import Corpus


def split_sentences(corpus: Corpus, max_tokens: int | None = None, every: int = 10) -> tuple[list[list[str]], list[list[str]]]:
    """(train, test) sentences as word lists."""
    c = corpus.head(max_tokens) if max_tokens is not None and max_tokens < corpus.n_tokens else corpus
    words = c.words
    toks, offs = np.asarray(c.tokens), np.asarray(c.offsets)
    train: list[list[str]] = []
    test: list[list[str]] = []
    for s in range(len(offs) - 1):
        sent = [words[t] for t in toks[offs[s]:offs[s + 1]]]
        (test if s % every == every - 1 else train).append(sent)
    return train, test
