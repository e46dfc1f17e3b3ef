"""``adlkit train vae`` and ``adlkit sample vae``: the VAE on binarized digits or a 2-D toy.

Thin adapters: they parse and check the options and the output folder, then call
:mod:`adlkit.vae.pipeline`, which trains, evaluates and writes the files."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from adlkit.commands._common import check_data, load_checkpoint, nonfinite_exit, output_dir, parse_widths
from adlkit.data.registry import names


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
    out = output_dir(out or Path("runs") / f"vae-{name}")
    import torch

    torch.set_num_threads(threads)
    from adlkit.train import NonFiniteLossError
    from adlkit.vae.pipeline import train_vae as run_pipeline

    try:
        run = run_pipeline(name, out, latent_dim=latent_dim, hidden=widths, epochs=epochs, batch_size=batch_size,
                           lr=lr, beta=beta, warmup_epochs=warmup_epochs, patience=patience, max_steps=max_steps,
                           n_importance=n_importance, seed=seed, progress=not quiet, log=typer.echo)
    except NonFiniteLossError as e:
        nonfinite_exit(e)
    typer.echo(run.summary)
    typer.echo(f"wrote {out}/" + ", ".join(p.name for p in run.files))


def sample_vae(
    checkpoint: Path = typer.Argument(..., help="A checkpoint written by `adlkit train vae` (best.pt)."),
    n: int = typer.Option(100, "-n", min=1),
    mean: bool = typer.Option(False, "--mean", help="Decoder means (pixel probabilities) instead of samples."),
    seed: int = typer.Option(0),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder [default: the checkpoint's folder]."),
) -> None:
    """Draw N samples from a trained VAE; write vae_samples.npy and a plot."""
    module = load_checkpoint(checkpoint, "VAEModule", "VAE")
    out = output_dir(out or checkpoint.parent)
    from adlkit.vae import VAE
    from adlkit.vae.pipeline import write_samples

    npy, png = write_samples(VAE.from_module(module), n, out, seed=seed, mean=mean)
    typer.echo(f"wrote {n} samples to {npy} and a plot to {png}")


def register(groups: dict) -> None:
    groups["train"].command("vae")(train_vae)
    groups["sample"].command("vae")(sample_vae)
