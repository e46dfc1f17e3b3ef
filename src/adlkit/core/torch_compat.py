"""The private torch calls adlkit relies on, in one place (torch is pinned to 2.13.0).

Each function uses a private torch API when it is there, with a public fallback that gives the
same result more slowly, so that a torch upgrade that moves an API slows adlkit down instead of
breaking it. ``tests/core/test_torch_compat.py`` fails loudly when a private API is missing or
behaves differently, so the change is noticed and the fallback does not stay silent.

- :func:`functorch_transforms_active`: ``torch._C._are_functorch_transforms_active()``, true inside
  ``torch.func`` transforms (``jacrev``, ``vmap``), which the flows' fused autograd node does not
  support.
- :func:`relu_backward_`: ``torch.ops.aten.threshold_backward.grad_input`` in place: the gradient
  through a ReLU given its output, ``grad * (out > 0)``, written into ``grad``.
"""

from __future__ import annotations

import torch
from torch import Tensor

_ARE_TRANSFORMS_ACTIVE = getattr(torch._C, "_are_functorch_transforms_active", None)
_THRESHOLD_BACKWARD = getattr(getattr(torch.ops.aten, "threshold_backward", None), "grad_input", None)


def functorch_transforms_active() -> bool:
    """True inside a ``torch.func`` transform (vmap, grad, jacrev, ...)."""
    if _ARE_TRANSFORMS_ACTIVE is not None:
        return bool(_ARE_TRANSFORMS_ACTIVE())
    from torch._functorch.pyfunctorch import retrieve_current_functorch_interpreter

    return retrieve_current_functorch_interpreter() is not None


def relu_backward_(grad: Tensor, output: Tensor) -> Tensor:
    """``grad * (output > 0)`` written into ``grad`` (the ReLU's backward); returns ``grad``."""
    if _THRESHOLD_BACKWARD is not None:
        return _THRESHOLD_BACKWARD(grad, output, 0.0, grad_input=grad)
    return grad.mul_(output > 0)


def private_apis() -> dict[str, bool]:
    """Which private APIs this torch provides (all True under the pinned torch)."""
    return {"torch._C._are_functorch_transforms_active": _ARE_TRANSFORMS_ACTIVE is not None,
            "torch.ops.aten.threshold_backward.grad_input": _THRESHOLD_BACKWARD is not None}
