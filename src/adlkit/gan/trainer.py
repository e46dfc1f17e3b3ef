"""Train a :class:`~adlkit.gan.models.GANModule` on real targets through the shared loop
(:func:`adlkit.train.fit`), with sample snapshots and plots over training.

Targets (:data:`adlkit.gan.TARGETS`): the 8- and 25-Gaussian mixtures and the swiss roll of
:mod:`adlkit.data.toys` (8/25 Gaussians in their own coordinates, the swiss roll standardised
inside the model), and scikit-learn's 8x8 digits, dequantized to [0, 1) with fresh noise every
batch and mapped to [-1, 1) inside the model (tanh generator output).

Files written to ``out_dir``: ``last.pt`` (resume) and ``best.pt`` (the final model: GANs have
no held-out loss to select on) from the loop, ``snapshots.npz`` (samples from one fixed noise
batch at regular steps) and ``samples.png`` (their plot).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from adlkit.data import registry, toys
from adlkit.gan import LR_DECAYS, TARGETS
from adlkit.gan.defaults import for_data
from adlkit.gan.models import GANModule


@dataclass
class Data:
    """Training rows and held-out rows (float32 tensors in the data space), the model settings
    and the batch size (real samples per critic update) that suit them. ``name`` is the
    registered data set's (None for arrays of the caller's)."""

    name: str | None
    train: torch.Tensor
    test: torch.Tensor
    model_kwargs: dict[str, Any]
    transform: Any = None  # applied to every training batch (digits: dequantization)
    batch_size: int = 256


def load_data(name: str, n_train: int = 100_000, n_test: int = 5_000, seed: int = 0) -> Data:
    """Load target ``name`` (one of :data:`adlkit.gan.TARGETS`), with the model settings and
    batch size of its defaults (:mod:`adlkit.gan.defaults`) besides the data's own facts."""
    if name not in TARGETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(TARGETS)}")
    dflt = for_data(name)
    if name == "digits":
        from adlkit.data import digits as dg

        split = registry.load(name)  # the fixed 70/15/15 split every adlkit model uses
        test = torch.as_tensor(dg.dequantize(split.test, random_state=seed + 1), dtype=torch.float32).reshape(-1, 8, 8)
        train = torch.as_tensor(split.train, dtype=torch.float32).reshape(-1, 8, 8)
        kw = {"data_shape": [8, 8], "shift": 0.5, "scale": 0.5, "out_activation": "tanh", **dflt.model}
        return Data(name, train, test, kw, transform=dg.dequantize, batch_size=dflt.batch_size)
    split = registry.load(name, seed, n_train=n_train, n_test=n_test)
    tr, te = split.train, split.test
    kw: dict[str, Any] = {"data_shape": [2], **dflt.model}
    if name == "swissroll":
        mu, sd = toys.moments(name)
        kw.update(shift=[float(v) for v in mu], scale=[float(v) for v in sd])
    return Data(name, torch.as_tensor(tr, dtype=torch.float32), torch.as_tensor(te, dtype=torch.float32), kw,
                batch_size=dflt.batch_size)


@dataclass
class GANRun:
    """What :func:`train_gan` did: the trained model, its data, the generator iterations run,
    the training time, the snapshots (samples of one fixed noise batch), the output folder and
    the seed."""

    model: GANModule
    data: Data
    steps: int
    train_seconds: float
    snapshot_steps: list[int] = field(default_factory=list)
    snapshots: list[np.ndarray] = field(default_factory=list)
    out_dir: Path | None = None
    seed: int = 0


