"""``adlkit train flow`` and ``adlkit sample flow``: RealNVP on real data, with plots.

Thin adapters: they parse and check the options and the output folder, then call
:mod:`adlkit.flows.pipeline`, which trains, evaluates and writes the files."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from adlkit.commands._common import load_checkpoint, nonfinite_exit, output_dir, parse_widths
from adlkit.data.registry import names

TOY_NAMES = tuple(names("toy"))


def _load_file(path: Path):
    """A numeric (n, d) array from .npy or .csv (an optional header line is skipped)."""
    import numpy as np

    if not path.is_file():
        raise typer.BadParameter(f"no such file: {path}", param_hint="--data")
    try:
        if path.suffix == ".npy":
            X = np.load(path, allow_pickle=False)
        elif path.suffix in (".csv", ".txt"):
            with open(path) as f:
                first = f.readline()
            try:
                [float(v) for v in first.replace(",", " ").split()]
                skip = 0
            except ValueError:
                skip = 1
            X = np.loadtxt(path, delimiter="," if "," in first else None, skiprows=skip, ndmin=2)
        else:
            raise typer.BadParameter(f"{path}: expected a .csv or .npy file", param_hint="--data")
    except typer.BadParameter:
        raise
    except Exception as e:  # numpy's own message names the bad line or value
        raise typer.BadParameter(f"cannot read {path}: {e}", param_hint="--data") from None
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] < 2 or X.shape[0] < 20:
        raise typer.BadParameter(f"{path}: need a 2-D table with >= 2 columns and >= 20 rows, got shape {X.shape}",
                                 param_hint="--data")
    if not np.isfinite(X).all():
        raise typer.BadParameter(f"{path}: contains NaN or inf", param_hint="--data")
    return X


def train_flow(
    data: str = typer.Option("moons", "--data", "-d", help=f"{'|'.join(TOY_NAMES)}|digits|FILE.csv|FILE.npy"),
    epochs: Optional[int] = typer.Option(None, min=1, help="Maximum epochs (default: 300 for toys/files, 1000 for digits)."),
    batch_size: int = typer.Option(256, min=1),
    couplings: int = typer.Option(8, min=1, help="Number of affine couplings."),
    hidden: Optional[str] = typer.Option(None, help="Hidden widths of each conditioner MLP, e.g. 64,64 (default: 64,64; digits 256,256)."),
    lr: float = typer.Option(1e-3, min=0.0, help="Adam learning rate."),
    scale_clamp: float = typer.Option(5.0, min=0.0, help="Bound on the log-scale of each coupling."),
    actnorm: Optional[bool] = typer.Option(None, "--actnorm/--no-actnorm", help="ActNorm after each coupling (default: on for digits)."),
    patience: Optional[int] = typer.Option(None, min=1, help="Early stopping: epochs without held-out improvement (default: 20; digits 40)."),
    max_steps: Optional[int] = typer.Option(None, min=1, help="Stop after this many optimizer steps."),
    n_train: int = typer.Option(10_000, min=20, help="Toys: training points (held-out: half as many)."),
    seed: int = typer.Option(0),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default: runs/flow-<data>)."),
    resume: bool = typer.Option(False, help="Resume from OUT/last.pt."),
    float64: bool = typer.Option(False, "--float64", help="Train in float64."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    threads: Optional[int] = typer.Option(None, min=1, help="CPU threads for torch (default: 1 for 2-D data, torch's default otherwise)."),
) -> None:
    """Train a RealNVP flow; write checkpoints, plots and metrics.json to OUT.

    Data-parallel on CPU: torchrun --nproc_per_node 2 -m adlkit.cli train flow ...
    """
    name = data.lower()
    is_toy, is_digits = name in TOY_NAMES, name == "digits"
    path = None if (is_toy or is_digits) else Path(data)
    if path is not None and path.suffix not in (".csv", ".npy", ".txt"):
        raise typer.BadParameter(f"unknown data {data!r}: use one of {', '.join(TOY_NAMES)}, digits, or a .csv/.npy file",
                                 param_hint="--data")
    widths = parse_widths(hidden) if hidden is not None else None
    if batch_size < 2:
        raise typer.BadParameter("must be at least 2", param_hint="--batch-size")
    X_file = _load_file(path) if path is not None else None
    out = output_dir(out or Path("runs") / f"flow-{path.stem if path is not None else name}")

    import torch

    from adlkit.flows.pipeline import train_flow as run_pipeline
    from adlkit.train import NonFiniteLossError

    if threads is not None:
        torch.set_num_threads(threads)
    elif not is_digits and (X_file is None or X_file.shape[1] <= 8):
        torch.set_num_threads(1)  # small matrices: one thread is fastest
    try:
        run = run_pipeline(
            name if X_file is None else X_file, out, label=data, epochs=epochs, batch_size=batch_size,
            couplings=couplings, hidden=widths, lr=lr, scale_clamp=scale_clamp, actnorm=actnorm, patience=patience,
            max_steps=max_steps, n_train=n_train, seed=seed, resume=resume, float64=float64, progress=not quiet,
            log=typer.echo,
        )
    except NonFiniteLossError as e:
        nonfinite_exit(e)
    if run is None:  # another rank of a torchrun job: rank 0 reports
        return
    typer.echo(run.summary)
    typer.echo(f"wrote {out}/" + ", ".join(p.name for p in run.files))


def sample_flow(
    checkpoint: Path = typer.Argument(..., help="A checkpoint written by `adlkit train flow` (best.pt)."),
    n: int = typer.Option(100, "-n", min=1, help="Number of samples."),
    seed: int = typer.Option(0),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default: the checkpoint's folder)."),
) -> None:
    """Draw N samples from a trained flow; write flow_samples.npy and a plot."""
    flow = load_checkpoint(checkpoint, "RealNVPFlow", "flow")
    out = output_dir(out or checkpoint.parent)
    from adlkit.flows import RealNVP
    from adlkit.flows.pipeline import write_samples

    npy, png = write_samples(RealNVP.from_module(flow), n, out, seed=seed)
    typer.echo(f"wrote {n} samples to {npy} and a plot to {png}")


def register(groups: dict) -> None:
    groups["train"].command("flow")(train_flow)
    groups["sample"].command("flow")(sample_flow)
