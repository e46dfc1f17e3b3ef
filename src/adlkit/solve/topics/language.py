"""Concept topics of module 10 (language modelling): short prose answers, written by us.

Each entry is a :class:`~adlkit.solve.topics.Concept`: the question, a summary that answers it,
and the points (text, LaTeX or "") that the worked solution lists as steps.
"""

from __future__ import annotations

from adlkit.solve.topics import Concept

MODULE = 10

TOPICS: dict[str, Concept] = {
    "glove_vs_word2vec": Concept(
        "What is the benefit offered by GloVe over word2vec?",
        "GloVe fits word vectors to the GLOBAL co-occurrence statistics of the whole corpus "
        "(a weighted least-squares fit of log co-occurrence counts), whereas word2vec learns "
        "only from LOCAL context windows, one window at a time. Counting once and fitting the "
        "counts uses the corpus-wide statistics directly and efficiently (training cost scales "
        "with the number of non-zero co-occurrences, not with corpus length), and the ratios of "
        "co-occurrence probabilities it models give vectors with linear analogy structure.",
        (
            ("word2vec: predict a word from its window (CBOW) or the window from the word "
             "(skip-gram), stochastically over every position", ""),
            ("GloVe: build the co-occurrence matrix X once, then fit",
             r"J = \sum_{i,j} f(X_{ij})\,\left(w_i^\top \tilde w_j + b_i + \tilde b_j - \log X_{ij}\right)^2"),
            ("the weighting caps frequent pairs and ignores zero counts",
             r"f(x) = \min\!\left(1, (x/x_{max})^{\alpha}\right),\ x_{max} = 100,\ \alpha = 3/4"),
        ),
    ),
    "cove_vs_static": Concept(
        "What is the benefit offered by CoVe over GloVe or word2vec?",
        "CoVe gives CONTEXTUAL word vectors: each token's vector is the output of a "
        "bidirectional LSTM encoder (pre-trained as the encoder of a machine-translation "
        "model) run over the whole sentence, so the same word gets different vectors in "
        "different sentences. GloVe and word2vec are STATIC: one vector per word type, whatever "
        "the context. CoVe therefore separates word senses (\"bank\" of a river vs a bank "
        "account) and carries sentence context into downstream models; in practice it is used "
        "as [GloVe(w); CoVe(w)].",
        (
            ("static embedding: a lookup, the same for every occurrence", r"v(w) = E[w]"),
            ("CoVe: the MT-LSTM encoder's output at the token's position",
             r"\mathrm{CoVe}(w_1..w_n) = \mathrm{MT\text{-}LSTM}(\mathrm{GloVe}(w_1..w_n))"),
            ("downstream input", r"\tilde w = [\mathrm{GloVe}(w);\ \mathrm{CoVe}(w)]"),
        ),
    ),
}
