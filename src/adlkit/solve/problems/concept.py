"""Problem type ``concept``: the sheet's short prose questions (2C, 2D, 4C), answered by us.

``adlkit explain <topic>`` later backs each answer with measurements from trained models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adlkit.solve.model import Solution
from adlkit.solve.schema import Param
from adlkit.solve.unit import ProblemType


@dataclass(frozen=True)
class Concept:
    question: str
    summary: str
    points: tuple[tuple[str, str], ...]  # (text, LaTeX formula or "")


CONCEPTS: dict[str, Concept] = {
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
    "wgan_gp": Concept(
        "How are the disadvantages of weight clipping in WGAN eliminated? Which architecture "
        "incorporates this strategy?",
        "WGAN needs a 1-Lipschitz critic and enforces it by clipping every weight to [-c, c]. "
        "Clipping biases the critic towards overly simple functions (weights pile up at +-c, "
        "capacity is wasted) and makes gradients explode or vanish depending on c. WGAN-GP "
        "(Gulrajani et al., 2017) removes clipping and instead adds a gradient penalty that "
        "pushes the norm of the critic's gradient towards 1 on points interpolated between real "
        "and generated samples (a 1-Lipschitz function has gradient norm at most 1 everywhere, "
        "and the optimal critic has norm 1 on those lines). It is trained with Adam and "
        "without batch normalisation in the critic.",
        (
            ("interpolate real and generated samples",
             r"\hat x = \epsilon x + (1-\epsilon)\tilde x,\ \epsilon \sim U[0, 1]"),
            ("critic loss with the gradient penalty (per sample, norm over all dimensions)",
             r"L = \mathbb{E}[D(\tilde x)] - \mathbb{E}[D(x)] + \lambda\,\mathbb{E}_{\hat x}\left[(\|\nabla_{\hat x} D(\hat x)\|_2 - 1)^2\right],\ \lambda = 10"),
        ),
    ),
}


PARAMETERS = (
    Param("topic", "choice", "the question, by topic id", choices=tuple(CONCEPTS),
          draw=lambda rng, d: str(rng.choice(list(CONCEPTS)))),
)


def statement(params: dict[str, Any]) -> str:
    return CONCEPTS[params["topic"]].question


def solve(pid: str, p: dict[str, Any]) -> Solution:
    c = CONCEPTS[p["topic"]]
    sol = Solution(pid, "concept", answers={"summary": c.summary})
    sol.conventions = {"source": "a concise answer written by the adlkit authors; "
                                 "`adlkit explain` adds measurements from trained models"}
    sol.step(c.question)
    for text, formula in c.points:
        sol.step(text, formula=formula)
    return sol


UNIT = ProblemType(
    name="concept",
    summary="the sheet's prose questions: GloVe vs word2vec, CoVe vs static, WGAN-GP",
    parameters=PARAMETERS,
    solve=solve,
    statement=statement,
    answers=("summary",),
    example={"topic": "glove_vs_word2vec"},
    marked=False,
)
