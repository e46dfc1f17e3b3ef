"""Problem type ``ngram``: the probability and perplexity of a sentence under an n-gram model.

Computed by :class:`adlkit.lm.NGram`, the n-gram language model that ``adlkit train lm`` fits
to the English corpus.
"""

from __future__ import annotations

import math
from typing import Any

from adlkit.core.numbers import fmt
from adlkit.solve.common import maybe
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import LOG_BASES, Problem, SlipRule
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType, in_nats

MAX_TOKENS = 10_000
WORDS = ("the", "cat", "sat", "on", "mat", "a", "dog", "ran")
SMOOTHING = {"none": "mle", "add_one": "add_k", "add_k": "add_k"}


def _draw_sentence(rng, n: int) -> list[str]:
    return [WORDS[int(i)] for i in rng.integers(len(WORDS), size=n)]


PARAMETERS = (
    Param("corpus", "sentences", "the training sentences (strings split on spaces, or token lists)",
          max_len=MAX_TOKENS,
          draw=lambda rng, d: [" ".join(_draw_sentence(rng, int(rng.integers(2, 6)))) for _ in range(int(rng.integers(2, 5)))]),
    Param("n", "integer", "the order: 1 (unigram), 2 (bigram) or 3 (trigram)", minimum=1, maximum=3,
          draw=lambda rng, d: int(rng.integers(1, 4))),
    Param("smoothing", "choice", "none (maximum likelihood), add_one (Laplace) or add_k", default="none",
          choices=("none", "add_one", "add_k"), draw=lambda rng, d: maybe(rng, str(rng.choice(["add_one", "add_k"])), 0.8)),
    Param("k", "number", "the pseudo-count of add_k", positive=True, default=1.0,
          draw=lambda rng, d: 0.5 if d.get("smoothing") == "add_k" else OMIT),
    Param("sentence", "tokens", "the sentence to score", max_len=MAX_TOKENS,
          draw=lambda rng, d: " ".join(d["corpus"][0].split()[:2] + _draw_sentence(rng, 1))),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    if f.has("k") and params["smoothing"] not in ("add_k", INVALID):
        f.error("k", f"applies only to smoothing: add_k (smoothing is {params['smoothing']})")
    return params


def model(p: dict[str, Any], **kw: Any):
    from adlkit.lm import NGram

    sm = p["smoothing"]
    k = 1.0 if sm == "add_one" else float(p["k"])
    return NGram(p["n"], SMOOTHING[sm], k=k, **kw).fit(p["corpus"])


def statement(p: dict[str, Any]) -> str:
    sm = {"none": "no smoothing (maximum likelihood)", "add_one": "add-one (Laplace) smoothing",
          "add_k": f"add-k smoothing with k = {p['k']:g}"}[p["smoothing"]]
    corpus = "; ".join(f'"{" ".join(s)}"' for s in p["corpus"])
    name = {1: "unigram", 2: "bigram", 3: "trigram"}[p["n"]]
    return (f"A {name} language model with {sm} is trained on the sentences {corpus}. Give each conditional "
            f"probability of the sentence \"{' '.join(p['sentence'])}\" (end marker included), its log-probability "
            "and its perplexity.")


def _w(t: str) -> str:
    return r"\text{" + t.replace("\\", "").replace("{", "").replace("}", "") + "}"


def solve(pid: str, p: dict[str, Any]) -> Solution:
    from adlkit.lm import BOS, EOS

    lm = model(p)
    n, sm = p["n"], p["smoothing"]
    k = 1.0 if sm == "add_one" else float(p["k"])
    probs = lm.probabilities(p["sentence"])
    lp, N = lm.log_prob([p["sentence"]])
    ppl = math.exp(-lp / N) if math.isfinite(lp) else math.inf
    sol = Solution(pid, "ngram", answers={"probabilities": probs, "log_prob": lp, "perplexity": ppl, "N": N, "V": lm.V})
    sol.conventions = {
        "padding": f"every sentence gets {n - 1} <s> on the left and one </s> on the right; </s> is predicted "
                   "(counted in N), <s> never is" if n > 1 else
                   "every sentence gets one </s> at the end (predicted, counted in N); a unigram model needs no <s>",
        "tokens": "tokens compare exactly (no case folding)",
        "V": "V = distinct corpus tokens plus </s> (<s> not counted)",
        "estimate": {"none": "maximum likelihood: c(context, w) / c(context); an unseen context gives 0",
                     "add_one": "add-one: (c(context, w) + 1) / (c(context) + V)",
                     "add_k": f"add-k: (c(context, w) + k) / (c(context) + k V), k = {k:g}"}[sm],
        "context": "c(context) counts the n-grams that continue the context (for a unigram: all tokens and </s>)",
        "log": "natural log; perplexity = exp(-log_prob / N)",
    }
    padded = [BOS] * (n - 1) + list(p["sentence"]) + [EOS]
    sol.step(f"Pad the sentence ({n - 1} <s>, one </s>) and count N, the tokens predicted" if n > 1
             else "Add </s> and count N, the tokens predicted",
             formula=r"\;".join(_w(t) for t in padded), value=f"N = {N}")
    sol.step("Vocabulary size (distinct corpus tokens, </s> counted, <s> not)", formula="V", value=str(lm.V))
    sub = []
    for i, pr in enumerate(probs):
        pos = n - 1 + i
        ctx, w = padded[pos - (n - 1):pos], padded[pos]
        c, cc = lm.count([*ctx, w]), lm.context_count(ctx)
        cond = rf"P({_w(w)}" + (r" | " + r"\,".join(_w(t) for t in ctx) if ctx else "") + ")"
        if sm == "none":
            subst = rf"\frac{{{c}}}{{{cc}}}"
        else:
            subst = rf"\frac{{{c} + {fmt(k)}}}{{{cc} + {fmt(k)} \cdot {lm.V}}}"
        sub.append(Step(f"token {i + 1}: {w}", formula=cond, substituted=subst, value=fmt(pr)))
    formula = {"none": r"P(w | h) = \frac{c(h, w)}{c(h)}",
               "add_one": r"P(w | h) = \frac{c(h, w) + 1}{c(h) + V}",
               "add_k": r"P(w | h) = \frac{c(h, w) + k}{c(h) + kV}"}[sm]
    sol.step("Each conditional probability from the counts", formula=formula, substeps=sub)
    sol.step("Log-probability of the sentence", formula=r"\log P = \sum_i \log P(w_i \mid h_i)",
             substituted=" + ".join(rf"\log {fmt(q)}" for q in probs), value=fmt(lp))
    sol.step("Perplexity", formula=r"PP = \exp(-\log P / N)", substituted=rf"\exp(-({fmt(lp)}) / {N})", value=fmt(ppl))
    return sol


def _no_end(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    probs = answers.get("probabilities")
    if not isinstance(probs, list) or len(probs) < 2:
        return
    kept = probs[:-1]
    with_logs = [math.log(q) if q > 0 else -math.inf for q in kept]
    lp = sum(with_logs)
    value = {"probabilities": kept, "log_prob": lp, "N": len(kept),
             "perplexity": math.exp(-lp / len(kept)) if math.isfinite(lp) else math.inf}.get(key)
    if value is not None:
        yield "the engine's conditionals without the last one, P(</s> | ..), and N one smaller", value


def _v_without_end(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    from adlkit.solve import validate_spec

    if problem.get("smoothing", "none") == "none":
        return
    try:
        _, [(_, _, p)] = validate_spec({"problems": [problem]})
    except Exception:
        return
    lm = model(p, vocab_size=answers["V"] - 1)
    lp, N = lm.log_prob([p["sentence"]])
    value = {"probabilities": lm.probabilities(p["sentence"]), "log_prob": lp, "V": answers["V"] - 1,
             "perplexity": math.exp(-lp / N)}.get(key)
    if value is not None:
        yield f"re-computed with V = {answers['V'] - 1} (</s> left out of the vocabulary)", value


NO_END = SlipRule("end_marker_not_counted", "</s> not counted (its probability and its place in N left out)",
                  ("probabilities", "log_prob", "perplexity", "N"), _no_end)
V_WITHOUT_END = SlipRule("v_without_end_marker", "V without </s> in the add-one denominator",
                         ("probabilities", "log_prob", "perplexity", "V"), _v_without_end)

UNIT = ProblemType(
    name="ngram",
    summary="n-gram LM (n = 1..3; MLE, add-one, add-k): conditionals, log-probability, perplexity",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("probabilities", "log_prob", "perplexity", "N", "V"),
    nats=in_nats("log_prob"),
    slips=(NO_END, V_WITHOUT_END, *LOG_BASES),
    example={"corpus": ["the cat sat", "the dog sat", "the cat ran"], "n": 2, "smoothing": "add_one",
             "sentence": "the cat sat"},
    modules=(10,),
)
