"""The private torch APIs behind adlkit.core.torch_compat: present under the pinned torch and
behaving as adlkit assumes. A failure here means torch changed them: adlkit falls back to the
public (slower) path, and the fused flow node may need a look."""

import pytest
import torch

from adlkit.core import torch_compat as tc


def test_private_apis_are_present():
    missing = [name for name, ok in tc.private_apis().items() if not ok]
    assert not missing, f"torch {torch.__version__} no longer provides {missing}"


def test_transforms_active_inside_vmap_and_jacrev_only():
    assert tc.functorch_transforms_active() is False
    seen = []

    def f(x):
        seen.append(tc.functorch_transforms_active())
        return x.sin()

    torch.func.vmap(f)(torch.ones(3, 2))
    torch.func.jacrev(f)(torch.ones(2))
    assert seen and all(seen)


@pytest.mark.parametrize("use_private", [True, False])
def test_relu_backward_is_grad_times_positive_output_in_place(use_private, monkeypatch):
    if not use_private:
        monkeypatch.setattr(tc, "_THRESHOLD_BACKWARD", None)
    g = torch.randn(50, 7, dtype=torch.float64)
    out = torch.relu(torch.randn(50, 7, dtype=torch.float64))
    out[0, 0] = 0.0
    expected = g * (out > 0)
    res = tc.relu_backward_(g, out)
    assert res.data_ptr() == g.data_ptr()
    assert torch.equal(res, expected)
