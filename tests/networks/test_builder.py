"""adlkit.networks.build / trace: parameter counts against hand closed forms (and Keras' published
numbers), output shapes against a forward pass of a zero batch, the Keras 'same' padding against
a direct NumPy convolution, and faults that name the field and the layer."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from adlkit.networks import LayerSpecError, build, count_parameters, trace
from adlkit.networks.builder import zero_input


def _check(net):
    """Every traced layer's count is its module's numel sum, and the traced output shapes are
    what the built modules output for a zero batch."""
    plan = net.plan
    for info, module in zip(plan.all_layers, net.layer_modules()):
        assert info.parameters == count_parameters(module), info.name
    out = net.eval()(zero_input(plan))
    ran = [list(o.shape[1:]) for o in out] if isinstance(out, list) else list(out.shape[1:])
    assert ran == plan.output_shape
    return plan


# (input shape, layers, heads, hand-computed total, hand-computed output shape)
CASES = [
    ([1, 28, 28], [{"type": "conv2d", "filters": 16, "kernel": 3, "padding": "same"}], None,
     (3 * 3 * 1 + 1) * 16, [16, 28, 28]),
    ([3, 32, 32], [{"type": "conv2d", "filters": 8, "kernel": 5}], None, (5 * 5 * 3 + 1) * 8, [8, 28, 28]),
    ([3, 7, 7], [{"type": "conv2d", "filters": 4, "kernel": [2, 3], "stride": 2, "padding": "same", "bias": False}],
     None, 2 * 3 * 3 * 4, [4, 4, 4]),
    ([2, 9, 9], [{"type": "conv2d", "filters": 3, "kernel": 3, "stride": 2, "padding": 1}], None,
     (9 * 2 + 1) * 3, [3, 5, 5]),  # floor((9 + 2 - 3)/2) + 1 = 5
    ([4, 5, 5], [{"type": "conv_transpose2d", "filters": 2, "kernel": 3, "stride": 2, "padding": "same"}], None,
     (9 * 4 + 1) * 2, [2, 10, 10]),  # n s for odd k
    ([4, 5, 5], [{"type": "conv_transpose2d", "filters": 2, "kernel": 4, "stride": 2, "padding": 1}], None,
     (16 * 4 + 1) * 2, [2, 10, 10]),  # (5 - 1) 2 - 2 + 4
    ([4, 5, 5], [{"type": "conv_transpose2d", "filters": 1, "kernel": 3, "stride": 1}], None, 37, [1, 7, 7]),
    ([6, 9, 9], [{"type": "maxpool2d", "pool": 2}, {"type": "avgpool2d", "pool": 2, "padding": "same"}], None,
     0, [6, 2, 2]),  # floor((9 - 2)/2) + 1 = 4, then ceil(4/2) = 2
    ([5, 7, 7], [{"type": "maxpool2d", "pool": 3, "stride": 2, "padding": "same"}], None, 0, [5, 4, 4]),
    ([3, 4, 4], [{"type": "batchnorm"}, {"type": "flatten"}, {"type": "reshape", "shape": [-1, 8]}], None,
     2 * 3, [6, 8]),
    ([784], [{"type": "dense", "units": 128, "activation": "relu"}, {"type": "dense", "units": 10, "bias": False}],
     None, 785 * 128 + 1280, [10]),
    ([128], [{"type": "dense", "units": 64}], [{"type": "dense", "units": 8}, {"type": "dense", "units": 8}],
     129 * 64 + 2 * 65 * 8, [[8], [8]]),
    ([20], [{"type": "embedding", "vocab": 1000, "dim": 16}, {"type": "lstm", "units": 32}], None,
     1000 * 16 + 4 * (32 * (16 + 32) + 32), [32]),
    ([20], [{"type": "embedding", "vocab": 50, "dim": 8},
            {"type": "gru", "units": 6, "bidirectional": True, "return_sequences": True},
            {"type": "batchnorm"}, {"type": "rnn", "units": 4, "bias": False}], None,
     400 + 2 * 3 * (6 * (8 + 6) + 6) + 2 * 12 + 4 * (12 + 4), [4]),
    ([7, 5], [{"type": "rnn", "units": 3, "return_sequences": True, "activation": "relu"},
              {"type": "dense", "units": 2}], None, (3 * (5 + 3) + 3) + 4 * 2, [7, 2]),
]


@pytest.mark.parametrize("shape, layers, heads, total, out", CASES)
def test_counts_match_the_closed_forms_and_shapes_a_forward_pass(shape, layers, heads, total, out):
    plan = _check(build(shape, layers, heads))
    assert plan.total_parameters == total
    assert count_parameters(build(shape, layers, heads)) == total
    assert plan.output_shape == out


def test_keras_published_counts():
    # Keras: LSTM(16) on 8 features has 1600 parameters; SimpleRNN(32) on 10 features 1376;
    # GRU(32, reset_after=False) on 10 features 4128 (reset_after=True adds 3 * 32 = 96: 4224)
    assert build([5, 8], [{"type": "lstm", "units": 16}]).plan.total_parameters == 1600
    assert count_parameters(build([5, 10], [{"type": "rnn", "units": 32}])) == 1376
    assert count_parameters(build([5, 10], [{"type": "gru", "units": 32}])) == 4128


def test_vgg16_counts_138357544_on_the_meta_device():
    """Keras' VGG16 (ImageNet, with its top) has 138,357,544 parameters."""
    layers = []
    for n, reps in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        layers += [{"type": "conv2d", "filters": n, "kernel": 3, "padding": "same", "activation": "relu"}] * reps
        layers.append({"type": "maxpool2d", "pool": 2})
    layers += [{"type": "flatten"}, {"type": "dense", "units": 4096, "activation": "relu"},
               {"type": "dense", "units": 4096, "activation": "relu"}, {"type": "dense", "units": 1000,
                                                                        "activation": "softmax"}]
    with torch.device("meta"):
        net = build([3, 224, 224], layers)
    assert count_parameters(net) == net.plan.total_parameters == 138_357_544
    assert net.plan.layers[-4].output_shape == [512 * 7 * 7]


