"""``adlkit train planar``: a planar flow fitted by variational inference (reverse KL) to one of
Rezende and Mohamed's 2-D test energies, its density plotted beside the true one.

A thin adapter: it checks the options and the output folder, then calls
:func:`adlkit.flows.vi.train_planar`, which trains, evaluates and writes the files."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from adlkit.commands._common import nonfinite_exit, output_dir

ENERGY_NAMES = ("u1", "u2", "u3", "u4")


def train_planar(
    energy: str = typer.Option("u1", "--energy", "-e", help="The target exp(-U): u1|u2|u3|u4 (Rezende & Mohamed 2015, Table 1)."),
    layers: int = typer.Option(16, "--layers", "-K", min=1, help="Number of planar layers K."),
    steps: int = typer.Option(5000, min=1, help="Adam steps."),
    batch_size: int = typer.Option(256, min=1, help="Base samples per step."),
    lr: float = typer.Option(1e-2, min=0.0, help="Adam learning rate."),
    anneal: int = typer.Option(0, min=0, help="Anneal beta from 0.01 to 1 over this many steps (0: none)."),
    seed: int = typer.Option(0),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default: runs/planar-<energy>)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Fit a K-layer planar flow to exp(-U) by minimising E_q[log q + U]; write planar_density.png
    (q beside p), curve.png, best.pt/last.pt and metrics.json (true KL(q||p) with log Z by quadrature)."""
    name = energy.lower()
    if name not in ENERGY_NAMES:
        raise typer.BadParameter(f"unknown energy {energy!r}: use one of {', '.join(ENERGY_NAMES)}", param_hint="--energy")
    out = output_dir(out or Path("runs") / f"planar-{name}")

    import torch

    from adlkit.flows.vi import train_planar as run_pipeline
    from adlkit.train import NonFiniteLossError

    torch.set_num_threads(1)  # 2-D, small matrices: one thread is fastest
    try:
        run = run_pipeline(name, out, layers=layers, steps=steps, seed=seed, batch_size=batch_size, lr=lr,
                           anneal_steps=anneal, progress=not quiet, log=typer.echo)
    except NonFiniteLossError as e:
        nonfinite_exit(e)
    m = run.metrics
    typer.echo(f"KL(q||p) = {m['kl_nats']:.4f} nats (at init {m['kl_at_init_nats']:.4f}); "
               f"E_q[log q + U] = {m['loss']:.4f} ± {m['loss_se']:.4f}, log Z = {m['log_z']:.4f}; "
               f"{m['steps']} steps at {m['steps_per_s']:.0f} steps/s")
    typer.echo(f"wrote {out}/" + ", ".join(p.name for p in run.files))


def register(groups: dict) -> None:
    groups["train"].command("planar")(train_planar)
