"""Problem type ``network_params``: the parameters and output shapes of a network given as a
layer list (module 3: autoencoders; the convolutional VAE's encoder and decoder).

Computed by :func:`adlkit.networks.build`: the counts are the ``numel`` sums of the built torch
modules (built on torch's ``meta`` device, so even a large network allocates nothing), and the
output shapes come from the builder's tracer (Keras semantics for ``same``), checked against a
forward pass of a zero batch through the built modules. The steps give the closed form of each
layer beside its count.
"""

from __future__ import annotations

import copy
from typing import Any

from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import Problem, SlipRule, resolve
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType

#: the layers whose count has a "+ 1" (or "+ u") bias term
BIASED = ("dense", "conv2d", "conv_transpose2d", "rnn", "lstm", "gru")
RNN_LENGTHS = (10, 20)  # the drawn sequence lengths (token ids); vectors are drawn longer


def _draw_layers(rng, drawn: dict[str, Any]) -> list[dict[str, Any]]:
    shape = drawn["input_shape"]
    kind = "cnn" if len(shape) == 3 else ("rnn" if shape[0] in RNN_LENGTHS else "mlp")
    if kind == "cnn":
        layers: list[dict[str, Any]] = []
        n = shape[1]  # the spatial size so far (square inputs): every drawn layer fits it
        for _ in range(int(rng.integers(1, 3))):
            k, stride = int(rng.choice([3, 5])), int(rng.choice([1, 2]))
            padding = str(rng.choice(["same", "valid", "same"]))
            if padding == "valid" and k > n:
                padding = "same"
            n = -(-n // stride) if padding == "same" else (n - k) // stride + 1
            layers.append({"type": "conv2d", "filters": int(rng.choice([4, 8, 16])), "kernel": k,
                           "stride": stride, "padding": padding, "activation": "relu"})
            if rng.random() < 0.4:
                layers.append({"type": "batchnorm"})
        if n >= 2 and rng.random() < 0.5:
            layers.append({"type": "maxpool2d", "pool": 2})
        layers += [{"type": "flatten"}, {"type": "dense", "units": int(rng.choice([10, 32, 64]))}]
        return layers
    if kind == "mlp":
        return [{"type": "dense", "units": int(rng.choice([16, 32, 64])), "activation": "relu",
                 **({"bias": False} if rng.random() < 0.2 else {})} for _ in range(int(rng.integers(1, 4)))]
    cell = str(rng.choice(["rnn", "lstm", "gru"]))
    return [{"type": "embedding", "vocab": int(rng.choice([50, 100, 1000])), "dim": int(rng.choice([8, 16]))},
            {"type": cell, "units": int(rng.choice([8, 16, 32])), "bidirectional": bool(rng.random() < 0.5)},
            {"type": "dense", "units": int(rng.choice([2, 5])), "activation": "softmax"}]


def _draw_input(rng, drawn: dict[str, Any]) -> list[int]:
    kind = str(rng.choice(["cnn", "mlp", "rnn"]))
    if kind == "cnn":
        n = int(rng.choice([8, 16, 28, 32]))
        return [int(rng.choice([1, 3])), n, n]
    if kind == "mlp":
        return [int(rng.choice([64, 100, 784]))]
    return [int(rng.choice(RNN_LENGTHS))]


def _draw_heads(rng, drawn: dict[str, Any]) -> Any:
    if rng.random() < 0.7:
        return OMIT
    z = int(rng.choice([2, 8, 16]))
    return [{"type": "dense", "units": z, "name": "mu"}, {"type": "dense", "units": z, "name": "logvar"}]


PARAMETERS = (
    Param("input_shape", "number_list", "the input's shape without the batch axis: [C, H, W], [D], [T, D] "
          "or [T] (token ids, before an embedding)", draw=_draw_input),
    Param("layers", "structured", "the layers in order, each {type, ...}: dense, conv2d, conv_transpose2d, "
          "maxpool2d, avgpool2d, flatten, reshape, batchnorm, embedding, rnn, lstm, gru (CONTRACT.md)",
          draw=_draw_layers),
    Param("heads", "structured", "layers applied in parallel to the last output (a VAE's mean and "
          "log-variance)", default=None, default_text="none", draw=_draw_heads),
    Param("expect_output_shape", "structured", "the output shape the question states (a list of shapes "
          "with heads); a difference is a warning", default=None, default_text="none"),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    from adlkit.networks import LayerSpecError, trace

    shape, layers, heads = params["input_shape"], params["layers"], params["heads"]
    if any(v is INVALID for v in (shape, layers, heads)):
        return params
    if not isinstance(layers, list):
        f.error("layers", "must be a list of layers {type, ...}")
        return params
    if heads is not None and not isinstance(heads, list):
        f.error("heads", "must be a list of layers {type, ...}")
        return params
    try:
        plan = trace(list(f.raw["input_shape"]), layers, heads)
    except LayerSpecError as err:
        f.error(err.field, err.message)
        return params
    params["input_shape"] = plan.input_shape
    exp = params["expect_output_shape"]
    if exp is not None and exp is not INVALID:
        def whole(a: Any) -> bool:
            return isinstance(a, (int, float)) and not isinstance(a, bool) and float(a).is_integer()

        flat = isinstance(exp, list) and all(whole(a) for a in exp)
        nested = isinstance(exp, list) and all(isinstance(s, list) and s and all(whole(a) for a in s) for s in exp)
        if not exp or not (flat or nested):
            f.error("expect_output_shape", f"must be a shape (a list of whole numbers) or a list of shapes, got {exp!r}")
    return params


def _shape(s: Any) -> str:
    return "[" + ", ".join(str(a) for a in s) + "]"


def _describe(spec: dict[str, Any]) -> str:
    t = spec["type"]
    keys = [k for k in spec if k not in ("type", "name")]
    return t + (" (" + ", ".join(f"{k} {spec[k]}" for k in keys) + ")" if keys else "")


def statement(params: dict[str, Any]) -> str:
    layers = "; ".join(_describe(s) for s in params["layers"])
    heads = params["heads"]
    h = ""
    if heads:
        h = " followed by parallel heads " + "; ".join(
            _describe(x) if isinstance(x, dict) else "[" + ", ".join(_describe(y) for y in x) + "]" for x in heads)
    return (f"A network takes inputs of shape {_shape(params['input_shape'])} (no batch axis, channels first) "
            f"and applies, in order: {layers}{h}. Give the number of trainable parameters of each layer and "
            "in total, and each layer's output shape.")


def solve(pid: str, p: dict[str, Any]) -> Solution:
    import torch

    from adlkit.networks import build, count_parameters
    from adlkit.networks.builder import zero_input

    with torch.device("meta"):
        net = build(p["input_shape"], p["layers"], p["heads"])
    plan = net.plan
    infos, modules = plan.all_layers, net.layer_modules()
    counts = [count_parameters(m) for m in modules]
    total = count_parameters(net)
    out_shape = plan.output_shape
    warnings: list[str] = []
    # the traced shapes, checked against the modules themselves (a zero batch on the meta device)
    with torch.no_grad():
        out = net.eval()(zero_input(plan).to("meta"))
    ran = [list(o.shape[1:]) for o in out] if isinstance(out, list) else list(out.shape[1:])
    if ran != out_shape:  # a builder fault, never the user's: say it rather than hide it
        warnings.append(f"the built modules output {ran}, the size formulas give {out_shape}")
    for li, c in zip(infos, counts):
        if li.parameters != c:
            warnings.append(f"{li.name}: the built module has {c} parameters, the closed form {li.parameters}")
    exp = p["expect_output_shape"]
    if exp is not None:
        exp_n = [int(a) for a in exp] if not isinstance(exp[0], list) else [[int(a) for a in s] for s in exp]
        if exp_n != out_shape:
            warnings.append(f"the output shape is {out_shape}, not the expected {exp_n}")
    layers = [{"name": li.name, "type": li.type, "parameters": c, "output_shape": li.output_shape}
              for li, c in zip(infos, counts)]
    sol = Solution(pid, "network_params", answers={"total_parameters": total, "layers": layers,
                                                   "output_shape": out_shape, "warnings": warnings})
    sol.conventions = {
        "shapes": "channels first, without the batch axis: [C, H, W] images, [D] vectors, [T, D] sequences, "
                  "[T] token ids",
        "parameters": "trainable parameters only (weights and biases; batch norm's running mean and variance "
                      "are buffers, not parameters); counted from the built torch modules",
        "conv": "conv2d and conv_transpose2d: (k_h k_w C_in + 1) C_out (the + 1 only with bias)",
        "output size": "conv and pooling: valid floor((n - k)/s) + 1, integer padding p floor((n + 2p - k)/s) + 1, "
                       "same ceil(n/s) (Keras; the extra padding pixel at the bottom/right); pooling stride = pool "
                       "unless given",
        "transposed conv": "(n - 1)s - 2p + k + output_padding; same: p = floor(k/2), output_padding s - 1 by default "
                           "(n s for odd k); otherwise output_padding 0",
        "recurrent": "one bias vector per gate, as in Keras and the textbooks: gates (u(D + u) + u) per direction "
                     "(rnn 1 gate, lstm 4, gru 3); torch's second bias b_hh is fixed at zero in the built layer. "
                     "Keras' GRU with reset_after=True (its default) has two bias vectors per gate, 3u more; "
                     "without return_sequences the output is the last state (both directions concatenated)",
        "dense": "(D_in + 1) D_out on the last axis; a dense after an image needs a flatten",
        "batchnorm": "2 parameters (gamma, beta) per channel of an image, per feature of a vector or sequence",
        "embedding": "V d weights, no bias",
    }
    sol.step(f"Input shape {_shape(plan.input_shape)}" + (" (token ids)" if plan.tokens else ""),
             formula=r"\text{no batch axis; channels first}")
    rows = []
    for li, c in zip(infos, counts):
        head = " [head]" if li.head else ""
        rows.append(Step(f"{li.name}{head}: {li.type}, {_shape(li.input_shape)} -> {_shape(li.output_shape)}, "
                         f"{c} parameters", formula=li.parameter_formula,
                         substeps=[Step("output size", formula=li.size_formula)] if li.size_formula else []))
    sol.step("Layer by layer: parameters (closed form) and output size", substeps=rows)
    sol.step("Total trainable parameters", formula=" + ".join(str(c) for c in counts) if len(counts) > 1 else "",
             value=str(total))
    sol.step(f"Output shape {out_shape}" + (" (one per head)" if plan.heads else ""))
    for w in warnings:
        sol.step(f"Warning: {w}")
    return sol


# -- slips ----------------------------------------------------------------------------------------
def _edited(problem: Problem, edit) -> Problem:
    p = copy.deepcopy(problem)
    for key in ("layers", "heads"):
        items = p.get(key)
        if isinstance(items, list):
            for item in items:
                for layer in item if isinstance(item, list) else [item]:
                    if isinstance(layer, dict):
                        edit(layer)
    return p


def _no_bias(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    def edit(layer: dict[str, Any]) -> None:
        if layer.get("type") in BIASED:
            layer["bias"] = False

    p = _edited(problem, edit)
    if p != problem:
        yield "re-solved with bias: false on every dense, convolutional and recurrent layer", resolve(p, key)


def _valid_for_same(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    def edit(layer: dict[str, Any]) -> None:
        if layer.get("padding") == "same":
            layer["padding"] = "valid"
            layer.pop("output_padding", None)

    p = _edited(problem, edit)
    if p != problem:
        yield "re-solved with padding 'valid' where the question says 'same'", resolve(p, key)


BIASES_LEFT_OUT = SlipRule("biases_left_out", "biases left out of the count (no + 1 per output unit)",
                           ("total_parameters", "layers"), _no_bias)
VALID_FOR_SAME = SlipRule("valid_for_same", "'valid' output size computed for padding 'same'",
                          ("output_shape", "layers", "total_parameters"), _valid_for_same)

UNIT = ProblemType(
    name="network_params",
    summary="parameters and output shapes of a network from its layer list (conv, pooling, dense, RNN, heads)",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("total_parameters", "layers", "output_shape", "warnings"),
    slips=(BIASES_LEFT_OUT, VALID_FOR_SAME),
    example={"input_shape": [1, 28, 28],
             "layers": [{"type": "conv2d", "filters": 16, "kernel": 3, "padding": "same", "activation": "relu"},
                        {"type": "maxpool2d", "pool": 2},
                        {"type": "conv2d", "filters": 32, "kernel": 3, "stride": 2, "padding": "same",
                         "activation": "relu"},
                        {"type": "flatten"},
                        {"type": "dense", "units": 128, "activation": "relu"}],
             "heads": [{"type": "dense", "units": 16, "name": "mu"}, {"type": "dense", "units": 16, "name": "logvar"}],
             "expect_output_shape": [[16], [16]]},
    modules=(3,),
)