def test_recurrent_layers_have_one_bias_per_gate_and_compute_torchs_cell():
    """The built LSTM is torch's LSTM with b_hh = 0: copying its weights into a plain nn.LSTM
    (b_ih the same, b_hh zero) gives the same outputs; no b_hh is a parameter."""
    torch.manual_seed(0)
    net = build([6, 3], [{"type": "lstm", "units": 4, "bidirectional": True}])
    rec = net.body[0]
    names = [n for n, _ in rec.named_parameters()]
    assert not any("bias_hh" in n for n in names) and sum("bias_ih" in n for n in names) == 2
    ref = nn.LSTM(3, 4, batch_first=True, bidirectional=True)
    with torch.no_grad():
        for n, p in ref.named_parameters():
            p.copy_(getattr(rec.cell, n.split(".")[-1]) if "bias_hh" not in n else torch.zeros_like(p))
    x = torch.randn(2, 6, 3)
    out, (h, _) = ref(x)
    got = net(x)
    assert torch.allclose(got, torch.cat([out[:, -1, :4], out[:, 0, 4:]], dim=-1), atol=1e-6)
    assert torch.allclose(got, torch.cat([h[0], h[1]], dim=-1), atol=1e-6)


def _tf_same_conv(x: np.ndarray, w: np.ndarray, s: int) -> np.ndarray:
    """TensorFlow's 'same' (extra padding at the end), written out: x (C, H, W), w (F, C, k, k)."""
    c, n, _ = x.shape
    k = w.shape[-1]
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    lo = total // 2
    xp = np.zeros((c, n + total, n + total))
    xp[:, lo:lo + n, lo:lo + n] = x
    y = np.zeros((w.shape[0], out, out))
    for f in range(w.shape[0]):
        for i in range(out):
            for j in range(out):
                y[f, i, j] = np.sum(xp[:, i * s:i * s + k, j * s:j * s + k] * w[f])
    return y


@pytest.mark.parametrize("n, k, s", [(6, 3, 2), (7, 3, 2), (8, 4, 3), (5, 2, 1)])
def test_same_padding_is_tensorflows(n, k, s):
    torch.manual_seed(1)
    net = build([2, n, n], [{"type": "conv2d", "filters": 3, "kernel": k, "stride": s, "padding": "same",
                             "bias": False}]).double()
    x = np.random.default_rng(0).normal(size=(2, n, n))
    conv = [m for m in net.modules() if isinstance(m, nn.Conv2d)][0]
    got = net(torch.as_tensor(x)[None])[0].detach().numpy()
    np.testing.assert_allclose(got, _tf_same_conv(x, conv.weight.detach().numpy(), s), atol=1e-12)


@pytest.mark.parametrize("shape, layers, field, words", [
    ([1, 4, 4], [{"type": "conv2d", "filters": 2, "kernel": 5}], "layers", "layer 1 (conv2d_1, conv2d): kernel 5 is larger"),
    ([1, 4, 4], [{"type": "flatten"}, {"type": "dense", "units": -2}], "layers", "layer 2 (dense_2, dense): 'units' must be >= 1"),
    ([8], [{"type": "dense", "units": 3}, {"type": "conv3d"}], "layers", "layer 2: unknown type 'conv3d'"),
    ([1, 8, 8], [{"type": "dense", "units": 3}], "layers", "add a flatten first"),
    ([1, -8, 8], [{"type": "flatten"}], "input_shape", "whole numbers >= 1"),
    ([1, 8, 8], [{"type": "conv2d", "filters": 2, "kernel": 3, "colour": 1}], "layers", "unknown field(s) colour"),
    ([4, 4], [{"type": "reshape", "shape": [3, 5]}], "layers", "holds 15 values"),
    ([2, 4, 4], [{"type": "conv_transpose2d", "filters": 1, "kernel": 3, "stride": 2, "output_padding": 2}],
     "layers", "must be smaller than the stride"),
])
def test_faults_name_the_field_and_the_layer(shape, layers, field, words):
    with pytest.raises(LayerSpecError) as err:
        trace(shape, layers)
    assert err.value.field == field and words in err.value.message


def test_heads_fault_names_heads():
    with pytest.raises(LayerSpecError) as err:
        trace([8], [{"type": "dense", "units": 4}], [{"type": "conv2d", "filters": 1, "kernel": 1}])
    assert err.value.field == "heads" and err.value.message.startswith("head 1 (head_1, conv2d)")
    assert math.prod(trace([2, 3], [{"type": "flatten"}]).output_shape) == 6
