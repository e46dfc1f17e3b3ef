r"""Affine couplings with MLP conditioners as ONE autograd node, backward written out.

Same map as :meth:`adlkit.flows.AffineCoupling.forward_autograd`, for a coupling whose
conditioner is an :class:`~adlkit.flows.nets.MLPConditioner` and whose pass-through block is a
prefix or a suffix: with :math:`h_0 = x_a`, :math:`h_l = \mathrm{relu}(W_l h_{l-1} + b_l)`,
:math:`[\tilde s, t] = W_L h_{L-1} + b_L`, :math:`s = c \tanh(\tilde s / c)` (or
:math:`s = \tilde s` without a clamp),

.. math::

    y_a = x_a, \quad y_b = x_b \odot e^{s} + t, \quad \ell = \textstyle\sum_j s_j .

Backward, for incoming gradients :math:`\bar y` (N, D) and :math:`\bar\ell` (N,):

.. math::

    \bar x_b = \bar y_b \odot e^{s}, \quad
    \bar s = \bar x_b \odot x_b + \bar\ell, \quad
    \bar{\tilde s} = \bar s \odot (1 - \tanh^2(\tilde s / c)), \quad \bar t = \bar y_b,

then the MLP's backward on :math:`\bar o = [\bar{\tilde s}, \bar t]`:
:math:`\bar W_l = \bar a_l^\top h_{l-1}`, :math:`\bar b_l = \sum_n \bar a_l`,
:math:`\bar h_{l-1} = \bar a_l W_l` with :math:`\bar a_l = \bar h_l \odot [h_l > 0]`, and
:math:`\bar x_a = \bar y_a + \bar h_0`.

:class:`CouplingStackMLP` chains such couplings, and the ActNorm layers between them
(:math:`z = x \odot e^{\sigma} + b`, log-det :math:`\sum_j \sigma_j`; backward
:math:`\bar x = \bar z \odot e^{\sigma}`, :math:`\bar\sigma = \sum_n \bar x \odot x + \sum_n \bar\ell`,
:math:`\bar b = \sum_n \bar z`), in one node, the log-dets summed; a single coupling is the
stack of one. :class:`adlkit.flows.RealNVPFlow` runs each maximal run of such layers through
one node.

Why: the training step of a RealNVP is mostly matrix products that every library computes
alike (digits, MLP 2x256, batch 256: 1.1 GFLOP per step, 13-14 ms of the step on one core
here); the rest is per-operation overhead. One node for the whole stack instead of about
twenty per coupling (slices, cat, tanh, exp, ReLUs, AddmmBackward and its layout copies, the
log-det sums) makes the digits step 6-12 % and the moons step 25-34 % faster than the op-by-op
graph (``bench/RESULTS.md``, "One autograd node for the whole stack"). Under
``torch.no_grad()`` (evaluation, sampling) the same forward runs without the node and keeps
nothing. The tests check this backward against the autograd graph of the generic path in
float64 (``tests/flows/test_fused.py``) and the whole stack's log-det against ``slogdet`` of
the Jacobian computed through it. First derivatives only (``once_differentiable``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

from adlkit.core.torch_compat import relu_backward_

# One layer of a stack: ("coupling", n_a, prefix, clamp, n_params) -- the first n_a columns pass
# through when prefix is True, the last n_a otherwise, the MLP has n_params // 2 layers -- or
# ("actnorm", 2) with params [log_scale, bias].
Spec = tuple


def split_halves(x: Tensor, n_a: int, prefix: bool) -> tuple[Tensor, Tensor]:
    """Views ``(x_a, x_b)`` of the pass-through and the transformed columns."""
    n_b = x.shape[1] - n_a
    return (x[:, :n_a], x[:, n_a:]) if prefix else (x[:, n_b:], x[:, :n_b])


def coupling_forward(x: Tensor, spec: Spec, params: Sequence[Tensor], log_det: Tensor) -> tuple[Tensor, list]:
    """One coupling: returns ``(y, saved)`` and adds its log-det to ``log_det`` (N,) in place;
    ``params = [W_1, b_1, ..., W_L, b_L]`` (as in ``nn.Linear``);
    ``saved = [x_b, e^s, tanh(s_raw / c) or None, h_0, ..., h_{L-1}, W_1, ..., W_L]``."""
    _, n_a, prefix, clamp, _ = spec
    N, D = x.shape
    n_b = D - n_a
    x_a, x_b = split_halves(x, n_a, prefix)
    saved: list[Tensor | None] = [x_b, None, None, x_a]
    h = x_a
    for l in range(len(params) // 2 - 1):
        h = torch.addmm(params[2 * l + 1], h, params[2 * l].t()).clamp_min_(0.0)
        saved.append(h)
    out = torch.addmm(params[-1], h, params[-2].t())
    s, t = out[:, :n_b], out[:, n_b:]
    if clamp is not None:
        th = s.mul(1.0 / clamp).tanh_()
        s = th * clamp
        saved[2] = th
    e = torch.exp(s)
    saved[1] = e
    y = x.new_empty(N, D)
    y_a, y_b = split_halves(y, n_a, prefix)
    y_a.copy_(x_a)
    torch.addcmul(t, x_b, e, out=y_b)
    log_det.add_(s.sum(1))
    saved.extend(params[0::2])
    return y, saved


def coupling_backward(saved: Sequence, spec: Spec, gy: Tensor, gld: Tensor,
                      need_x: bool) -> tuple[Tensor | None, list[Tensor]]:
    """Gradients of one coupling from its ``saved`` list: ``(grad_x or None, [gW_1, gb_1, ...])``."""
    n_a, prefix = spec[1], spec[2]
    x_b, e, th = saved[0], saved[1], saved[2]
    n_layers = (len(saved) - 3) // 2
    hs, weights = saved[3 : 3 + n_layers], saved[3 + n_layers :]
    N, n_b = x_b.shape
    gy_a, gy_b = split_halves(gy, n_a, prefix)
    if need_x:
        gx = gy.new_empty(N, n_a + n_b)
        gx_a, gx_b = split_halves(gx, n_a, prefix)
        torch.mul(gy_b, e, out=gx_b)
    else:
        gx, gx_b = None, gy_b * e
    g = gy.new_empty(N, 2 * n_b)  # [grad of s_raw, grad of t]
    g_s = g[:, :n_b]
    torch.addcmul(gld.unsqueeze(1), gx_b, x_b, out=g_s)
    if th is not None:
        g_s.addcmul_(g_s * th, th, value=-1.0)  # times 1 - tanh^2
    g[:, n_b:].copy_(gy_b)
    grads: list[Tensor] = [None] * (2 * n_layers)  # type: ignore[list-item]
    for l in range(n_layers - 1, -1, -1):
        if l < n_layers - 1:
            # in place: g is this function's own fresh product g @ W
            g = relu_backward_(g, hs[l + 1])
        grads[2 * l] = g.t() @ hs[l]
        grads[2 * l + 1] = g.sum(0)
        if l > 0 or need_x:
            g = g @ weights[l]
    if need_x:
        torch.add(gy_a, g, out=gx_a)
    return gx, grads


def actnorm_forward(x: Tensor, spec: Spec, params: Sequence[Tensor], log_det: Tensor) -> tuple[Tensor, list]:
    """ActNorm ``z = x e^{log_scale} + bias``; saved ``[x, e^{log_scale}]``."""
    log_scale, bias = params
    e = log_scale.exp()
    log_det.add_(log_scale.sum())
    return torch.addcmul(bias, x, e), [x, e]


def actnorm_backward(saved: Sequence, spec: Spec, gy: Tensor, gld: Tensor,
                     need_x: bool) -> tuple[Tensor | None, list[Tensor]]:
    x, e = saved
    gx = gy * e
    return (gx if need_x else None), [(gx * x).sum(0).add_(gld.sum()), gy.sum(0)]


# kind -> (forward, backward): the layers a stack can hold
KINDS: dict[str, tuple[Callable, Callable]] = {
    "coupling": (coupling_forward, coupling_backward),
    "actnorm": (actnorm_forward, actnorm_backward),
}


def stack_forward(x: Tensor, specs: Sequence[Spec], params: Sequence[Tensor],
                  saved: list | None = None) -> tuple[Tensor, Tensor, list[int]]:
    """The stack's map: ``(y, log_det, sizes)``. With a ``saved`` list, every layer's saved
    tensors are appended to it (``sizes``: how many per layer); without one they are dropped
    layer by layer, which is what inference needs."""
    sizes = []
    log_det = x.new_zeros(x.shape[0])
    i = 0
    for spec in specs:
        k = spec[-1]
        x, sv = KINDS[spec[0]][0](x, spec, params[i : i + k], log_det)
        if saved is not None:
            saved.extend(sv)
        sizes.append(len(sv))
        i += k
    return x, log_det, sizes


def apply_stack(x: Tensor, specs: Sequence[Spec], params: Sequence[Tensor]) -> tuple[Tensor, Tensor]:
    """``(y, log_det)`` of the stack: one autograd node when gradients are recorded, the plain
    forward (nothing kept for a backward) under ``torch.no_grad()``."""
    if torch.is_grad_enabled():
        return CouplingStackMLP.apply(x, tuple(specs), *params)
    return stack_forward(x, specs, params)[:2]


class CouplingStackMLP(torch.autograd.Function):
    """``apply(x, specs, *params) -> (y, log_det)``: the layers of ``specs`` (one :data:`Spec`
    each, data -> latent order) applied in turn to ``x`` (N, D), their log-dets (N,) summed;
    ``params`` are the layers' parameters one after another (a spec's last entry counts them)."""

    @staticmethod
    def forward(ctx, x: Tensor, specs: Sequence[Spec], *params: Tensor):
        saved: list[Tensor | None] = []
        y, log_det, sizes = stack_forward(x, specs, params, saved)
        ctx.save_for_backward(*saved)
        ctx.meta = (specs, sizes)
        return y, log_det

    @staticmethod
    @once_differentiable
    def backward(ctx, gy: Tensor, gld: Tensor):
        specs, sizes = ctx.meta
        saved = ctx.saved_tensors
        grads: list[Tensor] = []
        end = len(saved)
        for j in range(len(specs) - 1, -1, -1):
            spec = specs[j]
            gy, g = KINDS[spec[0]][1](saved[end - sizes[j] : end], spec, gy, gld, j > 0 or ctx.needs_input_grad[0])
            grads[:0] = g
            end -= sizes[j]
        return (gy, None, *grads)