def train_gan(
    loss: str = "wgan-gp",
    data: str | Data = "8gaussians",
    iters: int | None = None,
    batch_size: int | None = None,
    seed: int = 0,
    out_dir: str | Path | None = None,
    resume: bool = False,
    snapshot_every: int = 0,
    n_snapshot: int = 1000,
    progress: bool = True,
    log_every: int = 0,
    log: Callable[[str], Any] | None = None,
    **model_overrides: Any,
) -> GANRun:
    """Train for ``iters`` generator iterations (each with ``n_critic`` critic updates on
    ``batch_size`` real samples apiece). None for either, and every model argument not in
    ``model_overrides``, takes the data set's default (:mod:`adlkit.gan.defaults`: its
    ``by_loss`` settings for ``loss`` over those of ``data.model_kwargs``); ``iters`` is
    required for data without a registered name.
    ``snapshot_every`` (0: iters // 8) sets how often ``n_snapshot`` samples are drawn from one
    fixed noise batch for the plots. With ``progress``, a line with both losses and the critic's
    Wasserstein estimate (averaged since the last line) is printed every ``log_every`` steps
    (0: iters // 20) above the loop's progress bar. ``log`` receives one line before training
    and one after."""
    from adlkit.train import TrainConfig, fit

    d = data if isinstance(data, Data) else load_data(data, seed=seed)
    dflt = for_data(d.name) if d.name is not None else None
    if iters is None:
        if dflt is None:
            raise ValueError("iters is required for data without a registered name")
        iters = dflt.iters
    if iters < 1:
        raise ValueError(f"iters must be >= 1, got {iters}")
    batch_size = d.batch_size if batch_size is None else batch_size
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    per_loss = dflt.by_loss.get(loss, {}) if dflt is not None else {}
    kwargs = {**d.model_kwargs, **per_loss, **model_overrides}
    # lr_decay "linear": both learning rates fall linearly to 0 over this run's iterations
    decay = kwargs.pop("lr_decay", "none")
    if decay not in LR_DECAYS:
        raise ValueError(f"lr_decay must be one of {', '.join(LR_DECAYS)}, got {decay!r}")
    if decay == "linear" and "lr_decay_iters" not in model_overrides:
        kwargs["lr_decay_iters"] = iters
    torch.manual_seed(seed)
    model = GANModule(loss=loss, target=d.name, **kwargs)
    B = model.config.n_critic * batch_size
    if B > d.train.shape[0]:
        raise ValueError(f"n_critic * batch_size = {B} exceeds the {d.train.shape[0]} training rows")
    steps_per_epoch = d.train.shape[0] // B
    out = Path(out_dir) if out_dir is not None else None
    say = log or (lambda _line: None)
    say(f"training {loss} on {d.name}: {d.train.shape[0]} training rows, {iters} generator iterations, "
        f"batch {batch_size}" + (f"; output in {out}/" if out is not None else ""))
    every = snapshot_every or max(1, iters // 8)
    fixed = torch.randn(n_snapshot, model.config.latent_dim, generator=torch.Generator().manual_seed(seed + 7))
    snap_steps: list[int] = []
    snaps: list[np.ndarray] = []
    if resume and out is not None and (out / "snapshots.npz").is_file():
        z = np.load(out / "snapshots.npz")
        snap_steps, snaps = [int(s) for s in z["steps"]], list(z["samples"])

    def snapshot(step: int) -> None:
        with torch.no_grad():
            snaps.append(model.denormalize(model.generator(fixed)).numpy())
        snap_steps.append(step)

    if not snap_steps:
        snapshot(0)

    log_n = log_every or max(1, iters // 20)
    sums: dict[str, float] = {}

    def callback(info: dict[str, Any]) -> None:
        step = info["step"]
        if step % every == 0 or step == iters:
            snapshot(step)
        for k in ("loss", "g_loss", "w_estimate", "value", "grad_norm"):
            if k in info:
                sums[k] = sums.get(k, 0.0) + info[k]
        sums["n"] = sums.get("n", 0.0) + 1
        if progress and (step % log_n == 0 or step == iters):
            from tqdm.auto import tqdm

            n = sums.pop("n")
            names = {"loss": "critic loss", "g_loss": "generator loss", "w_estimate": "W estimate",
                     "value": "V(D,G)", "grad_norm": "grad norm"}
            tqdm.write(f"step {step}/{iters}  " + "  ".join(f"{names[k]} {v / n:.4f}" for k, v in sums.items()))
            sums.clear()

    cfg = TrainConfig(epochs=math.ceil(iters / steps_per_epoch), batch_size=B, seed=seed, patience=None,
                      max_steps=iters, checkpoint_dir=out, resume=resume, progress=progress,
                      # no held-out selection for GANs: keep the final weights. (With resume and no
                      # validation data the loop would otherwise reload the previous run's best.pt.)
                      restore_best=False)
    result = fit(model, d.train, None, cfg, transform=d.transform, callback=callback)
    run = GANRun(model, d, result.steps, result.train_seconds, snap_steps, snaps, out, seed)
    say(f"done: {run.steps} generator iterations in {run.train_seconds:.0f} s "
        f"({run.steps / max(run.train_seconds, 1e-9):.2f} it/s)")
    if out is not None:
        np.savez(out / "snapshots.npz", steps=np.array(snap_steps), samples=np.stack(snaps))
        plot_snapshots(run, out / "samples.png")
    return run


def plot_snapshots(run: GANRun, path: str | Path, max_panels: int = 9) -> Path:
    """Samples at (up to) ``max_panels`` snapshot steps: scatter plots over held-out data for
    2-D targets, image grids for digits."""
    from adlkit.plotting import save, subplots

    idx = np.unique(np.linspace(0, len(run.snapshots) - 1, min(max_panels, len(run.snapshots))).round().astype(int))
    fig, axes = subplots(1, len(idx), figsize=(2.6 * len(idx), 2.8), squeeze=False)
    real = run.data.test.numpy()
    for ax, i in zip(axes[0], idx):
        s = run.snapshots[i]
        if s.ndim == 2:
            ax.scatter(real[:2000, 0], real[:2000, 1], s=1, c="0.75", label="held-out")
            ax.scatter(s[:, 0], s[:, 1], s=1, c="tab:red", label="generated")
            lo, hi = np.percentile(real, [0.5, 99.5], axis=0)
            pad = 0.15 * (hi - lo)
            ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
            ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])
            ax.set_aspect("equal")
        else:
            grid = np.clip(s[:36], 0, 1).reshape(6, 6, 8, 8).transpose(0, 2, 1, 3).reshape(48, 48)
            ax.imshow(grid, cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"step {run.snapshot_steps[i]}", fontsize=9)
    fig.suptitle(f"{run.model.config.loss} on {run.data.name or 'the training data'}", fontsize=10)
    return save(fig, path)


