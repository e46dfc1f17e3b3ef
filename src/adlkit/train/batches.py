"""Batch sources: what one epoch of :func:`adlkit.train.fit` iterates over.

A batch source is any object with

- ``__len__()``: the number of batches in one training epoch (the progress bar's length);
- ``epoch(generator, rank=0, world=1) -> Iterable[batch]``: one epoch's batches for process
  ``rank`` of ``world``. A training epoch draws its order from ``generator`` (a
  ``torch.Generator``) and from nothing else, so that a resumed run, whose generator state is
  restored, sees the batch order of an uninterrupted one. ``generator=None`` asks for the fixed
  order of a held-out evaluation (every example once, no shuffling). Under ``torchrun`` every
  process builds the same global batch and takes its own share of it (``rank::world``).

A batch is whatever the model's ``train_step`` and ``eval_loss`` take: a tensor of rows
(:class:`TensorBatches`, what :func:`~adlkit.train.fit` wraps a tensor in), or a padded tuple
of variable-length sequences (:class:`LengthBuckets` with :func:`pad_sequences`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

import torch
from torch import Tensor


class BatchSource(Protocol):
    """The protocol :func:`adlkit.train.fit` iterates (see the module docstring)."""

    def __len__(self) -> int: ...

    def epoch(self, generator: torch.Generator | None, rank: int = 0, world: int = 1) -> Iterator[Any]: ...


class TensorBatches:
    """Rows of a tensor ``data`` (N, ...) in batches of ``batch_size`` rows.

    A training epoch is a fresh ``torch.randperm(N, generator=generator)`` cut into
    ``N // batch_size`` whole batches (the remainder is left out of that epoch); under
    ``torchrun`` process ``rank`` takes rows ``rank::world`` of every batch. An evaluation pass
    (``generator=None``) is the rows in order, the last batch possibly shorter.
    """

    def __init__(self, data: Tensor, batch_size: int):
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.data, self.batch_size = data, batch_size

    def __len__(self) -> int:
        return self.data.shape[0] // self.batch_size

    def epoch(self, generator: torch.Generator | None, rank: int = 0, world: int = 1) -> Iterator[Tensor]:
        n, B = self.data.shape[0], self.batch_size
        if generator is None:
            for i in range(0, n, B):
                yield self.data[i : i + B]
            return
        perm = torch.randperm(n, generator=generator)
        for b in range(n // B):
            idx = perm[b * B : (b + 1) * B]
            if world > 1:
                idx = idx[rank::world]
            yield self.data[idx]


class LengthBuckets:
    """Variable-length ``examples`` in batches of about ``batch_size`` examples of similar length.

    A training epoch: a random permutation (from ``generator``), sorted by ``length`` within
    chunks of ``bucket`` batches, cut into batches, and the batch order shuffled; little padding,
    random batches. An evaluation pass (``generator=None``): the same without the two shuffles.
    ``collate(list of examples) -> batch`` builds each batch (e.g. :func:`pad_sequences`). Under
    ``torchrun`` process ``rank`` takes examples ``rank::world`` of every batch; a last batch with
    fewer than ``world`` examples is left out on every process, so that all take the same number
    of steps.
    """

    def __init__(self, examples: Sequence[Any], batch_size: int, collate: Callable[[list[Any]], Any],
                 length: Callable[[Any], int] = len, bucket: int = 50):
        if batch_size < 1 or bucket < 1:
            raise ValueError(f"batch_size and bucket must be >= 1, got {batch_size} and {bucket}")
        self.examples, self.batch_size, self.collate, self.bucket = examples, batch_size, collate, bucket
        self.lengths = [length(e) for e in examples]

    def __len__(self) -> int:
        return math.ceil(len(self.examples) / self.batch_size)

    def index_batches(self, generator: torch.Generator | None) -> list[list[int]]:
        """The epoch's batches as lists of example indices (the same on every process)."""
        n = len(self.examples)
        order = torch.randperm(n, generator=generator).tolist() if generator is not None else list(range(n))
        chunk = self.batch_size * self.bucket
        batches: list[list[int]] = []
        for k in range(0, n, chunk):
            part = sorted(order[k : k + chunk], key=self.lengths.__getitem__)
            batches += [part[j : j + self.batch_size] for j in range(0, len(part), self.batch_size)]
        if generator is not None:
            batches = [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]
        return batches

    def epoch(self, generator: torch.Generator | None, rank: int = 0, world: int = 1) -> Iterator[Any]:
        for b in self.index_batches(generator):
            if world > 1:
                if len(b) < world:
                    continue
                b = b[rank::world]
            yield self.collate([self.examples[i] for i in b])


def pad_sequences(seqs: Sequence[Sequence[int]], value: int = 0) -> tuple[Tensor, Tensor]:
    """Token-id lists (each non-empty) -> ``(ids (B, T) long, padded with value; lengths (B,))``."""
    T = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), T), value, dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s, dtype=torch.long)
    return ids, torch.tensor([len(s) for s in seqs])


def n_examples(batch: Any) -> int:
    """The number of examples in a batch: rows of a tensor, of the first tensor of a tuple, or ``len``."""
    if isinstance(batch, Tensor):
        return int(batch.shape[0])
    if isinstance(batch, (tuple, list)) and batch and isinstance(batch[0], Tensor):
        return int(batch[0].shape[0])
    return len(batch)
