"""``adlkit compare``: held-out log-likelihoods of the density models on one split."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from adlkit.commands._common import check_data, nonfinite_exit, output_dir


def compare_cmd(
    data: str = typer.Option("moons", "--data", "-d", help=f"{'|'.join(('moons', '8gaussians', 'checkerboard'))}|... or digits"),
    seed: int = typer.Option(0),
    quick: bool = typer.Option(False, "--quick", help="Small budgets (a smoke run, minutes): numbers not comparable to the benchmark."),
    steps_scale: float = typer.Option(1.0, min=0.01, help="Multiply every training budget (flow 3000, VAE 5000, EBM 3000 steps on toys)."),
    n_importance: int = typer.Option(5000, min=1, help="Importance samples of the VAE's log-likelihood."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder [default: runs/compare-<data>]."),
    threads: int = typer.Option(1, min=1, help="torch intra-op threads (1 is fastest for these small MLPs, and on a loaded machine)."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Held-out log-likelihood of the flow, the VAE and the EBM (toys), or of every likelihood
    model of the course (digits: Bernoulli pixels, FVSBN, MADE, PixelCNN, the VAE, the
    dequantised flow, ...), on the same split; prints the table (nats, bits/dim, parameters,
    training time) and writes one figure of samples."""
    name = check_data(data)
    out = output_dir(out or Path("runs") / f"compare-{name}")  # before any training
    import torch

    torch.set_num_threads(threads)
    from adlkit.compare import compare, digits_entries, format_table
    from adlkit.train import NonFiniteLossError

    try:
        rows, fig = compare(name, seed=seed, quick=quick, n_importance=n_importance, out=out, progress=not quiet,
                            log=typer.echo, steps_scale=steps_scale)
    except NonFiniteLossError as e:
        nonfinite_exit(e)
    typer.echo(format_table(rows, name, digits_entries()[1] if name == "digits" else ()))
    (out / "table.json").write_text(json.dumps(rows, indent=1))
    typer.echo(f"wrote {fig} and {out}/table.json")


def register(groups: dict) -> None:
    groups["app"].command("compare")(compare_cmd)