def evaluate(model: GANModule, target: str | None = None, n: int = 2000, seed: int = 0) -> dict[str, Any]:
    """Metrics of :mod:`adlkit.gan.metrics` for ``model`` against held-out data of ``target``
    (default: the data set recorded in the model).

    2-D targets: exact W1 between ``n`` generated and ``n`` held-out points, next to the floor
    (W1 between two independent held-out samples of the same size), and mode coverage on
    10,000 samples for the Gaussian mixtures. Digits: nearest-neighbour distances and exact W1
    (64-D) against the held-out test split, with the same figures for the validation split as
    the real-data reference.
    """
    from adlkit.gan import metrics as M

    name = target or model.config.target
    if name not in TARGETS:
        raise ValueError(f"unknown target {name!r}: pass one of {', '.join(TARGETS)}")
    gen = torch.Generator().manual_seed(seed)
    out: dict[str, Any] = {"target": name, "loss": model.config.loss, "n": n}
    if name == "digits":
        from adlkit.data import digits as dg

        tr, va, te = registry.load(name)
        tr_u = dg.dequantize(tr, random_state=seed)
        va_u, te_u = dg.dequantize(va, random_state=seed + 1), dg.dequantize(te, random_state=seed + 2)
        s = model.sample(max(n, len(te)), generator=gen).reshape(-1, 64).numpy()[: len(te)]
        out["n"] = len(te)
        out["nearest_neighbour"] = M.nearest_neighbour_distances(s, tr_u, te_u)
        out["nearest_neighbour_real_val"] = M.nearest_neighbour_distances(va_u, tr_u, te_u)
        out["w1"] = M.wasserstein1(s, te_u)
        out["w1_floor"] = M.wasserstein1(va_u[: len(te_u)], te_u[: len(va_u)])
        return out
    held = registry.toy_part(name, "test", 2 * n, seed)
    s = model.sample(max(n, 10_000), generator=gen).numpy()
    out["w1"] = M.wasserstein1(s[:n], held[:n])
    out["w1_floor"] = M.wasserstein1(held[n:], held[:n])
    if name in toys.MIXTURES:
        centres, std = toys.mixture_modes(name)
        out["mode_coverage"] = M.mode_coverage(s, centres, std).as_dict()
    return out
