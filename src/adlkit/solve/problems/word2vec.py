"""Problem type ``word2vec``: parameters and training sets of CBOW and skip-gram (question 2A).

Computed by :mod:`adlkit.embeddings.windows`, whose ``context_bounds`` the word2vec trainer
compiles for its hot loop.
"""

from __future__ import annotations

from typing import Any

from adlkit.embeddings.windows import cbow_samples, half_window, parameter_count, skipgram_pairs
from adlkit.solve.model import Solution, Step
from adlkit.solve.registry import register
from adlkit.solve.spec import INVALID, Fields

MAX_TOKENS = 10_000
MAX_PAIRS = 1_000_000  # the training sets are printed in full: keep them printable


def parse(f: Fields) -> dict[str, Any]:
    has_sentence, has_length = f.has("sentence"), f.has("length")
    tokens: Any = INVALID
    if has_sentence and has_length:
        f.error("sentence", "give either 'sentence' or 'length', not both")
        f.used.add("length")
    elif has_sentence:
        raw = f._get("sentence", None)
        if isinstance(raw, str):
            raw = raw.split()
        if (not isinstance(raw, list) or not raw
                or not all(isinstance(t, (str, int, float)) and not isinstance(t, bool) for t in raw)):
            f.error("sentence", "must be a non-empty list of tokens")
        elif len(raw) > MAX_TOKENS:
            f.error("sentence", f"must have at most {MAX_TOKENS} tokens, got {len(raw)}")
        else:
            tokens = [str(t) for t in raw]
    elif has_length:
        n = f.number("length", integer=True, minimum=1)
        if n is not INVALID and n > MAX_TOKENS:
            f.error("length", f"must be at most {MAX_TOKENS}, got {n}")
        elif n is not INVALID:
            tokens = [f"w{i}" for i in range(1, n + 1)]
    else:
        f.error("sentence", "is required (or give 'length')")
    window = f.number("window", integer=True)
    if window is not INVALID:
        try:
            half_window(window)
        except ValueError:
            f.error("window", f"is the total span including the centre word: odd and at least 3, got {window}")
            window = INVALID
    if tokens is not INVALID and window is not INVALID:
        n, half = len(tokens), half_window(window)
        pairs = sum(min(i, half) + min(n - 1 - i, half) for i in range(n))
        if pairs > MAX_PAIRS:
            f.error("window", f"gives {pairs} skip-gram pairs for {n} tokens; at most {MAX_PAIRS} are listed")
    dim = f.number("dim", integer=True, minimum=1)
    bias = f.boolean("bias", default=False)
    return {"tokens": tokens, "window": window, "dim": dim, "bias": bias}


def _w(tok: str) -> str:
    if tok.startswith("w") and tok[1:].isdigit():
        return f"w_{{{tok[1:]}}}"
    return r"\text{" + tok.replace("\\", "").replace("{", "").replace("}", "") + "}"


def solve(pid: str, p: dict[str, Any]) -> Solution:
    tokens: list[str] = p["tokens"]
    window, dim, bias = p["window"], p["dim"], p["bias"]
    half = half_window(window)
    vocab = list(dict.fromkeys(tokens))
    V = len(vocab)
    params = parameter_count(V, dim, bias)
    cbow = cbow_samples(tokens, window)
    sg = skipgram_pairs(tokens, window)
    sol = Solution(pid, "word2vec", answers={
        "vocab_size": V,
        "cbow_parameters": params["total"],
        "skipgram_parameters": params["total"],
        "cbow_training_set": [[ctx, c] for ctx, c in cbow],
        "skipgram_training_set": [[c, o] for c, o in sg],
        "cbow_training_set_size": len(cbow),
        "skipgram_training_set_size": len(sg),
    })
    sol.conventions = {
        "window": f"window = total span including the centre word: {window} means {half} word(s) on each side",
        "vocabulary": "repeated tokens count once in the vocabulary; every position is a centre",
        "edges": "at the sentence edges the context is shorter (no padding); a position with no context gives no CBOW sample",
        "parameters": "input embeddings W_in (V x d) and output projection W_out (d x V)"
                      + (", plus an output bias (V)" if bias else ", no biases")
                      + "; full softmax output, the same matrices for CBOW and skip-gram",
    }
    sol.step("Vocabulary size (distinct tokens)", formula="V", value=str(V))
    sol.step("Embedding size", formula="d", value=str(dim))
    terms = [Step("Input (embedding) matrix", formula=r"W_{in} \in \mathbb{R}^{V \times d}",
                  substituted=rf"{V} \times {dim}", value=str(params["W_in"])),
             Step("Output (projection) matrix", formula=r"W_{out} \in \mathbb{R}^{d \times V}",
                  substituted=rf"{dim} \times {V}", value=str(params["W_out"]))]
    sub = f"{params['W_in']} + {params['W_out']}"
    formula = r"2 V d"
    if bias:
        terms.append(Step("Output bias", formula=r"b \in \mathbb{R}^{V}", value=str(V)))
        sub += f" + {V}"
        formula = r"2 V d + V"
    sol.step("CBOW trainable parameters", formula=formula, substituted=sub,
             value=str(params["total"]), substeps=terms)
    sol.step("Skip-gram trainable parameters (the same two matrices)", formula=formula,
             substituted=sub, value=str(params["total"]))
    sol.step(
        f"CBOW: one sample (context -> centre) per position with context, {half} word(s) each side",
        formula=r"|\mathcal{D}_{CBOW}|", value=str(len(cbow)),
        substeps=[Step(f"centre {c}", formula=r"(\{" + ", ".join(_w(t) for t in ctx) + r"\},\ " + _w(c) + ")")
                  for ctx, c in cbow])
    sol.step(
        "Skip-gram: one pair (centre, context word) per context word of every centre",
        formula=r"|\mathcal{D}_{SG}|", value=str(len(sg)),
        substeps=[Step(f"centre {c}", formula="(" + _w(c) + r",\ " + _w(o) + ")") for c, o in sg])
    return sol


register("word2vec", parse, solve, "word2vec CBOW/skip-gram parameter counts and training sets")
