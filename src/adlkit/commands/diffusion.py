"""``adlkit train diffusion`` and ``adlkit sample diffusion``: a DDPM on a 2-D toy or the digits."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from adlkit.commands._common import check_data, load_checkpoint, nonfinite_exit, output_dir, parse_widths
from adlkit.data.registry import names


def train_diffusion(
    data: str = typer.Option("moons", "--data", "-d", help="|".join(names("toy")) + "|digits"),
    hidden: str = typer.Option("128,128,128", help="Hidden widths of the toys' epsilon MLP."),
    channels: int = typer.Option(64, min=1, help="Channels of the digits' convolutional epsilon network."),
    steps: int = typer.Option(1000, min=2, help="Diffusion steps T."),
    schedule: str = typer.Option("linear", help="linear | cosine."),
    epochs: int = typer.Option(100, min=1),
    batch_size: int = typer.Option(256, min=2),
    lr: float = typer.Option(2e-3, min=0.0),
    lr_decay: str = typer.Option("linear", help="linear (Adam's rate decays to 0 over the run) | none (constant)."),
    ema: Optional[float] = typer.Option(None, "--ema", help="Sample and score with an exponential moving average "
                                        "of the weights of this decay, in [0, 1) (e.g. 0.999) [default: off]."),
    patience: Optional[int] = typer.Option(None, min=1, help="Early stopping on the held-out L_simple (epochs)."),
    max_steps: Optional[int] = typer.Option(None, min=1),
    seed: int = typer.Option(0),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder [default: runs/diffusion-<data>]."),
    threads: int = typer.Option(1, min=1, help="torch intra-op threads."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Train a DDPM (L_simple) on a 2-D toy or the binarized digits; writes best.pt, metrics.json
    (the test variational bound), samples, the forward process and reverse trajectories."""
    name = check_data(data, allow_digits=True)
    if schedule not in ("linear", "cosine"):
        raise typer.BadParameter(f"expected linear or cosine, got {schedule!r}", param_hint="--schedule")
    from adlkit.diffusion.model import LR_DECAYS

    if lr_decay not in LR_DECAYS:
        raise typer.BadParameter(f"expected {' or '.join(LR_DECAYS)}, got {lr_decay!r}", param_hint="--lr-decay")
    if ema is not None and not 0.0 <= ema < 1.0:
        raise typer.BadParameter(f"expected a decay in [0, 1), got {ema}", param_hint="--ema")
    widths = parse_widths(hidden)
    out = output_dir(out or Path("runs") / f"diffusion-{name}")
    import torch

    torch.set_num_threads(threads)
    from adlkit.diffusion.pipeline import train_and_evaluate
    from adlkit.train import NonFiniteLossError

    try:
        report = train_and_evaluate(name, seed=seed, out_dir=out, log=typer.echo, hidden=widths, channels=channels,
                                    steps=steps, schedule=schedule, epochs=epochs, batch_size=batch_size, lr=lr,
                                    lr_decay=lr_decay, ema_decay=ema, patience=patience, max_steps=max_steps, progress=not quiet)
    except NonFiniteLossError as e:
        nonfinite_exit(e)
    typer.echo(f"wrote {out}/best.pt, " + ", ".join(p.name for p in report.files))


def sample_diffusion(
    checkpoint: Path = typer.Argument(..., help="A checkpoint written by `adlkit train diffusion` (best.pt)."),
    n: int = typer.Option(2000, "-n", min=1),
    sampler: str = typer.Option("ddpm", help="ddpm (all T ancestral steps) | ddim (strided)."),
    steps: int = typer.Option(50, min=1, help="DDIM: number of strided steps."),
    eta: float = typer.Option(0.0, min=0.0, help="DDIM: eta (0 deterministic, 1 the DDPM posterior's noise)."),
    spacing: str = typer.Option("leading", help="DDIM: the visited time steps, leading (1, 1 + T//n, ...) | "
                                                "trailing (..., T - T/n, T), diffusers' timestep_spacing | "
                                                "quadratic (the DDIM paper's, crowded near t = 0)."),
    seed: int = typer.Option(0),
    out: Optional[Path] = typer.Option(None, "--out", "-o"),
) -> None:
    """Draw N samples from a trained diffusion model by DDPM or DDIM; write diffusion_samples.npy and plots."""
    from adlkit.commands._common import fail
    from adlkit.diffusion.schedule import SPACINGS

    if sampler not in ("ddpm", "ddim"):
        raise typer.BadParameter(f"expected ddpm or ddim, got {sampler!r}", param_hint="--sampler")
    if spacing not in SPACINGS:
        raise typer.BadParameter(f"expected one of {', '.join(SPACINGS)}, got {spacing!r}", param_hint="--spacing")
    module = load_checkpoint(checkpoint, "DiffusionModule", "diffusion model")
    if sampler == "ddim" and steps > module.config.steps:
        fail(f"--steps {steps} exceeds the model's T = {module.config.steps}")
    out = output_dir(out or checkpoint.parent)
    import torch

    from adlkit import plotting

    g = torch.Generator().manual_seed(seed)
    x = module.sample(n, None if sampler == "ddpm" else steps, sampler, eta, generator=g, spacing=spacing)
    X = module.decode(x).double().numpy()
    c = module.config
    shape = c.image_shape if c.network == "conv" else None
    title = f"{sampler.upper()} samples ({f'{steps} {spacing} steps' if sampler == 'ddim' else f'{c.steps} steps'})"
    npy, png = plotting.write_samples(X, out, "diffusion_samples", image_shape=shape, title=title)
    typer.echo(f"wrote {n} samples to {npy} and a plot to {png}")


def register(groups: dict) -> None:
    groups["train"].command("diffusion")(train_diffusion)
    groups["sample"].command("diffusion")(sample_diffusion)
