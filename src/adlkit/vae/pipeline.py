"""Train, evaluate and report a VAE: what ``adlkit train vae`` and ``adlkit sample vae`` run,
callable from ``bench/`` scripts and notebooks.

    >>> from adlkit.vae.pipeline import train_vae
    >>> run = train_vae("digits", "runs/vae-digits", max_steps=500)     # doctest: +SKIP
    >>> run.metrics["test_iwae_nats"]                                   # doctest: +SKIP

Data: :func:`adlkit.data.registry.density_split` (binarized digits, or a toy in standardised
coordinates), early stopping on its validation split, the figures on its test split: the test
ELBO (mean of 10 seeded one-sample estimates) and the importance-sampled log-likelihood (IWAE
bound with ``n_importance`` samples), in nats per example and bits per dimension.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from adlkit.train.report import RunReport
from adlkit.vae.estimator import VAE


class VAERun(RunReport):
    """What :func:`train_vae` returns: ``model`` is the fitted :class:`VAE`."""

    @property
    def summary(self) -> str:
        """One line: steps, why training stopped, the best epoch, the test ELBO and IWAE."""
        m = self.metrics
        return (f"done: {m['steps']} steps ({m['stopped']}, best epoch {m['best_epoch']}); test ELBO "
                f"{m['test_elbo_nats']:.3f} nats, IWAE(k={m['test_iwae_k']}) {m['test_iwae_nats']:.3f} nats = "
                f"{m['test_iwae_bits_per_dim']:.4f} bits/dim")


def train_vae(
    data: str,
    out: str | Path,
    *,
    latent_dim: int | None = None,
    hidden: Sequence[int] = (256, 256),
    epochs: int = 300,
    batch_size: int = 128,
    lr: float = 1e-3,
    beta: float = 1.0,
    warmup_epochs: int | None = None,
    patience: int = 30,
    max_steps: int | None = None,
    n_importance: int = 5000,
    seed: int = 0,
    progress: bool = True,
    log: Callable[[str], Any] = print,
) -> VAERun:
    """Train a VAE on the registry's data set ``data``, evaluate it on the test split, and write
    ``best.pt``, ``last.pt``, ``metrics.json`` and the figures (:func:`adlkit.vae.plots.vae_figures`)
    into the folder ``out`` (created if missing).

    Loss per example: -log p(x|z) summed over dimensions (BCE for binary digits, Gaussian NLL
    with a learned std for toys) + beta x KL summed over latent dimensions, averaged over the
    batch. Defaults that depend on the data: ``latent_dim`` 16 for digits, 2 for toys;
    ``warmup_epochs`` 0 for digits, 30 for toys. Raises :class:`adlkit.train.NonFiniteLossError`
    if training diverges.
    """
    from adlkit.core.paths import prepare_output_dir
    from adlkit.data.registry import density_split, get

    out = prepare_output_dir(out)
    split = density_split(data, seed)
    X, X_val, X_test = split
    images = get(data).image_shape
    L = latent_dim or (16 if images else 2)
    if warmup_epochs is None:
        warmup_epochs = 0 if images else 30
    widths = list(hidden)
    vae = VAE(latent_dim=L, hidden=widths, beta=beta, warmup_epochs=warmup_epochs, lr=lr, epochs=epochs,
              batch_size=batch_size, patience=patience, max_steps=max_steps, n_importance=n_importance,
              random_state=seed, image_shape=images, checkpoint_dir=str(out), progress=progress)
    D = X.shape[1]
    rec = f"BCE summed over {D} pixels" if images else f"Gaussian NLL (learned std) summed over {D} dims"
    log(f"training VAE on {data}: {X.shape[0]} train / {X_val.shape[0]} val / {X_test.shape[0]} test, "
        f"latent {L}, MLP {widths}; loss = mean over batch of [{rec} + {beta:g} x KL summed over "
        f"{L} latent dims] (nats per example); output in {out}/")
    vae.fit(X, X_val)
    res = vae.result_
    log(f"estimating the test log-likelihood by importance sampling (k = {n_importance}) ...")
    iwae = vae.score_samples(X_test)
    elbo = np.mean([vae.elbo(X_test, random_state=seed + r).mean() for r in range(10)])
    metrics = {"data": data, "latent_dim": L, "hidden": widths, "seed": seed, **res.summary(),
               "test_elbo_nats": float(elbo),
               "test_iwae_nats": float(iwae.mean()), "test_iwae_k": n_importance,
               "test_iwae_bits_per_dim": float(-iwae.mean() / (D * np.log(2)))}
    from adlkit.vae import plots

    run = VAERun(vae, metrics, out, RunReport.checkpoints_in(out))
    run.write_metrics()
    run.files += plots.vae_figures(vae, X_test, out, history=res.history, best_epoch=res.best_epoch, seed=seed,
                                   labels=split.test_labels)
    return run


def write_samples(vae: VAE, n: int, out: str | Path, seed: int = 0, mean: bool = False) -> list[Path]:
    """Draw ``n`` samples from a fitted VAE (``mean``: the decoder means); write
    ``vae_samples.npy`` and ``vae_samples.png`` into ``out``."""
    from adlkit import plotting
    from adlkit.core.paths import prepare_output_dir

    return plotting.write_samples(vae.sample(n, random_state=seed, mean=mean), prepare_output_dir(out), "vae_samples",
                                  image_shape=vae.module_.config.image_shape, title="VAE samples")
