"""The one training loop of adlkit, shared by every model (flows, GANs, VAEs, EBMs).

A model owns its optimisation step; the loop owns everything else (seeding, batching,
progress bar, held-out evaluation, early stopping, NaN/inf stop, atomic checkpoints, resume,
and data-parallel training under ``torchrun``). A model is an ``nn.Module`` with:

- ``configure_optimizers() -> dict[str, torch.optim.Optimizer]``
- ``train_step(batch, ctx) -> dict[str, float]``: one optimisation step on ``batch``; call
  ``ctx.backward(loss)`` instead of ``loss.backward()`` (it averages gradients across processes)
  and step the optimizers in ``ctx.optimizers`` yourself (a GAN runs ``n_critic`` critic steps
  here). The dict must hold ``"loss"``; every value is checked for NaN/inf.
- ``eval_loss(batch) -> float``: mean held-out loss per example (lower is better); drives
  early stopping.
- ``get_config() -> dict``: the model's own constructor arguments (JSON-safe), stored in the
  checkpoint so that :func:`load_model` needs nothing else.
- optional ``progress_label``: a short string shown in the progress bar (e.g. the loss's
  reduction convention).
- optional ``data_init(batch)``: data-dependent initialisation (e.g. ActNorm) on the first
  training batch, before any step.

Example::

    result = fit(model, X_train, X_val, TrainConfig(epochs=50, checkpoint_dir="runs/x"))
    model = load_model("runs/x/best.pt")
"""

from adlkit.train.checkpoint import load_checkpoint, load_model, save_checkpoint
from adlkit.train.loop import NonFiniteLossError, StepContext, TrainConfig, TrainResult, fit

__all__ = [
    "fit",
    "TrainConfig",
    "TrainResult",
    "StepContext",
    "NonFiniteLossError",
    "save_checkpoint",
    "load_checkpoint",
    "load_model",
]
