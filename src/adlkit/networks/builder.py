r"""A network from a list of layers: the shape tracer and the torch builder of ``network_params``.

The layer list is the one of CONTRACT.md's ``network_params`` row (each a mapping ``{type, ...}``):
``dense``, ``conv2d``, ``conv_transpose2d``, ``maxpool2d``, ``avgpool2d``, ``flatten``,
``reshape``, ``batchnorm``, ``embedding``, ``rnn``, ``lstm``, ``gru``; every layer may carry
``bias`` (default true), ``activation`` and ``name``; ``heads`` are layers (or short lists of
layers) applied in parallel to the body's output (a VAE encoder's mean and log-variance).

Shapes are written without the batch axis and channels first: ``[C, H, W]`` images, ``[D]``
vectors, ``[T, D]`` sequences of vectors, ``[T]`` token ids (before an ``embedding``).

Output sizes (Keras semantics for ``same``):

- convolution and pooling: ``valid`` :math:`\lfloor (n - k)/s\rfloor + 1`; integer padding p
  :math:`\lfloor (n + 2p - k)/s\rfloor + 1`; ``same`` :math:`\lceil n/s\rceil`, the total padding
  :math:`\max((\lceil n/s\rceil - 1)s + k - n, 0)` split with the extra pixel at the bottom/right
  (as TensorFlow does);
- transposed convolution: :math:`(n - 1)s - 2p + k + \text{output\_padding}`, with
  :math:`p = \lfloor k/2\rfloor` under ``same``, where output_padding defaults to s - 1 (so n s
  for odd k), and to 0 otherwise.

:func:`trace` validates a layer list and computes every output shape (raising
:class:`LayerSpecError`, which names the layer and the field); :func:`build` makes the torch
modules (:class:`Network`), whose parameter counts are the answer (:func:`count_parameters`).

Recurrent layers carry ONE bias vector per gate, as in Keras and the textbooks: torch's
``nn.RNN``/``nn.LSTM``/``nn.GRU`` have two (``bias_ih`` and ``bias_hh``), which only ever appear
as their sum, so the built layer keeps ``bias_ih`` trainable and fixes ``bias_hh`` at zero as a
buffer (not a parameter). The GRU is torch's, whose reset gate multiplies the recurrent product
(Keras' ``reset_after`` form); Keras' default ``reset_after=True`` keeps a second bias per gate
(3 x units more parameters), the textbook GRU and Keras' ``reset_after=False`` one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn

from adlkit.networks.mlp import ACTIVATIONS

LAYER_TYPES = ("dense", "conv2d", "conv_transpose2d", "maxpool2d", "avgpool2d", "flatten", "reshape",
               "batchnorm", "embedding", "rnn", "lstm", "gru")
#: the fields each layer type reads besides ``type``, ``name``, ``bias`` and ``activation``
LAYER_FIELDS: dict[str, tuple[str, ...]] = {
    "dense": ("units",),
    "conv2d": ("filters", "kernel", "stride", "padding"),
    "conv_transpose2d": ("filters", "kernel", "stride", "padding", "output_padding"),
    "maxpool2d": ("pool", "stride", "padding"),
    "avgpool2d": ("pool", "stride", "padding"),
    "flatten": (),
    "reshape": ("shape",),
    "batchnorm": (),
    "embedding": ("vocab", "dim"),
    "rnn": ("units", "bidirectional", "return_sequences"),
    "lstm": ("units", "bidirectional", "return_sequences"),
    "gru": ("units", "bidirectional", "return_sequences"),
}
#: gates per recurrent cell (a weight block and one bias vector each)
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
#: activations a layer may name (``linear``/``none``: no activation)
LAYER_ACTIVATIONS = (*ACTIVATIONS, "softmax", "linear", "none")


class LayerSpecError(ValueError):
    """A faulty layer list: ``field`` is the spec field (``layers``, ``heads``, ``input_shape``),
    ``message`` says which layer and what (one line)."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass
class LayerInfo:
    """One traced layer: its name, type, input and output shapes, the parameter count of the
    closed form, and the words/formulas of a solution sheet."""

    name: str
    type: str
    spec: dict[str, Any]
    input_shape: list[int]
    output_shape: list[int]
    parameters: int
    parameter_formula: str = ""  # LaTeX: the closed form with the numbers
    size_formula: str = ""  # LaTeX: the output-size formula with the numbers
    head: bool = False


