"""Shared plotting helpers: figures written to files, no display needed.

Figures are built with matplotlib's object-oriented API (:class:`matplotlib.figure.Figure`),
never through pyplot, so importing or calling adlkit never changes the backend a notebook or
an application has chosen. Every drawing function writes one PNG and returns its path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np


def subplots(nrows: int = 1, ncols: int = 1, figsize: tuple[float, float] | None = None, **kwargs):
    """``(figure, axes)`` like ``pyplot.subplots``, without pyplot: the figure belongs to no
    backend and is freed with its last reference (nothing to close)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def save(fig, path: str | Path, dpi: int = 110) -> Path:
    """Lay out and write ``fig`` as PNG to ``path``; returns the path."""
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    return Path(path)


def _bounds(points: np.ndarray, pad: float = 0.1) -> tuple[float, float, float, float]:
    lo, hi = np.percentile(points, 0.5, axis=0), np.percentile(points, 99.5, axis=0)
    span = hi - lo
    lo, hi = lo - pad * span, hi + pad * span
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def density_2d(
    log_prob: Callable[[np.ndarray], np.ndarray],
    path: str | Path,
    data: np.ndarray | None = None,
    bounds: Sequence[float] | None = None,
    resolution: int = 200,
    title: str = "model density",
) -> Path:
    """Heat map of exp(log_prob) on a grid; ``log_prob`` maps (n, 2) -> (n,) log-densities."""
    x0, x1, y0, y1 = bounds if bounds is not None else _bounds(data)
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    dens = np.exp(log_prob(grid)).reshape(resolution, resolution)
    fig, ax = subplots(figsize=(5, 5))
    ax.imshow(dens, origin="lower", extent=(x0, x1, y0, y1), cmap="magma", aspect="auto")
    ax.set_title(title)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return save(fig, path, dpi=120)


def scatter_2d(
    samples: np.ndarray,
    path: str | Path,
    data: np.ndarray | None = None,
    title: str = "samples",
    max_points: int = 5000,
) -> Path:
    """Scatter of model samples (n, 2), next to the data when given."""
    panels = [("data", data), (title, samples)] if data is not None else [(title, samples)]
    fig, axes = subplots(1, len(panels), figsize=(5 * len(panels), 5), squeeze=False)
    ref = data if data is not None else samples
    x0, x1, y0, y1 = _bounds(ref)
    for ax, (name, pts) in zip(axes[0], panels):
        pts = pts[:max_points]
        ax.scatter(pts[:, 0], pts[:, 1], s=2, alpha=0.5)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_title(name)
    return save(fig, path, dpi=120)


def image_grid(
    images: np.ndarray,
    path: str | Path,
    shape: Sequence[int] = (8, 8),
    ncols: int = 10,
    title: str | None = None,
    vmin: float | None = 0.0,
    vmax: float | None = 1.0,
) -> Path:
    """A grid of grey images; ``images`` is (n, H*W) or (n, H, W)."""
    images = np.asarray(images).reshape(-1, *shape)
    n = images.shape[0]
    nrows = int(np.ceil(n / ncols))
    fig, axes = subplots(nrows, ncols, figsize=(ncols * 0.8, nrows * 0.8 + (0.4 if title else 0)), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i], cmap="gray_r", vmin=vmin, vmax=vmax, interpolation="nearest")
    if title:
        fig.suptitle(title)
    return save(fig, path, dpi=120)


def samples_figure(X: np.ndarray, path: str | Path, image_shape: Sequence[int] | None = None,
                   data: np.ndarray | None = None, title: str | None = None) -> Path:
    """Samples as a person looks at them: a grid of the first 100 images (values clipped to
    [0, 1]) when ``image_shape`` is given, else a scatter of the first two coordinates (next to
    ``data`` when given; ``title`` default "samples")."""
    if image_shape is not None:
        return image_grid(np.clip(X[:100], 0, 1), path, tuple(image_shape), title=title)
    return scatter_2d(X[:, :2], path, data=None if data is None else data[:, :2], title=title or "samples")


def write_samples(X: np.ndarray, out: str | Path, name: str, **figure: Any) -> list[Path]:
    """``out/name.npy`` (the samples) and ``out/name.png`` (:func:`samples_figure` with the
    ``figure`` arguments); returns both paths."""
    out = Path(out)
    np.save(out / f"{name}.npy", X)
    return [out / f"{name}.npy", samples_figure(X, out / f"{name}.png", **figure)]


def training_curve(history: Sequence[dict], path: str | Path, ylabel: str = "loss (NLL, nats)",
                   best_epoch: int | None = None) -> Path:
    """Train and held-out loss per epoch from :class:`adlkit.train.TrainResult.history`."""
    epochs = [h["epoch"] for h in history]
    fig, ax = subplots(figsize=(6, 4))
    ax.plot(epochs, [h["train_loss"] for h in history], label="train")
    if history and "val_loss" in history[0]:
        ax.plot(epochs, [h["val_loss"] for h in history], label="held-out")
    if best_epoch is not None:
        ax.axvline(best_epoch, color="grey", ls="--", lw=1, label=f"best epoch {best_epoch}")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend()
    return save(fig, path, dpi=120)
