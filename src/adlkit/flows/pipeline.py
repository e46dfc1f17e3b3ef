"""Train, evaluate and report a RealNVP: what ``adlkit train flow`` and ``adlkit sample flow``
run, callable from ``bench/`` scripts and notebooks.

    >>> from adlkit.flows.pipeline import train_flow
    >>> run = train_flow("moons", "runs/flow-moons", max_steps=300)     # doctest: +SKIP
    >>> run.metrics["test_nll_nats"], [p.name for p in run.files]       # doctest: +SKIP

Data (:func:`flow_data`): a 2-D toy of :mod:`adlkit.data.registry` (its fixed train /
validation / test samples: early stopping on the validation sample, the test NLL on the test
sample), ``"digits"`` (the registry's fixed split, dequantised: fresh noise every training
batch, fixed noise for validation and test; the density is on the unit cube, also reported in
bits/dim), or an (n, d) array (a seeded 90/10 train/validation split, no test set). NLLs are in
nats per example, in the data's units (toys and arrays are standardised inside the flow).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from adlkit.flows.estimator import RealNVP
from adlkit.train.report import RunReport


@dataclass
class FlowData:
    """The rows a flow trains on (``train``), early-stops on (``val``) and is tested on
    (``test``, None for a user's array); ``transform`` is applied to every training batch."""

    kind: str  # "toy", "digits" or "array"
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray | None
    transform: Callable | None = None


def flow_data(data: str | np.ndarray, seed: int = 0, n_train: int = 10_000) -> FlowData:
    """The splits for a data set name of the registry (a toy with ``n_train`` training points and
    half as many validation and test points, or ``"digits"``) or for an (n, d) array."""
    from adlkit.data import registry

    if not isinstance(data, str):
        X = np.asarray(data, dtype=np.float64)
        perm = np.random.default_rng(seed).permutation(len(X))
        n_val = max(len(X) // 10, 1)
        return FlowData("array", X[perm[n_val:]], X[perm[:n_val]], None)
    if registry.get(data).kind == "images":
        from adlkit.data import digits as dg

        s = registry.load(data)
        return FlowData("digits", s.train.astype(np.float64), dg.dequantize(s.val, random_state=1),
                        dg.dequantize(s.test, random_state=2), dg.dequantize)
    s = registry.load(data, seed, n_train=n_train, n_val=n_train // 2, n_test=n_train // 2)
    return FlowData("toy", s.train, s.val, s.test)


class FlowRun(RunReport):
    """What :func:`train_flow` returns: ``model`` is the fitted :class:`RealNVP`."""

    @property
    def summary(self) -> str:
        """One line: steps, why training stopped, the best epoch and the NLLs."""
        m = self.metrics
        s = f"held-out NLL {m['held_out_nll_nats']:.4f} nats"
        if "test_bits_per_dim" in m:
            s += f"; test NLL {m['test_nll_nats']:.2f} nats/image = {m['test_bits_per_dim']:.4f} bits/dim"
        elif "test_nll_nats" in m:
            s += f"; test NLL {m['test_nll_nats']:.4f} nats (data units)"
        return f"done: {m['steps']} steps, {m['stopped']}, best epoch {m['best_epoch']}; {s}"


def train_flow(
    data: str | np.ndarray,
    out: str | Path,
    *,
    label: str | None = None,
    epochs: int | None = None,
    batch_size: int = 256,
    couplings: int = 8,
    hidden: Sequence[int] | None = None,
    lr: float = 1e-3,
    scale_clamp: float | None = 5.0,
    actnorm: bool | None = None,
    patience: int | None = None,
    max_steps: int | None = None,
    n_train: int = 10_000,
    seed: int = 0,
    resume: bool = False,
    float64: bool = False,
    progress: bool = True,
    log: Callable[[str], Any] = print,
) -> FlowRun | None:
    """Train a RealNVP on ``data`` (see :func:`flow_data`), evaluate it, and write ``best.pt``,
    ``last.pt``, ``curve.png``, ``samples.png``, ``density.png`` (2-D data) and
    ``metrics.json`` into the folder ``out`` (created if missing).

    Defaults that depend on the data: ``hidden`` (64, 64), digits (256, 256); ``epochs`` 300,
    digits 1000; ``patience`` 20, digits 40; ``actnorm`` off, digits on. Digits use the
    checkerboard mask and the logit pre-processing (alpha 0.05); toys and arrays are
    standardised inside the flow. ``label`` names the data in the metrics (default: ``data``).
    Under torchrun every process trains; rank 0 evaluates, writes and gets the result, the
    others get None. Raises :class:`adlkit.train.NonFiniteLossError` if training diverges.
    """
    from adlkit.core.paths import prepare_output_dir

    out = prepare_output_dir(out)
    d = flow_data(data, seed, n_train)
    digits = d.kind == "digits"
    widths = list(hidden) if hidden is not None else ([256, 256] if digits else [64, 64])
    common = dict(n_couplings=couplings, hidden=widths, scale_clamp=scale_clamp or None, lr=lr,
                  batch_size=batch_size, max_steps=max_steps, random_state=seed, checkpoint_dir=str(out),
                  progress=progress, dtype="float64" if float64 else "float32")
    if digits:
        from adlkit.data import digits as dg

        est = RealNVP(mask="checkerboard", image_shape=dg.SHAPE, logit_alpha=0.05,
                      actnorm=True if actnorm is None else actnorm, epochs=epochs or 1000,
                      patience=patience or 40, **common)
    else:
        est = RealNVP(standardize=True, actnorm=bool(actnorm), epochs=epochs or 300, patience=patience or 20, **common)
    label = label if label is not None else (data if isinstance(data, str) else "array")
    if os.environ.get("RANK", "0") == "0":  # under torchrun only rank 0 talks
        log(f"training RealNVP on {label}: {d.train.shape[0]} train / {d.val.shape[0]} held-out rows, "
            f"{d.train.shape[1]} dims, {couplings} couplings, MLP {widths}; output in {out}/")
    est.fit(d.train, d.val, transform=d.transform, resume=resume)
    import torch.distributed as dist

    if dist.is_initialized():  # under torchrun: rank 0 reports and plots
        rank = dist.get_rank()
        dist.destroy_process_group()
        if rank != 0:
            return None
    return _report(est, d, label, out, seed)


def _report(est: RealNVP, d: FlowData, label: str, out: Path, seed: int) -> FlowRun:
    """Score the fitted flow on the held-out and test rows, draw the figures, write metrics.json."""
    from adlkit import plotting

    res = est.result_
    metrics: dict[str, Any] = {"data": label, **res.summary(),
                               "steps_per_s": res.steps / max(res.train_seconds, 1e-9),
                               "held_out_nll_nats": -est.score(d.val)}
    if d.kind == "toy":  # the test split, never seen in training or model selection
        metrics["test_nll_nats"] = -est.score(d.test)
    run = FlowRun(est, metrics, out, RunReport.checkpoints_in(out))
    run.files.append(plotting.training_curve(res.history, out / "curve.png", best_epoch=res.best_epoch))
    if d.kind == "digits":
        from adlkit.data import digits as dg

        ll = est.score_samples(d.test)
        metrics["test_nll_nats"] = float(-ll.mean())
        metrics["test_bits_per_dim"] = float(dg.bits_per_dim(ll).mean())
        samples = est.sample(100, random_state=seed)
        run.files.append(plotting.image_grid(np.clip(samples, 0, 1), out / "samples.png", dg.SHAPE,
                                             title=f"RealNVP samples ({metrics['test_bits_per_dim']:.3f} bits/dim)"))
    else:
        samples = est.sample(5000, random_state=seed)
        density = None
        if d.train.shape[1] == 2:
            density = plotting.density_2d(est.score_samples, out / "density.png", data=d.train,
                                          title=f"RealNVP density (held-out NLL {metrics['held_out_nll_nats']:.3f})")
        run.files.append(plotting.scatter_2d(samples[:, :2], out / "samples.png", data=d.train[:, :2]))
        if density is not None:
            run.files.append(density)
    run.write_metrics()
    return run


def write_samples(est: RealNVP, n: int, out: str | Path, seed: int = 0) -> list[Path]:
    """Draw ``n`` samples from a fitted flow; write ``flow_samples.npy`` and ``flow_samples.png``
    (an image grid for image data, else a scatter of the first two coordinates) into ``out``."""
    from adlkit import plotting
    from adlkit.core.paths import prepare_output_dir

    return plotting.write_samples(est.sample(n, random_state=seed), prepare_output_dir(out), "flow_samples",
                                  image_shape=est.module_.config.image_shape)
