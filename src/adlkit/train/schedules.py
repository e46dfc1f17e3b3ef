"""Learning-rate schedules a model's ``train_step`` applies to its own optimizers.

The schedule reads the update count from an optimizer's state (``state[p]["step"]``, part of
its checkpointed ``state_dict``), so a resumed run continues where it stopped.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn


def linear_decay(lr: float, step: int, total: int) -> float:
    """``lr * max(0, 1 - step / total)``: the rate of 0-based update ``step`` of a linear decay
    to 0 at ``step == total`` (diffusers' / transformers' "linear" schedule without warm-up)."""
    if total < 1:
        raise ValueError(f"the decay's total steps must be >= 1, got {total}")
    return lr * max(0.0, 1.0 - step / total)


def updates_done(optimizer: torch.optim.Optimizer, parameter: nn.Parameter) -> int:
    """How many updates ``optimizer`` has applied to ``parameter`` (0 before the first)."""
    state = optimizer.state.get(parameter, {})
    return int(state["step"]) if "step" in state else 0


def set_lr(optimizers: Iterable[torch.optim.Optimizer], lr: float) -> None:
    """Set the learning rate of every parameter group of ``optimizers`` to ``lr``."""
    for opt in optimizers:
        for group in opt.param_groups:
            group["lr"] = lr