@dataclass
class Plan:
    """A traced network: the body's layers, the heads (each a list of layers), the shapes."""

    input_shape: list[int]
    tokens: bool
    layers: list[LayerInfo] = field(default_factory=list)
    heads: list[list[LayerInfo]] = field(default_factory=list)

    @property
    def output_shape(self) -> list[int] | list[list[int]]:
        if self.heads:
            return [h[-1].output_shape for h in self.heads]
        return self.layers[-1].output_shape if self.layers else list(self.input_shape)

    @property
    def all_layers(self) -> list[LayerInfo]:
        return self.layers + [li for h in self.heads for li in h]

    @property
    def total_parameters(self) -> int:
        return sum(li.parameters for li in self.all_layers)


# -- reading a layer ------------------------------------------------------------------------------
def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) or (isinstance(v, float) and v.is_integer())


class _Reader:
    def __init__(self, field_name: str, where: str, spec: dict[str, Any]):
        self.field, self.where, self.spec = field_name, where, spec

    def fail(self, message: str) -> LayerSpecError:
        return LayerSpecError(self.field, f"{self.where}: {message}")

    def int(self, key: str, default: Any = None, minimum: int = 1) -> int:
        v = self.spec.get(key, default)
        if v is None:
            raise self.fail(f"needs '{key}'")
        if not _is_int(v):
            raise self.fail(f"'{key}' must be a whole number, got {v!r}")
        if int(v) < minimum:
            raise self.fail(f"'{key}' must be >= {minimum}, got {v!r}")
        return int(v)

    def pair(self, key: str, default: Any = None, minimum: int = 1) -> tuple[int, int]:
        v = self.spec.get(key, default)
        if v is None:
            raise self.fail(f"needs '{key}'")
        if _is_int(v):
            v = [v, v]
        if not (isinstance(v, list) and len(v) == 2 and all(_is_int(a) for a in v)):
            raise self.fail(f"'{key}' must be a whole number or [h, w], got {v!r}")
        if min(v) < minimum:
            raise self.fail(f"'{key}' must be >= {minimum}, got {v!r}")
        return int(v[0]), int(v[1])

    def padding(self) -> str | int:
        v = self.spec.get("padding", "valid")
        if v in ("same", "valid"):
            return v
        if _is_int(v) and int(v) >= 0:
            return int(v)
        raise self.fail(f"'padding' must be 'same', 'valid' or a whole number >= 0, got {v!r}")

    def bool(self, key: str, default: bool) -> bool:
        v = self.spec.get(key, default)
        if not isinstance(v, bool):
            raise self.fail(f"'{key}' must be true or false, got {v!r}")
        return v


