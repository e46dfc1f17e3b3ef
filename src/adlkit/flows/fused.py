r"""The affine coupling with an MLP conditioner as one autograd node, backward written out.

Same map as :meth:`adlkit.flows.AffineCoupling.forward` (which calls this when its conditioner
is an :class:`~adlkit.flows.nets.MLPConditioner` and its pass-through block is a prefix or a
suffix): with :math:`h_0 = x_a`, :math:`h_l = \mathrm{relu}(W_l h_{l-1} + b_l)`,
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

Why: the training step of a RealNVP is mostly matrix products that every library computes
alike (digits, MLP 2x256, batch 256: 1.1 GFLOP per step, 12.9 ms of the step on one core
here); the rest is per-operation overhead. One node per coupling instead of about twenty
(slices, cat, tanh, exp, ReLUs, AddmmBackward and its layout copies) made the digits and
moons steps 3-4 % faster in interleaved A/B runs (``bench/RESULTS.md``, "Fused coupling").
The tests check this backward against the autograd graph of the generic path in float64
(``tests/flows/test_fused.py``) and the whole stack's log-det against ``slogdet`` of the
Jacobian computed through it. First derivatives only (``once_differentiable``).
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable


class AffineCouplingMLP(torch.autograd.Function):
    """``apply(x, n_a, prefix, clamp, W_1, b_1, ..., W_L, b_L) -> (y, log_det)``.

    ``x`` (N, D); the first ``n_a`` columns pass through when ``prefix`` is True, the last
    ``n_a`` otherwise; ``W_l`` (out, in) and ``b_l`` (out,) as in ``nn.Linear``, ReLU between
    layers, the last layer's output ``2 * (D - n_a)`` columns ``[s_raw, t]``.
    """

    @staticmethod
    def forward(ctx, x: Tensor, n_a: int, prefix: bool, clamp: float | None, *params: Tensor):
        n_b = x.shape[1] - n_a
        x_a, x_b = (x[:, :n_a], x[:, n_a:]) if prefix else (x[:, n_b:], x[:, :n_b])
        n_layers = len(params) // 2
        hs = [x_a]
        h = x_a
        for l in range(n_layers - 1):
            h = torch.addmm(params[2 * l + 1], h, params[2 * l].t()).clamp_min_(0.0)
            hs.append(h)
        out = torch.addmm(params[-1], h, params[-2].t())
        s, t = out[:, :n_b], out[:, n_b:]
        if clamp is not None:
            th = torch.tanh(s / clamp)
            s = th * clamp
            dth = torch.addcmul(th.new_ones(()), th, th, value=-1.0)  # d s / d s_raw = 1 - tanh^2
        else:
            dth = None
        e = torch.exp(s)
        y_b = torch.addcmul(t, x_b, e)
        y = torch.cat((x_a, y_b), 1) if prefix else torch.cat((y_b, x_a), 1)
        ctx.save_for_backward(x_b, e, dth, *hs, *params[0::2])
        ctx.meta = (n_a, prefix, n_layers)
        return y, s.sum(1)

    @staticmethod
    @once_differentiable
    def backward(ctx, gy: Tensor | None, gld: Tensor | None):
        n_a, prefix, n_layers = ctx.meta
        saved = ctx.saved_tensors
        x_b, e, dth = saved[:3]
        hs, weights = saved[3 : 3 + n_layers], saved[3 + n_layers :]
        n_b = x_b.shape[1]
        if gy is None:
            gy = x_b.new_zeros(x_b.shape[0], n_a + n_b)
        gy_a, gy_b = (gy[:, :n_a], gy[:, n_a:]) if prefix else (gy[:, n_b:], gy[:, :n_b])
        gx_b = gy_b * e
        g_s = gx_b * x_b if gld is None else torch.addcmul(gld.unsqueeze(1), gx_b, x_b)
        if dth is not None:
            g_s.mul_(dth)
        g = torch.cat((g_s, gy_b), 1)
        need_x = ctx.needs_input_grad[0]
        grads: list[Tensor | None] = [None] * (2 * n_layers)
        for l in range(n_layers - 1, -1, -1):
            if l < n_layers - 1:
                g = torch.ops.aten.threshold_backward(g, hs[l + 1], 0.0)
            grads[2 * l] = g.t() @ hs[l]
            grads[2 * l + 1] = g.sum(0)
            if l > 0 or need_x:
                g = g @ weights[l]
        gx = None
        if need_x:
            gx_a = gy_a + g
            gx = torch.cat((gx_a, gx_b), 1) if prefix else torch.cat((gx_b, gx_a), 1)
        return (gx, None, None, None, *grads)
