"""Problem type ``word2vec_loss``: the word2vec objective of one example and its gradients.

Computed by :mod:`adlkit.embeddings.objectives` (``negative_sampling``, ``softmax_objective``),
whose gradients are the word2vec kernel's update at learning rate 1 (checked in
tests/embeddings/test_objectives.py against the numba kernel and torch autograd).
"""

from __future__ import annotations

from typing import Any

from adlkit.core.numbers import fmt, fmt_matrix, fmt_vec
from adlkit.solve.common import draw_numbers
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import LOG_BASES
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType, in_nats

MAX_SIZE = 1000
NS = lambda f: f.raw.get("objective", "negative_sampling") == "negative_sampling"
SM = lambda f: f.raw.get("objective") == "softmax"


def _draw_objective(rng, d):
    d["_d"] = int(rng.integers(2, 4))
    return "softmax" if rng.random() < 0.35 else OMIT


def _ns(d) -> bool:
    return "objective" not in d


PARAMETERS = (
    Param("objective", "choice", "negative_sampling (skip-gram with noise words) or softmax (full softmax)",
          choices=("negative_sampling", "softmax"), default="negative_sampling", draw=_draw_objective),
    Param("center", "number_list", "v_c, the centre word's input vector", draw=lambda rng, d: draw_numbers(rng, d["_d"], -1, 1)),
    Param("context", "number_list", "u_o, the context word's output vector (negative sampling)", when=NS,
          draw=lambda rng, d: draw_numbers(rng, d["_d"], -1, 1) if _ns(d) else OMIT),
    Param("negatives", "rows", "u_k, the noise words' output vectors (one row each)", when=NS,
          draw=lambda rng, d: [draw_numbers(rng, d["_d"], -1, 1) for _ in range(int(rng.integers(1, 4)))] if _ns(d) else OMIT),
    Param("outputs", "matrix", "U, the output vectors of the whole vocabulary (V x d; softmax)", when=SM,
          draw=lambda rng, d: OMIT if _ns(d) else [draw_numbers(rng, d["_d"], -1, 1) for _ in range(int(rng.integers(2, 5)))]),
    Param("target", "integer", "the index of the context word in U (0-based; softmax)", when=SM, minimum=0,
          draw=lambda rng, d: (d.pop("_d"), OMIT if _ns(d) else int(rng.integers(0, len(d["outputs"]))))[1]),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    v = params["center"]
    if params["objective"] == "negative_sampling":
        for k in ("outputs", "target"):
            if f.has(k):
                f.error(k, "belongs to objective: softmax")
        u, N = params["context"], params["negatives"]
        if v is not INVALID and u is not INVALID and u.size != v.size:
            f.error("context", f"must have the length of 'center' ({v.size}), got {u.size}")
        if v is not INVALID and N is not INVALID and N.shape[1] != v.size:
            f.error("negatives", f"must be vectors of the length of 'center' ({v.size}), got {N.shape[1]}")
    elif params["objective"] == "softmax":
        for k in ("context", "negatives"):
            if f.has(k):
                f.error(k, "belongs to objective: negative_sampling")
        U, t = params["outputs"], params["target"]
        if v is not INVALID and U is not INVALID and U.shape[1] != v.size:
            f.error("outputs", f"must have rows of the length of 'center' ({v.size}), got {U.shape[1]}")
        if U is not INVALID and t is not INVALID and t >= U.shape[0]:
            f.error("target", f"must be an index into the {U.shape[0]} rows of 'outputs' (0-based), got {t}")
    if v is not INVALID and v.size > MAX_SIZE:
        f.error("center", f"is too long (at most {MAX_SIZE})")
    return params


def statement(p: dict[str, Any]) -> str:
    v = list(map(float, p["center"]))
    if p["objective"] == "softmax":
        return (f"For the centre vector v_c = {v}, output vectors U = {p['outputs'].tolist()} and the context word "
                f"at index {p['target']}, compute the scores U v_c, the softmax probabilities and the loss -log p.")
    return (f"For the centre vector v_c = {v}, the context vector u_o = {list(map(float, p['context']))} and the "
            f"negative samples {p['negatives'].tolist()}, compute the negative-sampling scores, loss and the "
            "gradients of the loss with respect to v_c, u_o and each negative.")


KEYS = ("positive_score", "negative_scores", "loss", "grad_center", "grad_context", "grad_negatives",
        "scores", "probabilities")


def solve(pid: str, p: dict[str, Any]) -> Solution:
    from adlkit.embeddings.objectives import negative_sampling, softmax_objective

    v = p["center"]
    answers: dict[str, Any] = dict.fromkeys(KEYS)
    sol = Solution(pid, "word2vec_loss", answers=answers)
    if p["objective"] == "softmax":
        r = softmax_objective(v, p["outputs"], p["target"])
        answers.update(scores=r["scores"].tolist(), probabilities=r["probabilities"].tolist(), loss=r["loss"],
                       grad_center=r["grad_center"].tolist())
        sol.conventions = {
            "objective": "full softmax: L = -log softmax(U v_c)[target] (natural log)",
            "target": "0-based index of the context word in U",
            "gradient": "grad_center = U^T (p - y), y the one-hot target; the keys of negative sampling are null",
        }
        sol.step("Scores: one per vocabulary word", formula=r"s = U v_c", value=fmt_vec(r["scores"]))
        sol.step("Softmax", formula=r"p_j = \frac{e^{s_j}}{\sum_k e^{s_k}}", value=fmt_vec(r["probabilities"]))
        sol.step(f"Loss at the target (index {p['target']})", formula=r"L = -\log p_{target}",
                 substituted=rf"-\log {fmt(r['probabilities'][p['target']])}", value=fmt(r["loss"]))
        sol.step("Gradient with respect to the centre vector", formula=r"\nabla_{v_c} L = U^\top (p - y)",
                 value=fmt_vec(r["grad_center"]))
        return sol
    r = negative_sampling(v, p["context"], p["negatives"])
    answers.update(positive_score=r["positive_score"], negative_scores=r["negative_scores"].tolist(), loss=r["loss"],
                   grad_center=r["grad_center"].tolist(), grad_context=r["grad_context"].tolist(),
                   grad_negatives=r["grad_negatives"].tolist())
    sol.conventions = {
        "objective": "skip-gram negative sampling: L = -log s(u_o . v_c) - sum_k log s(-u_k . v_c), s the logistic sigmoid",
        "gradients": "of L (to be DESCENDED): the word2vec update at learning rate eta is -eta times these",
        "log": "natural log",
        "keys": "scores and probabilities (the softmax objective's) are null",
    }
    sol.step("Positive score", formula=r"u_o^\top v_c", value=fmt(r["positive_score"]))
    sol.step("Negative scores", formula=r"u_k^\top v_c", value=fmt_vec(r["negative_scores"]))
    sol.step("Loss", formula=r"L = -\log\sigma(u_o^\top v_c) - \sum_k \log\sigma(-u_k^\top v_c)", value=fmt(r["loss"]))
    sol.step("Gradients", substeps=[
        Step("centre", formula=r"\nabla_{v_c} L = (\sigma(u_o^\top v_c) - 1)\,u_o + \sum_k \sigma(u_k^\top v_c)\,u_k",
             value=fmt_vec(r["grad_center"])),
        Step("context", formula=r"\nabla_{u_o} L = (\sigma(u_o^\top v_c) - 1)\,v_c", value=fmt_vec(r["grad_context"])),
        Step("negatives (one row each)", formula=r"\nabla_{u_k} L = \sigma(u_k^\top v_c)\,v_c",
             value=fmt_matrix(r["grad_negatives"]))])
    return sol


UNIT = ProblemType(
    name="word2vec_loss",
    summary="word2vec objective of one example: negative sampling (scores, loss, gradients) or full softmax",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=KEYS,
    nats=in_nats("loss"),
    slips=LOG_BASES,
    example={"center": [1, 0.5], "context": [0.5, -1], "negatives": [[1, 1], [-0.5, 0.5]]},
    modules=(10,),
)
