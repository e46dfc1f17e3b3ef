"""The transformer's attention against torch's scaled_dot_product_attention, its parameter count
against the GPT-2 closed form, and the attention / transformer_params / cove_bilstm problem types
against independent computations."""

import math

import numpy as np
import pytest
import torch

from adlkit.lm.transformer import MultiHeadAttention, TransformerLM, attention
from adlkit.solve import solve_one as _solve_one


def solve_one(spec: dict):
    spec = dict(spec)
    return _solve_one(spec.pop("type"), **spec)


@pytest.mark.parametrize("causal", [False, True])
def test_attention_equals_torch_sdpa(causal):
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 3, 5, 4, generator=g, dtype=torch.float64) for _ in range(3))
    _, w, out = attention(q, k, v, causal=causal)
    ref = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)
    torch.testing.assert_close(out, ref)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 3, 5, dtype=torch.float64))


def test_multi_head_module_equals_torch_multihead_attention():
    torch.manual_seed(0)
    d, h = 8, 2
    ours = MultiHeadAttention(d, h).double()
    ref = torch.nn.MultiheadAttention(d, h, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.cat([ours.q.weight, ours.k.weight, ours.v.weight]))
        ref.in_proj_bias.copy_(torch.cat([ours.q.bias, ours.k.bias, ours.v.bias]))
        ref.out_proj.weight.copy_(ours.o.weight)
        ref.out_proj.bias.copy_(ours.o.bias)
    x = torch.randn(3, 6, d, dtype=torch.float64)
    mask = torch.ones(6, 6, dtype=torch.bool).triu(1)
    torch.testing.assert_close(ours(x, causal=True), ref(x, x, x, attn_mask=mask, need_weights=False)[0])


def _closed_form(V, T, d, f, L, tied=True, bias=True):
    b = 1 if bias else 0
    per = 4 * d + 4 * (d * d + b * d) + (d * f + b * f) + (f * d + b * d)
    return V * d + T * d, per, V * d + T * d + L * per + 2 * d + (0 if tied else V * d)


@pytest.mark.parametrize("cfg", [dict(V=50257, T=1024, d=768, f=3072, L=12), dict(V=100, T=16, d=8, f=20, L=3, tied=False),
                                 dict(V=10, T=0, d=4, f=8, L=2, bias=False)])
def test_transformer_params_equals_the_closed_form(cfg):
    emb, per, total = _closed_form(**cfg)
    sol = solve_one({"type": "transformer_params", "d_model": cfg["d"], "heads": 2 if cfg["d"] % 2 == 0 else 1,
                     "d_ff": cfg["f"], "layers": cfg["L"], "vocab": cfg["V"], "context": cfg["T"],
                     "tied": cfg.get("tied", True), "bias": cfg.get("bias", True)})
    assert sol.answers == {"embedding": emb, "per_layer": per, "total": total}
    if cfg["V"] == 50257:
        assert total == 124_439_808  # GPT-2 small, as published


def test_lm_forward_shapes_and_causality():
    lm = TransformerLM(20, context=8, d_model=16, heads=4, layers=2).eval()
    ids = torch.randint(0, 20, (2, 8))
    out = lm(ids)
    ids2 = ids.clone()
    ids2[:, 5:] = (ids2[:, 5:] + 1) % 20
    assert out.shape == (2, 8, 20)
    torch.testing.assert_close(lm(ids2)[:, :5], out[:, :5])  # the future does not leak


def test_attention_type_by_hand_and_with_heads():
    Q, K, V = [[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]], [[1.0, 2.0], [3.0, 4.0]]
    a = solve_one({"type": "attention", "Q": Q, "K": K, "V": V}).answers
    s = np.array(Q) @ np.array(K).T / math.sqrt(2)
    w = np.exp(s) / np.exp(s).sum(1, keepdims=True)
    np.testing.assert_allclose(a["scores"], s)
    np.testing.assert_allclose(a["weights"], w)
    np.testing.assert_allclose(a["output"], w @ np.array(V))
    X = np.array([[1.0, 0, 1], [0, 1, 1], [1, 1, 0]])
    Wq = np.arange(12.0).reshape(3, 4) / 10
    two = solve_one({"type": "attention", "X": X.tolist(), "W_q": Wq.tolist(), "W_k": Wq[::-1].tolist(),
                     "W_v": (Wq * 2).tolist(), "heads": 2, "mask": "causal"}).answers
    q, k, v = (torch.as_tensor(X @ W).reshape(3, 2, 2).transpose(0, 1) for W in (Wq, Wq[::-1], Wq * 2))
    ref = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(0, 1).reshape(3, 4)
    np.testing.assert_allclose(two["output"], ref.numpy())
    assert len(two["weights"]) == 2 and two["weights"][0][0] == [1.0, 0.0, 0.0]


def test_cove_bilstm_type_against_the_recurrence_by_hand():
    x = np.array([[1.0, 0.0], [0.5, -1.0], [0.0, 2.0]])
    Wf, Uf, bf = np.array([[0.5, -0.5], [0.1, 0.3]]), np.array([[0.2, 0.0], [0.1, -0.3]]), np.array([0.1, 0.0])
    Wb, bb = np.array([[0.2, 0.3], [-0.4, 0.1]]), np.array([0.0, 0.2])
    spec = {"type": "cove_bilstm", "x": x.tolist(), "W_f": Wf.tolist(), "U_f": Uf.tolist(), "b_f": bf.tolist(),
            "W_b": Wb.tolist(), "b_b": bb.tolist(), "combine": "concat"}
    a = solve_one(spec).answers
    h, fwd = np.zeros(2), []
    for t in range(3):
        h = np.tanh(Wf @ x[t] + Uf @ h + bf)
        fwd.append(h)
    bwd = [np.tanh(Wb @ x[t] + bb) for t in range(3)]  # U_b = 0: each state sees its token only
    np.testing.assert_allclose(a["h_forward"], fwd)
    np.testing.assert_allclose(a["h_backward"], bwd)
    np.testing.assert_allclose(a["cove"], np.hstack([fwd, bwd]))
    summed = solve_one({**spec, "combine": "sum"}).answers["cove"]
    np.testing.assert_allclose(summed, np.array(fwd) + np.array(bwd))


def test_cove_bilstm_lstm_cell_is_torchs_lstm_gate_order():
    x = np.array([[1.0], [-0.5]])
    W = np.array([[0.5], [0.1], [0.2], [0.3]])
    b = np.array([0.1, 0.2, -0.1, 0.0])
    a = solve_one({"type": "cove_bilstm", "x": x.tolist(), "W_f": W.tolist(), "b_f": b.tolist(), "W_b": W.tolist(),
                   "b_b": b.tolist(), "cell": "lstm"}).answers
    sig = lambda z: 1 / (1 + np.exp(-z))
    c, hs = 0.0, []
    for t in range(2):  # U = 0; gates i, f, g, o
        i, f, g, o = W[:, 0] * x[t, 0] + b
        c = sig(f) * c + sig(i) * np.tanh(g)
        hs.append([sig(o) * np.tanh(c)])
    np.testing.assert_allclose(a["h_forward"], hs)
