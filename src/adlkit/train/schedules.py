"""Learning-rate schedules a model's ``train_step`` applies to its own optimizers.

The schedule reads the update count from an optimizer's state (``state[p]["step"]``, part of
its checkpointed ``state_dict``), so a resumed run continues where it stopped.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch


def linear_decay(lr: float, step: int, total: int) -> float:
    """``lr * max(0, 1 - step / total)``: the rate of 0-based update ``step`` of a linear decay
    to 0 at ``step == total`` (diffusers' / transformers' "linear" schedule without warm-up)."""
    if total < 1:
        raise ValueError(f"the decay's total steps must be >= 1, got {total}")
    return lr * max(0.0, 1.0 - step / total)


def updates_done(optimizer: torch.optim.Optimizer) -> int:
    """How many updates ``optimizer`` has applied: the step count of its first parameter (0
    before the first update)."""
    state = optimizer.state.get(optimizer.param_groups[0]["params"][0], {})
    return int(state["step"]) if "step" in state else 0


def set_lr(optimizers: Iterable[torch.optim.Optimizer], lr: float) -> None:
    """Set the learning rate of every parameter group of ``optimizers`` to ``lr``."""
    for opt in optimizers:
        for group in opt.param_groups:
            group["lr"] = lr


def decay_linearly(optimizers: Iterable[torch.optim.Optimizer], lr: float, total: int,
                   clock: torch.optim.Optimizer) -> None:
    """Before an update: set every optimizer's rate to :func:`linear_decay` ``(lr, k, total)``,
    k = :func:`updates_done` ``(clock)`` (the optimizer whose updates count the run's steps)."""
    set_lr(optimizers, linear_decay(lr, updates_done(clock), total))
