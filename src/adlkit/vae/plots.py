"""Figures of a trained VAE: reconstructions, samples, the latent space (PNG files, Agg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from adlkit.plotting import save, subplots


def reconstructions_figure(vae: Any, X: np.ndarray, path: Path, n: int = 10) -> Path:
    """Rows: data, reconstruction (decoder mean at the encoder mean)."""
    shape = tuple(vae.module_.get_config()["image_shape"])
    mu, _ = vae.encode(X[:n])
    rec = vae.decode(mu)
    fig, axes = subplots(2, n, figsize=(n * 0.9, 2.2), squeeze=False)
    for i in range(n):
        for r, imgs in enumerate((X, rec)):
            ax = axes[r, i]
            ax.imshow(imgs[i].reshape(shape), cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
            ax.axis("off")
    axes[0, 0].set_title("data", fontsize=8, loc="left")
    axes[1, 0].set_title("reconstruction (mean)", fontsize=8, loc="left")
    return save(fig, path, dpi=120)


def latent_figure(vae: Any, X: np.ndarray, path: Path, labels: np.ndarray | None = None) -> Path:
    """Encoder means of X in the latent plane (first two coordinates; PCA if more than 2)."""
    mu, _ = vae.encode(X)
    how = "z"
    if mu.shape[1] > 2:
        c = mu - mu.mean(0)
        _, _, vt = np.linalg.svd(c, full_matrices=False)
        mu, how = c @ vt[:2].T, "PCA of z"
    elif mu.shape[1] == 1:
        mu, how = np.concatenate([mu, np.zeros_like(mu)], 1), "z (1-D)"
    fig, ax = subplots(figsize=(5, 5))
    if labels is not None:
        sc = ax.scatter(mu[:, 0], mu[:, 1], s=4, c=labels, cmap="tab10", alpha=0.7)
        fig.colorbar(sc, ax=ax, label="digit")
    else:
        ax.scatter(mu[:, 0], mu[:, 1], s=4, alpha=0.7)
    ax.set_title(f"latent space: encoder means ({how})")
    return save(fig, path, dpi=120)


def vae_figures(vae: Any, X_test: np.ndarray, out: Path, history=None, best_epoch=None, seed: int = 0,
                labels: np.ndarray | None = None) -> list[Path]:
    """All figures of ``adlkit train vae``; returns their paths."""
    from adlkit import plotting

    out = Path(out)
    shape = vae.module_.get_config()["image_shape"]
    files = []
    if history:
        files.append(plotting.training_curve(history, out / "curve.png", ylabel="held-out -ELBO (nats)",
                                             best_epoch=best_epoch))
    if shape is not None:
        files.append(reconstructions_figure(vae, X_test, out / "reconstructions.png"))
        files.append(plotting.samples_figure(vae.sample(100, random_state=seed, mean=True), out / "samples.png", shape,
                                             title="VAE samples (decoder means)"))
    else:
        files.append(plotting.samples_figure(vae.sample(5000, random_state=seed), out / "samples.png", data=X_test,
                                              title="VAE samples"))
        if vae.n_features_in_ == 2:
            files.append(plotting.density_2d(lambda G: vae.score_samples(G, k=200), out / "density.png", data=X_test,
                                             resolution=80, title="VAE density (IWAE, k=200)"))
    files.append(latent_figure(vae, X_test, out / "latent.png", labels))
    return files
