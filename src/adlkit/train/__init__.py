"""The one training loop of adlkit, shared by every model (flows, GANs, VAEs, EBMs, CoVe).

A model owns its optimisation step; the loop owns everything else (seeding, batching,
progress bar, held-out evaluation, early stopping, NaN/inf stop, atomic checkpoints, resume,
and data-parallel training under ``torchrun``). A model is an ``nn.Module`` with:

- ``configure_optimizers() -> dict[str, torch.optim.Optimizer]``
- ``train_step(batch, ctx) -> dict[str, float]``: one optimisation step on ``batch``; call
  ``ctx.backward(loss)`` instead of ``loss.backward()`` (it averages gradients across processes)
  and step the optimizers in ``ctx.optimizers`` yourself (a GAN runs ``n_critic`` critic steps
  here; gradient clipping goes here too). The dict must hold ``"loss"``; every value is checked
  for NaN/inf, and each is averaged over the epoch's steps in the history.
- ``eval_loss(batch) -> float | tuple[float, int]``: the mean held-out loss per example, or a
  pair ``(sum, count)`` (e.g. the summed token NLL and the number of tokens of a batch of
  variable-length sequences: the held-out loss is then per token); lower is better; drives
  early stopping.
- ``get_config() -> dict``: the model's own constructor arguments (JSON-safe), stored in the
  checkpoint so that :func:`load_model` needs nothing else.
- optional ``progress_label``: a short string shown in the progress bar (e.g. the loss's
  reduction convention).
- optional ``data_init(batch)``: data-dependent initialisation (e.g. ActNorm) on the first
  training batch, before any step.

The data are tensors of rows, or batch sources (:mod:`adlkit.train.batches`): anything with
``__len__`` and ``epoch(generator, rank, world)`` yielding one epoch's batches, such as
:class:`LengthBuckets` of variable-length sequences.

Example::

    result = fit(model, X_train, X_val, TrainConfig(epochs=50, checkpoint_dir="runs/x"))
    model = load_model("runs/x/best.pt")

    # lists of token ids, padded per batch to (ids (B, T), lengths (B,))
    fit(lm, LengthBuckets(train_ids, 64, pad_sequences), LengthBuckets(val_ids, 256, pad_sequences),
        TrainConfig(epochs=8, patience=2, max_seconds=35 * 60))
"""

from adlkit.train.batches import BatchSource, LengthBuckets, TensorBatches, pad_sequences
from adlkit.train.checkpoint import load_checkpoint, load_model, save_checkpoint
from adlkit.train.loop import NonFiniteLossError, StepContext, TrainConfig, TrainResult, evaluate, fit, held_out_totals

__all__ = [
    "fit",
    "evaluate",
    "held_out_totals",
    "TrainConfig",
    "TrainResult",
    "StepContext",
    "NonFiniteLossError",
    "save_checkpoint",
    "load_checkpoint",
    "load_model",
    "BatchSource",
    "TensorBatches",
    "LengthBuckets",
    "pad_sequences",
]
