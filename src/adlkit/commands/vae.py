"""``adlkit train vae`` and ``adlkit sample vae``: the VAE on binarized digits or a 2-D toy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from adlkit.commands._common import check_data, load_checkpoint, nonfinite_exit, parse_widths
from adlkit.data.registry import density_split, names


def train_vae(
    data: str = typer.Option("digits", "--data", "-d", help=f"digits|{'|'.join(names('toy'))}"),
    latent_dim: Optional[int] = typer.Option(None, min=1, help="Latent dimension [default: 16 for digits, 2 for toys]."),
    hidden: str = typer.Option("256,256", help="Hidden widths of the encoder MLP (decoder mirrors)."),
    epochs: int = typer.Option(300, min=1, help="Maximum epochs."),
    batch_size: int = typer.Option(128, min=2),
    lr: float = typer.Option(1e-3, min=0.0),
    beta: float = typer.Option(1.0, min=0.0, help="KL weight (1 = ELBO)."),
    warmup_epochs: Optional[int] = typer.Option(None, min=0, help="Epochs of linear KL warm-up from 0 to beta [default: 0 for digits, 30 for toys]."),
    patience: int = typer.Option(30, min=1, help="Early stopping: epochs without held-out improvement."),
    max_steps: Optional[int] = typer.Option(None, min=1, help="Stop after this many optimizer steps."),
    n_importance: int = typer.Option(5000, min=1, help="Importance samples k of the IWAE log-likelihood."),
    seed: int = typer.Option(0),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder [default: runs/vae-<data>]."),
    threads: int = typer.Option(1, min=1, help="torch intra-op threads (1 is fastest for these small MLPs, and on a loaded machine)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Train a VAE. Loss per example = -log p(x|z) summed over dimensions (BCE for binary
    digits, Gaussian NLL for toys) + beta * KL summed over latent dimensions, averaged over
    the batch. Writes best.pt, plots and metrics.json."""
    name = check_data(data)
    widths = parse_widths(hidden)
    import numpy as np
    import torch

    torch.set_num_threads(threads)
    from adlkit.train import NonFiniteLossError
    from adlkit.vae import VAE, plots

    X, X_val, X_test = density_split(name, seed)
    digits = name == "digits"
    L = latent_dim or (16 if digits else 2)
    out = out or Path("runs") / f"vae-{name}"
    out.mkdir(parents=True, exist_ok=True)
    if warmup_epochs is None:
        warmup_epochs = 0 if digits else 30
    vae = VAE(latent_dim=L, hidden=widths, beta=beta, warmup_epochs=warmup_epochs, lr=lr, epochs=epochs,
              batch_size=batch_size, patience=patience, max_steps=max_steps, n_importance=n_importance,
              random_state=seed, image_shape=(8, 8) if digits else None, checkpoint_dir=str(out),
              progress=not quiet)
    rec = "BCE summed over 64 pixels" if digits else "Gaussian NLL (learned std) summed over 2 dims"
    typer.echo(f"training VAE on {name}: {X.shape[0]} train / {X_val.shape[0]} val / {X_test.shape[0]} test, "
               f"latent {L}, MLP {widths}; loss = mean over batch of [{rec} + {beta:g} x KL summed over "
               f"{L} latent dims] (nats per example); output in {out}/")
    try:
        vae.fit(X, X_val)
    except NonFiniteLossError as e:
        nonfinite_exit(e)
    res = vae.result_
    typer.echo(f"estimating the test log-likelihood by importance sampling (k = {n_importance}) ...")
    iwae = vae.score_samples(X_test)
    elbo = np.mean([vae.elbo(X_test, random_state=seed + r).mean() for r in range(10)])
    D = X.shape[1]
    metrics = {"data": name, "latent_dim": L, "hidden": widths, "seed": seed, "steps": res.steps,
               "epochs": len(res.history), "stopped": res.stopped, "best_epoch": res.best_epoch,
               "train_seconds": res.train_seconds, "test_elbo_nats": float(elbo),
               "test_iwae_nats": float(iwae.mean()), "test_iwae_k": n_importance,
               "test_iwae_bits_per_dim": float(-iwae.mean() / (D * np.log(2)))}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    labels = None
    if digits:
        from adlkit.data import digits as dg

        labels = dg.load_digits("test", seed=0)[1]
    files = plots.vae_figures(vae, X_test, out, history=res.history, best_epoch=res.best_epoch, seed=seed,
                              labels=labels)
    typer.echo(f"done: {res.steps} steps ({res.stopped}, best epoch {res.best_epoch}); test ELBO {elbo:.3f} nats, "
               f"IWAE(k={n_importance}) {iwae.mean():.3f} nats = {metrics['test_iwae_bits_per_dim']:.4f} bits/dim")
    typer.echo(f"wrote {out}/best.pt, metrics.json, " + ", ".join(p.name for p in files))


def sample_vae(
    checkpoint: Path = typer.Argument(..., help="A checkpoint written by `adlkit train vae` (best.pt)."),
    n: int = typer.Option(100, "-n", min=1),
    mean: bool = typer.Option(False, "--mean", help="Decoder means (pixel probabilities) instead of samples."),
    seed: int = typer.Option(0),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder [default: the checkpoint's folder]."),
) -> None:
    """Draw N samples from a trained VAE; write vae_samples.npy and a plot."""
    import numpy as np

    from adlkit.vae import VAE, plots

    vae = VAE.from_module(load_checkpoint(checkpoint, "VAEModule", "VAE"))
    X = vae.sample(n, random_state=seed, mean=mean)
    out = out or checkpoint.parent
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "vae_samples.npy", X)
    p = plots.samples_figure(X, out / "vae_samples.png", vae.module_.get_config()["image_shape"])
    typer.echo(f"wrote {n} samples to {out}/vae_samples.npy and a plot to {p}")


def register(groups: dict) -> None:
    groups["train"].command("vae")(train_vae)
    groups["sample"].command("vae")(sample_vae)
