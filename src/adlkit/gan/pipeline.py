"""Train a GAN on a registered target, evaluate it and report: what ``adlkit train gan`` runs,
callable from benches and notebooks.

:func:`train_and_evaluate` trains through :func:`adlkit.gan.trainer.train_gan` (checkpoints,
``samples.png`` and ``snapshots.npz`` in ``out_dir``), scores the final generator with
:func:`adlkit.gan.trainer.evaluate` (exact W1 against held-out data, mode coverage, or
nearest-neighbour distances for digits) and writes everything to ``out_dir/metrics.json``.
"""

from __future__ import annotations

from typing import Any

from adlkit.gan.trainer import Data, GANRun, evaluate, train_gan
from adlkit.train.report import RunReport


class GANReport(RunReport):
    """What :func:`train_and_evaluate` did: ``model`` is the :class:`~adlkit.gan.trainer.GANRun`
    (the trained module, its data and snapshots); ``metrics_path`` is None without ``out_dir``."""

    @property
    def run(self) -> GANRun:
        return self.model


def train_and_evaluate(loss: str = "wgan-gp", data: str | Data = "8gaussians", eval_n: int = 2000,
                       **train_options: Any) -> GANReport:
    """Train with :func:`~adlkit.gan.trainer.train_gan` (``train_options``: its ``iters``,
    ``batch_size``, ``seed``, ``out_dir``, ``resume``, ``progress``, ``log``, ... and the model's
    arguments over the data's), then evaluate on ``eval_n`` held-out points (0: no evaluation)
    with the training seed, and write metrics.json to ``out_dir`` when there is one."""
    run = train_gan(loss, data, **train_options)
    metrics: dict[str, Any] = {"loss": loss, "data": run.data.name, "steps": run.steps,
                               "train_seconds": run.train_seconds,
                               "generator_iters_per_s": run.steps / max(run.train_seconds, 1e-9),
                               "config": run.model.get_config()}
    if eval_n > 0:
        metrics["eval"] = evaluate(run.model, run.data.name, n=eval_n, seed=run.seed)
    report = GANReport(run, metrics, run.out_dir)
    report.write_metrics()
    return report
