"""``adlkit train fvsbn|made|pixelcnn``: the autoregressive models on the binarized digits.

Thin adapters: they check the options and the output folder, then call
:func:`adlkit.autoregressive.pipeline.train_digits`, which trains, evaluates and writes the files."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from adlkit.commands._common import check_data, fail, nonfinite_exit, output_dir, parse_widths


def _run(kind: str, data: str, out: Optional[Path], seed: int, threads: int, quiet: bool, **settings: Any) -> None:
    name = check_data(data)
    if name != "digits":
        fail(f"--data: the autoregressive models here model binary images; only digits is supported, got {data!r}")
    out = output_dir(out or Path("runs") / f"{kind}-digits")  # before any training
    import torch

    torch.set_num_threads(threads)
    from adlkit.autoregressive.pipeline import train_digits
    from adlkit.train import NonFiniteLossError

    try:
        run = train_digits(kind, out, seed=seed, progress=not quiet, log=typer.echo,
                           **{k: v for k, v in settings.items() if v is not None})
    except NonFiniteLossError as e:
        nonfinite_exit(e)
    m = run.metrics
    typer.echo(f"test log-likelihood {m['test_loglik_nats']:.3f} +- {m['test_stderr_nats']:.3f} nats per image "
               f"({m['bits_per_dim']:.4f} bits/dim), {m['parameters_effective']} parameters (unmasked), "
               f"{m['steps']} steps, {m['seconds']:.1f} s")
    typer.echo(f"wrote {out}/" + ", ".join(p.name for p in run.files))


DATA = typer.Option("digits", "--data", "-d", help="digits (binarized, pixel > 8)")
EPOCHS = typer.Option(None, min=1, help="Maximum epochs [default: 1000, early stopping decides].")
PATIENCE = typer.Option(None, min=1, help="Early stopping: epochs without held-out improvement [default: 20].")
MAX_STEPS = typer.Option(None, min=1, help="Stop after this many optimizer steps.")
LR = typer.Option(None, min=0.0, help="Adam learning rate [default: the model's, see adlkit.autoregressive.pipeline].")
SEED = typer.Option(0)
THREADS = typer.Option(1, min=1, help="torch intra-op threads.")
QUIET = typer.Option(False, "--quiet", "-q", help="No progress bar.")


def train_fvsbn(data: str = DATA, epochs: Optional[int] = EPOCHS, patience: Optional[int] = PATIENCE,
                max_steps: Optional[int] = MAX_STEPS, lr: Optional[float] = LR, seed: int = SEED,
                out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder [default: runs/fvsbn-digits]."),
                threads: int = THREADS, quiet: bool = QUIET) -> None:
    """Train a fully visible sigmoid belief net (logistic conditionals, exact likelihood). Loss:
    NLL summed over the 64 pixels, averaged over the batch. Writes best.pt, samples, metrics.json."""
    _run("fvsbn", data, out, seed, threads, quiet, epochs=epochs, patience=patience, max_steps=max_steps, lr=lr)


def train_made(data: str = DATA, hidden: str = typer.Option("500", help="Hidden widths of the masked MLP."),
               degrees: str = typer.Option("cyclic", help="Hidden degrees: cyclic (k mod (D-1) + 1) or random (Germain et al.)."),
               epochs: Optional[int] = EPOCHS, patience: Optional[int] = PATIENCE, max_steps: Optional[int] = MAX_STEPS,
               lr: Optional[float] = LR, seed: int = SEED,
               out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder [default: runs/made-digits]."),
               threads: int = THREADS, quiet: bool = QUIET) -> None:
    """Train MADE (masked autoencoder, exact likelihood, sampling pixel by pixel). Loss: NLL
    summed over the 64 pixels, averaged over the batch. Writes best.pt, samples, metrics.json."""
    if degrees not in ("cyclic", "random"):
        fail(f"--degrees must be cyclic or random, got {degrees!r}")
    _run("made", data, out, seed, threads, quiet, hidden=tuple(parse_widths(hidden)), degrees=degrees, epochs=epochs,
         patience=patience, max_steps=max_steps, lr=lr)


def train_pixelcnn(data: str = DATA, channels: int = typer.Option(32, min=1, help="Feature maps per layer."),
                   kernel: int = typer.Option(5, min=1, help="Kernel of the first (mask A) layer, odd."),
                   layers: int = typer.Option(4, min=0, help="3x3 mask-B layers."),
                   epochs: Optional[int] = EPOCHS, patience: Optional[int] = PATIENCE,
                   max_steps: Optional[int] = MAX_STEPS, lr: Optional[float] = LR, seed: int = SEED,
                   out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder [default: runs/pixelcnn-digits]."),
                   threads: int = THREADS, quiet: bool = QUIET) -> None:
    """Train a PixelCNN (mask A, then mask B convolutions; raster order). Loss: NLL summed over
    the 64 pixels, averaged over the batch. Writes best.pt, samples, metrics.json."""
    if kernel % 2 == 0:
        fail(f"--kernel must be odd (the mask is defined around the centre), got {kernel}")
    _run("pixelcnn", data, out, seed, threads, quiet, channels=channels, kernel=kernel, layers=layers, epochs=epochs,
         patience=patience, max_steps=max_steps, lr=lr)


def register(groups: dict) -> None:
    groups["train"].command("fvsbn")(train_fvsbn)
    groups["train"].command("made")(train_made)
    groups["train"].command("pixelcnn")(train_pixelcnn)
