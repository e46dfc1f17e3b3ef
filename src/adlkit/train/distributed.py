"""Data-parallel helpers: gloo process group under ``torchrun``, gradient averaging."""

from __future__ import annotations

import os

import torch
import torch.distributed as dist
from torch import nn


def setup() -> tuple[int, int]:
    """Return ``(rank, world_size)``; joins the process group when launched by ``torchrun``."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and dist.is_available():
        dist.init_process_group(backend="gloo")
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def average_gradients(params: list[nn.Parameter], world: int) -> None:
    """All-reduce (mean) the gradients of ``params`` in one flat bucket."""
    grads = [p.grad for p in params if p.grad is not None]
    if world == 1 or not grads:
        return
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= world
    offset = 0
    for g in grads:
        n = g.numel()
        g.copy_(flat[offset : offset + n].view_as(g))
        offset += n


def broadcast_module(model: nn.Module) -> None:
    """Copy rank 0's parameters and buffers to every process."""
    for t in list(model.parameters()) + list(model.buffers()):
        dist.broadcast(t.data, src=0)


def any_process(flag: bool, world: int) -> bool:
    """True on every process if ``flag`` is true on any of them (so that all stop together)."""
    if world == 1:
        return flag
    t = torch.tensor([1.0 if flag else 0.0])
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item())
