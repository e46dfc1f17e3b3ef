"""Problem type ``word2vec``: parameters and training sets of CBOW and skip-gram (question 2A).

Computed by :mod:`adlkit.embeddings.windows`, whose ``context_bounds`` the word2vec trainer
compiles for its hot loop.
"""

from __future__ import annotations

import copy
from typing import Any

from adlkit.embeddings.windows import cbow_samples, half_window, parameter_count, skipgram_pairs
from adlkit.solve.common import maybe
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import Problem, SlipRule, resolve
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType

MAX_TOKENS = 10_000
MAX_PAIRS = 1_000_000  # the training sets are printed in full: keep them printable
WORDS = ("the", "cat", "sat", "on", "mat", "a", "dog", "ran", "to", "park")


def _check_window(window: int, params: dict[str, Any]) -> str | None:
    try:
        half_window(window)
    except ValueError:
        return f"is the total span including the centre word: odd and at least 3, got {window}"
    return None


def _draw_sentence(rng, drawn):
    if rng.random() < 0.5:
        return OMIT  # give the length instead
    return [WORDS[int(i)] for i in rng.integers(len(WORDS), size=int(rng.integers(3, 9)))]


PARAMETERS = (
    Param("sentence", "tokens", "the sentence, as tokens (or give its length)", max_len=MAX_TOKENS,
          when=lambda f: not f.has("length"), missing="is required (or give 'length')", draw=_draw_sentence),
    Param("length", "integer", "n, for the sentence w1..wn of distinct tokens (instead of 'sentence')",
          minimum=1, maximum=MAX_TOKENS, when=lambda f: f.has("length") and not f.has("sentence"),
          draw=lambda rng, d: OMIT if "sentence" in d else int(rng.integers(3, 9))),
    Param("window", "integer", "the total span including the centre word (odd, at least 3)",
          check=_check_window, draw=lambda rng, d: int(rng.choice([3, 5, 7]))),
    Param("dim", "integer", "d, the embedding size", minimum=1, draw=lambda rng, d: int(rng.integers(2, 11))),
    Param("bias", "boolean", "whether the output layer has a bias (V more parameters)", default=False,
          draw=lambda rng, d: maybe(rng, bool(rng.random() < 0.5))),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    tokens: Any = INVALID
    if f.has("sentence") and f.has("length"):
        f.error("sentence", "give either 'sentence' or 'length', not both")
    elif f.has("length"):
        n = params["length"]
        if n is not INVALID:
            tokens = [f"w{i}" for i in range(1, n + 1)]
    else:
        tokens = params["sentence"]
    window = params["window"]
    if tokens is not INVALID and window is not INVALID:
        n, half = len(tokens), half_window(window)
        pairs = sum(min(i, half) + min(n - 1 - i, half) for i in range(n))
        if pairs > MAX_PAIRS:
            f.error("window", f"gives {pairs} skip-gram pairs for {n} tokens; at most {MAX_PAIRS} are listed")
    return {"tokens": tokens, "window": window, "dim": params["dim"], "bias": params["bias"]}


def statement(params: dict[str, Any]) -> str:
    tokens, window = params["tokens"], params["window"]
    bias = " with an output bias" if params["bias"] else ""
    return (f"For the sentence \"{' '.join(tokens)}\", a window of {window} (the total span, centre "
            f"word included) and embeddings of size {params['dim']}{bias}, give the number of trainable "
            "parameters of CBOW and skip-gram (full softmax) and list their training sets.")


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


def _one_sided_window(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    w = problem.get("window")
    if isinstance(w, (int, float)) and not isinstance(w, bool) and int(w) == w and w >= 3:
        p = copy.deepcopy(problem)
        p["window"] = 2 * int(w) + 1
        yield (f"re-solved with {int(w)} word(s) on EACH side (window {2 * int(w) + 1}), "
               f"not {int(w) // 2} each side"), resolve(p, key)


WINDOW_ONE_SIDED = SlipRule(
    "window_one_sided", "window counted one-sided (the window is the TOTAL span, centre included)",
    ("cbow_training_set", "skipgram_training_set", "cbow_training_set_size", "skipgram_training_set_size"),
    _one_sided_window)

UNIT = ProblemType(
    name="word2vec",
    summary="word2vec CBOW/skip-gram parameter counts and training sets",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("vocab_size", "cbow_parameters", "skipgram_parameters", "cbow_training_set",
             "skipgram_training_set", "cbow_training_set_size", "skipgram_training_set_size"),
    slips=(WINDOW_ONE_SIDED,),
    example={"length": 5, "window": 3, "dim": 4},
    modules=(10,),
)
