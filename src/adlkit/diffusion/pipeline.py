"""Train a diffusion model on a registered data set and report: what ``adlkit train diffusion``
runs, callable from benches and notebooks.

:func:`train_and_evaluate` fits :class:`adlkit.diffusion.Diffusion` on the data's density split
(toys standardised; digits binarized, coded -1/+1, the conv network), early-stopping on the
validation split's L_simple, scores the test split by the variational bound, and writes
``metrics.json`` and the figures of :func:`figures` (with the loop's ``best.pt``/``last.pt``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from adlkit.diffusion.model import Diffusion, DiffusionModule
from adlkit.train.report import RunReport


class DiffusionReport(RunReport):
    """What :func:`train_and_evaluate` did: ``model`` is the fitted :class:`Diffusion`."""


def train_and_evaluate(data: str = "moons", seed: int = 0, out_dir: str | Path | None = None,
                       log: Callable[[str], Any] | None = None, n_test: int = 1000,
                       **hyperparameters: Any) -> DiffusionReport:
    """Fit ``Diffusion(random_state=seed, checkpoint_dir=out_dir, **hyperparameters)`` on ``data``
    (digits: ``network="conv"``, ``data="binary"``), then the variational bound on (up to
    ``n_test`` rows of) the test split in nats and bits per dimension."""
    from adlkit.data.registry import density_split, get

    say = log or (lambda _line: None)
    X, X_val, X_test = density_split(data, seed)
    images = get(data).kind == "images"
    if images:
        hyperparameters = {"network": "conv", "data": "binary", "image_shape": get(data).image_shape, **hyperparameters}
    out = Path(out_dir) if out_dir is not None else None
    est = Diffusion(random_state=seed, checkpoint_dir=None if out is None else str(out), **hyperparameters)
    say(f"training a diffusion model ({est.network} eps-net, T = {est.steps}, {est.schedule} schedule) on {data}: "
        f"{X.shape[0]} train / {X_val.shape[0]} val / {X_test.shape[0]} test; loss = L_simple "
        "(mean squared error of the predicted noise)" + (f"; output in {out}/" if out is not None else ""))
    est.fit(X, X_val)
    res = est.result_
    X_test = X_test[:n_test]
    nll = est.bound(X_test, random_state=seed)
    D = X_test.shape[1]
    metrics: dict[str, Any] = {
        "data": data, "seed": seed, **res.summary(), "steps_T": est.steps, "network": est.network,
        "test_bound_nats": float(nll.mean()), "test_bound_bits_per_dim": float(nll.mean() / (D * math.log(2))),
        "bound": ("upper bound on the NLL of the 0/1 pixels (discretized decoder)" if images
                  else "upper bound on the NLL of the density (standardised coordinates)"),
    }
    report = DiffusionReport(est, metrics, out)
    if out is not None:
        report.write_metrics()
        report.files += figures(est.module_, out, data=X_test, seed=seed, image_shape=get(data).image_shape if images else None)
    say(f"done: {res.steps} steps ({res.stopped}); test bound {nll.mean():.4f} nats = "
        f"{metrics['test_bound_bits_per_dim']:.4f} bits/dim")
    return report


def figures(module: DiffusionModule, out: str | Path, data: np.ndarray, seed: int = 0, sampler: str = "ddim",
            steps: int | None = 50, eta: float = 0.0, n: int = 2000, image_shape: tuple[int, ...] | None = None,
            prefix: str = "") -> list[Path]:
    """``samples.png``/``.npy``, ``forward.png`` (q(x_t | x_0) on a grid of t) and
    ``trajectories.png`` (reverse paths of a few samples) into ``out``."""
    from adlkit import plotting
    from adlkit.diffusion.schedule import q_sample

    out = Path(out)
    g = torch.Generator().manual_seed(seed)
    steps = None if steps is None else min(int(steps), module.config.steps)
    n = 100 if image_shape is not None else n
    x, path = module.sample(n, None if sampler == "ddpm" else steps, sampler, eta, generator=g, trajectory=True)
    X = module.decode(x).double().numpy()
    title = f"{sampler.upper()} samples" + (f" ({steps} steps, eta = {eta:g})" if sampler == "ddim" else f" ({module.config.steps} steps)")
    files = plotting.write_samples(X, out, f"{prefix}samples", image_shape=image_shape,
                                   data=None if image_shape is not None else data, title=title)
    T = module.config.steps
    grid_t = [0, T // 20, T // 10, T // 4, T // 2, T]
    x0 = module.encode(torch.as_tensor(data[: (8 if image_shape is not None else 1000)], dtype=module.alpha_bars.dtype))
    fig, axes = plotting.subplots(1 if image_shape is None else len(x0), len(grid_t),
                                  figsize=(2.4 * len(grid_t), 2.4 if image_shape is None else 1.2 * len(x0)), squeeze=False)
    for j, t in enumerate(grid_t):
        eps = torch.randn(x0.shape, generator=g, dtype=x0.dtype)
        xt = q_sample(x0, eps, module.schedule.alpha_bar(t))[2].numpy()
        if image_shape is None:
            ax = axes[0][j]
            ax.scatter(xt[:, 0], xt[:, 1], s=2, alpha=0.5)
            ax.set_xlim(-4, 4)
            ax.set_ylim(-4, 4)
            ax.set_title(f"t = {t}")
        else:
            for i in range(len(x0)):
                axes[i][j].imshow(xt[i].reshape(image_shape), cmap="gray_r", vmin=-2, vmax=2, interpolation="nearest")
                axes[i][j].axis("off")
            axes[0][j].set_title(f"t = {t}", fontsize=8)
    fig.suptitle("forward process q(x_t | x_0)")
    files.append(plotting.save(fig, out / f"{prefix}forward.png"))
    picks = [k for k in np.linspace(0, len(path) - 1, 6).round().astype(int)]
    if image_shape is None:
        fig, ax = plotting.subplots(figsize=(5, 5))
        traj = np.stack([p[1][:12].numpy() for p in path])  # (steps + 1, 12, 2)
        for i in range(traj.shape[1]):
            ax.plot(traj[:, i, 0], traj[:, i, 1], lw=0.8)
            ax.scatter(traj[-1, i, 0], traj[-1, i, 1], s=10)
        ax.set_title(f"reverse trajectories ({sampler.upper()}), x_T to x_0")
    else:
        fig, axes = plotting.subplots(6, len(picks), figsize=(1.2 * len(picks), 7.5), squeeze=False)
        for j, k in enumerate(picks):
            t, xs = path[k]
            for i in range(6):
                axes[i][j].imshow(xs[i].numpy().reshape(image_shape), cmap="gray_r", vmin=-1.5, vmax=1.5, interpolation="nearest")
                axes[i][j].axis("off")
            axes[0][j].set_title(f"t = {t}", fontsize=8)
        fig.suptitle(f"reverse trajectories ({sampler.upper()})")
    files.append(plotting.save(fig, out / f"{prefix}trajectories.png"))
    return files