def _conv_size(n: int, k: int, s: int, pad: str | int, r: _Reader, axis: str) -> tuple[int, str, tuple[int, int]]:
    """Output size, its formula, and the (before, after) padding of one spatial axis."""
    if pad == "same":
        out = -(-n // s)
        total = max((out - 1) * s + k - n, 0)
        return out, rf"\lceil {n}/{s}\rceil = {out}", (total // 2, total - total // 2)
    p = 0 if pad == "valid" else pad
    if n + 2 * p < k:
        what = "under padding 'valid'" if pad == "valid" else f"with padding {p}"
        raise r.fail(f"kernel {k} is larger than the input's {axis} {n} {what}")
    out = (n + 2 * p - k) // s + 1
    if pad == "valid":
        return out, rf"\lfloor ({n} - {k})/{s}\rfloor + 1 = {out}", (0, 0)
    return out, rf"\lfloor ({n} + 2\cdot{p} - {k})/{s}\rfloor + 1 = {out}", (p, p)


def _shape_text(shape: Sequence[int]) -> str:
    return r"\times".join(str(s) for s in shape)


def _trace_layer(spec: Any, shape: list[int], tokens: bool, field_name: str, label: str, default_name: str,
                 ) -> tuple[LayerInfo, dict[str, Any]]:
    """One layer: its output shape, parameter count and the details :func:`build` needs;
    ``label`` ("layer 3", "head 2") names it in a fault."""
    if not isinstance(spec, dict):
        raise LayerSpecError(field_name, f"{label} must be a mapping {{type: ..., ...}}, got {spec!r}")
    t = spec.get("type")
    if t not in LAYER_TYPES:
        raise LayerSpecError(field_name, f"{label}: unknown type {t!r} (known: {', '.join(LAYER_TYPES)})")
    name = spec.get("name", default_name)
    if not isinstance(name, str) or not name:
        raise LayerSpecError(field_name, f"{label} ({t}): 'name' must be a non-empty string")
    r = _Reader(field_name, f"{label} ({name}, {t})", spec)
    extra = set(spec) - {"type", "name", "bias", "activation", *LAYER_FIELDS[t]}
    if extra:
        raise r.fail(f"unknown field(s) {', '.join(sorted(map(str, extra)))} (a {t} reads "
                     f"{', '.join(LAYER_FIELDS[t] + ('bias', 'activation', 'name'))})")
    bias = r.bool("bias", True)
    act = spec.get("activation", "linear")
    if act is None:
        act = "linear"
    if act not in LAYER_ACTIVATIONS:
        raise r.fail(f"'activation' must be one of {', '.join(LAYER_ACTIVATIONS)}, got {act!r}")
    b = 1 if bias else 0
    bias_tex = " + 1" if bias else ""
    detail: dict[str, Any] = {"type": t, "bias": bias, "activation": act}
    rank = len(shape)
    if tokens and t != "embedding":
        raise r.fail("the input is token ids; the first layer must be an embedding")

    if t == "dense":
        if rank not in (1, 2):
            raise r.fail(f"needs a vector [D] or a sequence [T, D], got {shape}; add a flatten first")
        units = r.int("units")
        d = shape[-1]
        params = (d + b) * units
        out = [*shape[:-1], units]
        ptex = rf"(D_{{in}}{bias_tex})\,D_{{out}} = ({d}{bias_tex})\cdot {units} = {params}"
        stex = "acts on the last axis"
        detail.update(d_in=d, units=units)
    elif t in ("conv2d", "conv_transpose2d"):
        if rank != 3:
            raise r.fail(f"needs an image [C, H, W], got {shape}")
        c, h, w = shape
        filters = r.int("filters")
        kh, kw = r.pair("kernel")
        sh, sw = r.pair("stride", 1)
        pad = r.padding()
        params = (kh * kw * c + b) * filters
        ptex = rf"(k_h k_w C_{{in}}{bias_tex})\,C_{{out}} = ({kh}\cdot{kw}\cdot{c}{bias_tex})\cdot{filters} = {params}"
        if t == "conv2d":
            oh, th, ph = _conv_size(h, kh, sh, pad, r, "height")
            ow, tw, pw = _conv_size(w, kw, sw, pad, r, "width")
            detail.update(pads=(pw[0], pw[1], ph[0], ph[1]))
        else:
            dflt = [sh - 1, sw - 1] if pad == "same" else [0, 0]
            op = r.pair("output_padding", dflt, minimum=0)
            if op[0] >= sh or op[1] >= sw:
                raise r.fail(f"'output_padding' {list(op)} must be smaller than the stride {[sh, sw]}")
            ps = (kh // 2, kw // 2) if pad == "same" else ((0, 0) if pad == "valid" else (pad, pad))
            oh = (h - 1) * sh - 2 * ps[0] + kh + op[0]
            ow = (w - 1) * sw - 2 * ps[1] + kw + op[1]
            if oh < 1 or ow < 1:
                raise r.fail(f"the output size {oh}x{ow} is not positive (padding {pad} too large)")
            th = rf"({h}-1)\cdot{sh} - 2\cdot{ps[0]} + {kh} + {op[0]} = {oh}"
            tw = rf"({w}-1)\cdot{sw} - 2\cdot{ps[1]} + {kw} + {op[1]} = {ow}"
            detail.update(padding=ps, output_padding=op)
        out = [filters, oh, ow]
        stex = rf"H' = {th},\quad W' = {tw}"
        detail.update(c_in=c, filters=filters, kernel=(kh, kw), stride=(sh, sw))
    elif t in ("maxpool2d", "avgpool2d"):
        if rank != 3:
            raise r.fail(f"needs an image [C, H, W], got {shape}")
        c, h, w = shape
        kh, kw = r.pair("pool")
        sh, sw = r.pair("stride", [kh, kw])
        pad = r.padding()
        oh, th, ph = _conv_size(h, kh, sh, pad, r, "height")
        ow, tw, pw = _conv_size(w, kw, sw, pad, r, "width")
        out, params = [c, oh, ow], 0
        ptex = "0 (no weights)"
        stex = rf"H' = {th},\quad W' = {tw}"
        detail.update(pool=(kh, kw), stride=(sh, sw), pads=(pw[0], pw[1], ph[0], ph[1]))
    elif t == "flatten":
        out, params, ptex = [math.prod(shape)], 0, "0 (no weights)"
        stex = rf"{_shape_text(shape)} = {math.prod(shape)}"
    elif t == "reshape":
        target = spec.get("shape")
        if not (isinstance(target, list) and target and all(_is_int(a) and (int(a) >= 1 or int(a) == -1)
                                                             for a in target)):
            raise r.fail(f"'shape' must be a list of positive whole numbers (one may be -1), got {target!r}")
        target = [int(a) for a in target]
        n = math.prod(shape)
        if target.count(-1) > 1:
            raise r.fail("'shape' may hold at most one -1")
        if -1 in target:
            rest = math.prod(a for a in target if a != -1)
            if n % rest:
                raise r.fail(f"'shape' {target} cannot hold the {n} values of {shape}")
            target[target.index(-1)] = n // rest
        if math.prod(target) != n:
            raise r.fail(f"'shape' {target} holds {math.prod(target)} values, the input {shape} holds {n}")
        out, params, ptex = target, 0, "0 (no weights)"
        stex = rf"{_shape_text(shape)} \to {_shape_text(target)}"
        detail.update(shape=target)
    elif t == "batchnorm":
        ch = shape[0] if rank == 3 else shape[-1]
        params = (1 + b) * ch
        out = list(shape)
        what = "channel" if rank == 3 else "feature"
        greek = r"\gamma, \beta" if bias else r"\gamma"
        ptex = (rf"2\,C = 2\cdot{ch} = {params}" if bias else rf"C = {ch}") + \
            rf"\ \text{{(}}{greek}\text{{ per {what}; running statistics are not parameters)}}"
        stex = "shape unchanged"
        detail.update(features=ch, rank=rank)
    elif t == "embedding":
        if not tokens or rank != 1:
            raise r.fail(f"needs token ids [T] as the network's input, got {shape}")
        vocab, dim = r.int("vocab"), r.int("dim")
        params = vocab * dim
        out = [shape[0], dim]
        ptex = rf"V\,d = {vocab}\cdot{dim} = {params}"
        stex = rf"[T] \to [T, d] = [{shape[0]}, {dim}]"
        detail.update(vocab=vocab, dim=dim)
    else:  # rnn, lstm, gru
        if rank != 2:
            raise r.fail(f"needs a sequence [T, D], got {shape}")
        units = r.int("units")
        bi = r.bool("bidirectional", False)
        seq = r.bool("return_sequences", False)
        if t != "rnn" and act not in ("linear", "none", "tanh"):
            raise r.fail(f"an {t}'s cell activation is tanh; got {act!r}")
        if t == "rnn" and act not in ("linear", "none", "tanh", "relu"):
            raise r.fail(f"an rnn's cell activation is tanh or relu, got {act!r}")
        d = shape[1]
        g = GATES[t]
        dirs = 2 if bi else 1
        params = dirs * g * (units * (d + units) + b * units)
        gtex = "" if g == 1 else f"{g}\\cdot"
        dtex = "2\\cdot" if bi else ""
        ptex = (rf"{dtex}{gtex}\left(u(D + u){' + u' if bias else ''}\right) = "
                rf"{dtex}{gtex}({units}({d} + {units}){f' + {units}' if bias else ''}) = {params}")
        width = dirs * units
        out = [shape[0], width] if seq else [width]
        stex = (rf"[T, {dtex}u] = [{shape[0]}, {width}]" if seq else rf"the last state: [{dtex}u] = [{width}]")
        detail.update(d_in=d, units=units, bidirectional=bi, return_sequences=seq)
    if min(out) < 1:
        raise r.fail(f"the output shape {out} has an empty axis")
    info = LayerInfo(name, t, dict(spec), list(shape), out, params, ptex, stex)
    return info, detail


def _shape_list(v: Any) -> list[int]:
    if not (isinstance(v, list) and 1 <= len(v) <= 3 and all(_is_int(a) and int(a) >= 1 for a in v)):
        raise LayerSpecError("input_shape", f"must be [C, H, W], [D], [T, D] or [T] with whole numbers >= 1, got {v!r}")
    return [int(a) for a in v]


def trace(input_shape: Sequence[int], layers: Sequence[Any], heads: Sequence[Any] | None = None) -> Plan:
    """Validate a layer list and compute every layer's output shape and parameter count.

    Raises :class:`LayerSpecError` (naming the spec field and the layer) on a fault: an unknown
    type, a missing or negative size, a kernel larger than the input under ``valid``, a layer
    that cannot take the shape it gets."""
    shape = _shape_list(list(input_shape))
    if not isinstance(layers, (list, tuple)):
        raise LayerSpecError("layers", f"must be a list of layers, got {layers!r}")
    first = layers[0] if layers else (heads[0] if heads else None)
    first = first[0] if isinstance(first, list) and first else first
    tokens = isinstance(first, dict) and first.get("type") == "embedding"
    plan = Plan(shape, tokens)
    cur, tok = shape, tokens
    for i, spec in enumerate(layers, start=1):
        t = spec.get("type") if isinstance(spec, dict) else None
        info, _ = _trace_layer(spec, cur, tok, "layers", f"layer {i}", f"{t}_{i}")
        plan.layers.append(info)
        cur, tok = info.output_shape, False
    if heads is not None:
        if not isinstance(heads, (list, tuple)) or not heads:
            raise LayerSpecError("heads", f"must be a non-empty list of layers, got {heads!r}")
        for j, h in enumerate(heads, start=1):
            chain = h if isinstance(h, list) else [h]
            if not chain:
                raise LayerSpecError("heads", f"head {j} is an empty list")
            hcur, htok, infos = cur, tok, []
            for i, spec in enumerate(chain, start=1):
                t = spec.get("type") if isinstance(spec, dict) else None
                dname = f"head_{j}" if len(chain) == 1 else f"head_{j}_{i}"
                label = f"head {j}" if len(chain) == 1 else f"head {j} layer {i}"
                info, _ = _trace_layer(spec, hcur, htok, "heads", label, dname)
                info.head = True
                infos.append(info)
                hcur, htok = info.output_shape, False
            plan.heads.append(infos)
    if not plan.layers and not plan.heads:
        raise LayerSpecError("layers", "must hold at least one layer")
    return plan


# -- the torch modules ----------------------------------------------------------------------------
def _fix_at_zero(module: nn.Module, name: str) -> None:
    """Turn the parameter ``name`` into a zero buffer: not trained, not counted."""
    p = getattr(module, name)
    delattr(module, name)
    module.register_buffer(name, torch.zeros_like(p.data))


class Recurrent(nn.Module):
    """torch's RNN/LSTM/GRU (batch first) with one bias vector per gate; returns the whole
    sequence, or the last state (for a bidirectional layer: the forward direction's state after
    the last step and the backward direction's after the first, concatenated, as Keras does)."""

    def __init__(self, kind: str, d_in: int, units: int, bidirectional: bool, return_sequences: bool,
                 bias: bool, nonlinearity: str = "tanh"):
        super().__init__()
        cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
        extra = {"nonlinearity": nonlinearity} if kind == "rnn" else {}
        self.cell = cls(d_in, units, batch_first=True, bidirectional=bidirectional, bias=bias, **extra)
        if bias:
            for suffix in ("", "_reverse") if bidirectional else ("",):
                _fix_at_zero(self.cell, f"bias_hh_l0{suffix}")
            self.cell._init_flat_weights()
        self.return_sequences = return_sequences

    def forward(self, x: Tensor) -> Tensor:
        out, state = self.cell(x)
        if self.return_sequences:
            return out
        h = state[0] if isinstance(state, tuple) else state  # (directions, N, units)
        return torch.cat(list(h), dim=-1)


class FeatureBatchNorm(nn.Module):
    """Batch normalisation over the feature axis of (N, D) or (N, T, D) (Keras' last axis)."""

    def __init__(self, features: int, bias: bool):
        super().__init__()
        self.bn = nn.BatchNorm1d(features)
        if not bias:
            _fix_at_zero(self.bn, "bias")

    def forward(self, x: Tensor) -> Tensor:
        return self.bn(x) if x.ndim == 2 else self.bn(x.transpose(1, 2)).transpose(1, 2)


class Reshape(nn.Module):
    def __init__(self, shape: Sequence[int]):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(x.shape[0], *self.shape)


def _activation_module(name: str) -> nn.Module | None:
    if name in ("linear", "none"):
        return None
    if name == "softmax":
        return nn.Softmax(dim=-1)
    return ACTIVATIONS[name]()


def _module(info: LayerInfo, detail: dict[str, Any]) -> nn.Module:
    t, bias = detail["type"], detail["bias"]
    mods: list[nn.Module] = []
    if t == "dense":
        mods.append(nn.Linear(detail["d_in"], detail["units"], bias=bias))
    elif t == "conv2d":
        if any(detail["pads"]):
            mods.append(nn.ZeroPad2d(detail["pads"]))
        mods.append(nn.Conv2d(detail["c_in"], detail["filters"], detail["kernel"], detail["stride"], bias=bias))
    elif t == "conv_transpose2d":
        mods.append(nn.ConvTranspose2d(detail["c_in"], detail["filters"], detail["kernel"], detail["stride"],
                                       padding=detail["padding"], output_padding=detail["output_padding"], bias=bias))
    elif t in ("maxpool2d", "avgpool2d"):
        if any(detail["pads"]):
            fill = float("-inf") if t == "maxpool2d" else 0.0
            mods.append(nn.ConstantPad2d(detail["pads"], fill))
        pool = nn.MaxPool2d if t == "maxpool2d" else nn.AvgPool2d
        mods.append(pool(detail["pool"], detail["stride"]))
    elif t == "flatten":
        mods.append(nn.Flatten())
    elif t == "reshape":
        mods.append(Reshape(detail["shape"]))
    elif t == "batchnorm":
        if detail["rank"] == 3:
            bn = nn.BatchNorm2d(detail["features"])
            if not bias:
                _fix_at_zero(bn, "bias")
            mods.append(bn)
        else:
            mods.append(FeatureBatchNorm(detail["features"], bias))
    elif t == "embedding":
        mods.append(nn.Embedding(detail["vocab"], detail["dim"]))
    else:
        nl = "relu" if detail["activation"] == "relu" else "tanh"
        mods.append(Recurrent(t, detail["d_in"], detail["units"], detail["bidirectional"],
                              detail["return_sequences"], bias, nl))
    if t not in GATES:
        act = _activation_module(detail["activation"])
        if act is not None:
            mods.append(act)
    return mods[0] if len(mods) == 1 else nn.Sequential(*mods)


class Network(nn.Module):
    """The built network: ``body`` (one module per layer, in order) and ``heads`` (one
    sequential per head); ``forward`` returns the body's output, or a list with each head's."""

    def __init__(self, plan: Plan, body: list[nn.Module], heads: list[list[nn.Module]]):
        super().__init__()
        self.plan = plan
        self.body = nn.ModuleList(body)
        self.heads = nn.ModuleList(nn.Sequential(*h) for h in heads)

    def layer_modules(self) -> list[nn.Module]:
        """The module of every traced layer, body then heads (``plan.all_layers``' order)."""
        return [*self.body, *(m for h in self.heads for m in h)]

    def forward(self, x: Tensor) -> Tensor | list[Tensor]:
        for m in self.body:
            x = m(x)
        if len(self.heads):
            return [h(x) for h in self.heads]
        return x


def build(input_shape: Sequence[int], layers: Sequence[Any], heads: Sequence[Any] | None = None) -> Network:
    """The torch network of a layer list (:func:`trace` checks it first)."""
    plan = trace(input_shape, layers, heads)
    # re-trace to get each layer's build details, in the same order
    body: list[nn.Module] = []
    cur, tok = plan.input_shape, plan.tokens
    for i, (spec, info) in enumerate(zip(layers, plan.layers), start=1):
        _, detail = _trace_layer(spec, cur, tok, "layers", f"layer {i}", info.name)
        body.append(_module(info, detail))
        cur, tok = info.output_shape, False
    built_heads: list[list[nn.Module]] = []
    for h, infos in zip(heads or [], plan.heads):
        chain = h if isinstance(h, list) else [h]
        hcur, htok, mods = cur, tok, []
        for i, (spec, info) in enumerate(zip(chain, infos), start=1):
            _, detail = _trace_layer(spec, hcur, htok, "heads", f"head layer {i}", info.name)
            mods.append(_module(info, detail))
            hcur, htok = info.output_shape, False
        built_heads.append(mods)
    return Network(plan, body, built_heads)


def count_parameters(module: nn.Module) -> int:
    """Trainable parameters: the sum of ``numel`` over ``module.parameters()`` (buffers, such
    as batch norm's running statistics, are not parameters)."""
    return sum(p.numel() for p in module.parameters())


def zero_input(plan: Plan, batch: int = 2) -> Tensor:
    """A zero batch of the network's input shape (long token ids when it starts with an embedding)."""
    dtype = torch.long if plan.tokens else torch.float32
    return torch.zeros((batch, *plan.input_shape), dtype=dtype)
