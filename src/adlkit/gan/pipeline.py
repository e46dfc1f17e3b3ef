"""Train a GAN on a registered target, evaluate it and report: what ``adlkit train gan`` runs,
callable from benches and notebooks.

:func:`train_and_evaluate` trains through :func:`adlkit.gan.trainer.train_gan` (checkpoints,
``samples.png`` and ``snapshots.npz`` in ``out_dir``), scores the final generator with
:func:`adlkit.gan.trainer.evaluate` (exact W1 against held-out data, mode coverage, or
nearest-neighbour distances for digits) and writes everything to ``out_dir/metrics.json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adlkit.gan.trainer import Data, GANRun, evaluate, load_data, train_gan


@dataclass
class GANReport:
    """What :func:`train_and_evaluate` did: the run, the metrics (the content of metrics.json)
    and the path of metrics.json (None without ``out_dir``)."""

    run: GANRun
    metrics: dict[str, Any]
    metrics_path: Path | None = None


def train_and_evaluate(
    loss: str = "wgan-gp",
    data: str | Data = "8gaussians",
    iters: int = 2000,
    batch_size: int | None = None,
    seed: int = 0,
    out_dir: str | Path | None = None,
    resume: bool = False,
    eval_n: int = 2000,
    progress: bool = True,
    log: Callable[[str], Any] | None = None,
    **model_overrides: Any,
) -> GANReport:
    """Train (``iters`` generator iterations, ``batch_size`` real samples per critic update:
    None takes the data's, 256, or 64 for digits), then evaluate on ``eval_n`` points (0: no
    evaluation). ``model_overrides`` go to :class:`~adlkit.gan.models.GANModule` over the
    data's settings. ``log`` receives one line before training and one after."""
    say = log or (lambda _line: None)
    d = data if isinstance(data, Data) else load_data(data, seed=seed)
    batch_size = d.batch_size if batch_size is None else batch_size
    where = f"; output in {out_dir}/" if out_dir is not None else ""
    say(f"training {loss} on {d.name}: {d.train.shape[0]} training rows, {iters} generator iterations, "
        f"batch {batch_size}{where}")
    run = train_gan(loss, d, iters=iters, batch_size=batch_size, seed=seed, out_dir=out_dir, resume=resume,
                    progress=progress, **model_overrides)
    metrics: dict[str, Any] = {"loss": loss, "data": d.name, "steps": run.steps, "train_seconds": run.train_seconds,
                               "generator_iters_per_s": run.steps / max(run.train_seconds, 1e-9),
                               "config": run.model.get_config()}
    say(f"done: {run.steps} generator iterations in {run.train_seconds:.0f} s "
        f"({metrics['generator_iters_per_s']:.2f} it/s)")
    if eval_n > 0:
        metrics["eval"] = evaluate(run.model, d.name, n=eval_n, seed=seed)
    path = None
    if out_dir is not None:
        path = Path(out_dir) / "metrics.json"
        path.write_text(json.dumps(metrics, indent=1))
    return GANReport(run, metrics, path)
