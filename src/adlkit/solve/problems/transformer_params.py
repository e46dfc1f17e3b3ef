"""Problem type ``transformer_params``: the parameters of a GPT-2-layout transformer language model.

Computed by building :class:`adlkit.lm.transformer.TransformerLM` (on the meta device: no memory
is allocated, whatever the sizes) and counting its parameters; the steps give the closed form.
"""

from __future__ import annotations

import copy
from typing import Any

from adlkit.solve.common import maybe
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import Param
from adlkit.solve.slips import Problem, SlipRule, resolve
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType

LIMIT = 10 ** 7  # the largest d_model, d_ff, vocab, context; layers up to 1000


def _draw_d(rng, d):
    return int(rng.choice([8, 16, 64, 128, 768]))


PARAMETERS = (
    Param("d_model", "integer", "d, the width of the residual stream", minimum=1, maximum=LIMIT, draw=_draw_d),
    Param("heads", "integer", "the number of attention heads (must divide d_model)", minimum=1,
          draw=lambda rng, d: int(rng.choice([h for h in (1, 2, 4, 8, 12) if d["d_model"] % h == 0]))),
    Param("d_ff", "integer", "the MLP's hidden width (d -> d_ff -> d)", minimum=1, maximum=LIMIT,
          draw=lambda rng, d: 4 * d["d_model"]),
    Param("layers", "integer", "the number of transformer blocks", minimum=1, maximum=1000,
          draw=lambda rng, d: int(rng.integers(1, 13))),
    Param("vocab", "integer", "V, the vocabulary size", minimum=1, maximum=LIMIT,
          draw=lambda rng, d: int(rng.choice([100, 1000, 50257]))),
    Param("context", "integer", "the context length T of the learned position table (0: sinusoidal, no parameters)",
          minimum=0, maximum=LIMIT, draw=lambda rng, d: int(rng.choice([0, 16, 128, 1024]))),
    Param("tied", "boolean", "whether the output layer shares the token embedding", default=True,
          draw=lambda rng, d: maybe(rng, bool(rng.random() < 0.5))),
    Param("bias", "boolean", "whether the linear layers (attention projections, MLP) have biases", default=True,
          draw=lambda rng, d: maybe(rng, bool(rng.random() < 0.5))),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    d, h = params["d_model"], params["heads"]
    if d is not INVALID and h is not INVALID and d % h:
        f.error("heads", f"must divide d_model ({d}), got {h}")
    return params


def statement(p: dict[str, Any]) -> str:
    pos = (f"learned positions for a context of {p['context']}" if p["context"] else "sinusoidal positions")
    return (f"A GPT-style transformer language model has d_model = {p['d_model']}, {p['heads']} heads, "
            f"d_ff = {p['d_ff']}, {p['layers']} layers, a vocabulary of {p['vocab']} and {pos}; the output layer "
            f"is {'tied to the token embedding' if p['tied'] else 'its own matrix'} and the linear layers "
            f"{'have' if p['bias'] else 'have no'} biases. Count its parameters: the embeddings, one layer, the total.")


def build(p: dict[str, Any]):
    """The model of the problem, on the meta device (shapes only)."""
    import torch

    from adlkit.lm.transformer import TransformerLM

    with torch.device("meta"):
        return TransformerLM(p["vocab"], context=max(p["context"], 1), d_model=p["d_model"], heads=p["heads"],
                             d_ff=p["d_ff"], layers=p["layers"], tied=p["tied"], bias=p["bias"],
                             learned_positions=p["context"] > 0)


def solve(pid: str, p: dict[str, Any]) -> Solution:
    counts = build(p).parameter_counts()
    d, f, L, V, T, bias, tied = (p[k] for k in ("d_model", "d_ff", "layers", "vocab", "context", "bias", "tied"))
    b = 1 if bias else 0
    sol = Solution(pid, "transformer_params", answers=dict(counts))
    sol.conventions = {
        "layout": "GPT-2: token + position embeddings; per block LayerNorm, attention (Q, K, V, O: d x d each), "
                  "LayerNorm, MLP d -> d_ff -> d; a final LayerNorm; the output layer",
        "positions": f"learned: a {T} x d table" if T else "sinusoidal (fixed): no parameters",
        "bias": ("each linear layer has a bias" if bias else "no linear layer has a bias")
                + "; every LayerNorm has a weight and a bias (2d)",
        "output": "tied: the token embedding is reused, no bias (0 new parameters)" if tied
                  else "untied: its own V x d matrix, no bias",
        "heads": "the heads split d; their number does not change the count",
    }
    emb_sub = rf"{V} \cdot {d}" + (rf" + {T} \cdot {d}" if T else "")
    sol.step("Embeddings: tokens" + (" and learned positions" if T else " (sinusoidal positions are fixed)"),
             formula=r"V d + T d" if T else r"V d", substituted=emb_sub, value=str(counts["embedding"]))
    attn = 4 * (d * d + b * d)
    mlp = d * f + b * f + f * d + b * d
    sol.step("One block", formula=(r"2(2d) + 4(d^2 + d) + (d\,d_{ff} + d_{ff}) + (d_{ff}\,d + d)" if bias
                                   else r"2(2d) + 4d^2 + 2 d\,d_{ff}"),
             substituted=f"{4 * d} + {attn} + {mlp}", value=str(counts["per_layer"]),
             substeps=[Step("two LayerNorms (weight and bias each)", formula=r"2 \cdot 2d", value=str(4 * d)),
                       Step("attention: Q, K, V and output projections", formula=r"4(d^2 + d)" if bias else r"4d^2",
                            value=str(attn)),
                       Step("MLP", formula=r"d\,d_{ff} + d_{ff} + d_{ff}\,d + d" if bias else r"2\,d\,d_{ff}",
                            value=str(mlp))])
    out = 0 if tied else V * d
    sol.step("Total: embeddings, the blocks, the final LayerNorm" + (", the output matrix" if not tied else
                                                                     " (the output layer is tied: nothing new)"),
             formula=r"E + L \cdot P + 2d" + ("" if tied else " + V d"),
             substituted=f"{counts['embedding']} + {L} \\cdot {counts['per_layer']} + {2 * d}" + ("" if tied else f" + {out}"),
             value=str(counts["total"]))
    return sol


def _forgot_bias(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    if problem.get("bias", True):
        q = copy.deepcopy(problem)
        q["bias"] = False
        yield "re-solved with bias: false (the linear layers' biases left out)", resolve(q, key)


def _untied(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    q = copy.deepcopy(problem)
    q["tied"] = not problem.get("tied", True)
    yield f"re-solved with tied: {str(q['tied']).lower()}", resolve(q, key)


FORGOT_BIAS = SlipRule("forgot_bias", "a bias forgotten in the count (linear layers without biases)",
                       ("per_layer", "total"), _forgot_bias)
TIED = SlipRule("tied_output", "the output matrix counted when it is tied (or left out when it is not)",
                ("total",), _untied)

UNIT = ProblemType(
    name="transformer_params",
    summary="parameters of a GPT-2-layout transformer LM: embeddings, per layer, total",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("embedding", "per_layer", "total"),
    slips=(FORGOT_BIAS, TIED),
    example={"d_model": 768, "heads": 12, "d_ff": 3072, "layers": 12, "vocab": 50257, "context": 1024},
    modules=(10,),
)
