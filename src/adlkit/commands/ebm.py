"""``adlkit train ebm`` and ``adlkit sample ebm``: an energy-based model on a 2-D toy;
``adlkit train rbm``: a restricted Boltzmann machine on binarized digits."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from adlkit.commands._common import check_data, load_checkpoint, nonfinite_exit, output_dir, parse_widths
from adlkit.data.registry import names


def train_ebm(
    data: str = typer.Option("moons", "--data", "-d", help="|".join(names("toy"))),
    method: str = typer.Option("cd", help="cd (persistent contrastive divergence, Langevin) | dsm (denoising score matching)."),
    hidden: str = typer.Option("128,128,128", help="Hidden widths of the energy MLP."),
    epochs: int = typer.Option(60, min=1),
    batch_size: int = typer.Option(256, min=2),
    lr: float = typer.Option(1e-3, min=0.0),
    langevin_steps: int = typer.Option(20, min=1, help="CD: Langevin steps per update."),
    step_size: float = typer.Option(1e-2, min=0.0, help="CD: Langevin step size (standardised units)."),
    dsm_sigma: float = typer.Option(0.1, min=0.0, help="DSM: noise level (standardised units)."),
    patience: int = typer.Option(15, min=1),
    max_steps: Optional[int] = typer.Option(None, min=1),
    ais: bool = typer.Option(True, "--ais/--no-ais", help="Also estimate log Z by AIS and compare with quadrature."),
    plot_samples: int = typer.Option(2000, min=1, help="Langevin samples drawn for samples.png."),
    seed: int = typer.Option(0),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder [default: runs/ebm-<data>]."),
    threads: int = typer.Option(1, min=1, help="torch intra-op threads (1 is fastest for these small MLPs, and on a loaded machine)."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Train an energy-based model on a 2-D toy; Z by grid quadrature (and AIS). Writes
    best.pt, density and sample plots, metrics.json."""
    name = check_data(data, allow_digits=False)
    if method not in ("cd", "dsm"):
        raise typer.BadParameter(f"expected cd or dsm, got {method!r}", param_hint="--method")
    if not step_size > 0 or not dsm_sigma > 0:
        raise typer.BadParameter("step size and DSM sigma must be > 0", param_hint="--step-size/--dsm-sigma")
    widths = parse_widths(hidden)
    out = output_dir(out or Path("runs") / f"ebm-{name}")
    import torch

    torch.set_num_threads(threads)
    from adlkit.ebm.pipeline import train_and_evaluate
    from adlkit.train import NonFiniteLossError

    try:
        report = train_and_evaluate(
            name, seed=seed, out_dir=out, ais=ais, plot_samples=plot_samples, log=typer.echo, hidden=widths,
            method=method, lr=lr, langevin_steps=langevin_steps, step_size=step_size, dsm_sigma=dsm_sigma,
            epochs=epochs, batch_size=batch_size, patience=patience, max_steps=max_steps, progress=not quiet)
    except NonFiniteLossError as e:
        nonfinite_exit(e)
    typer.echo(f"wrote {out}/best.pt, " + ", ".join(p.name for p in report.files))


def sample_ebm(
    checkpoint: Path = typer.Argument(..., help="A checkpoint written by `adlkit train ebm` (best.pt)."),
    n: int = typer.Option(2000, "-n", min=1),
    steps: int = typer.Option(500, min=1, help="Metropolis-adjusted Langevin steps from uniform starts."),
    seed: int = typer.Option(0),
    out: Optional[Path] = typer.Option(None, "--out", "-o"),
) -> None:
    """Draw N samples from a trained EBM by Metropolis-adjusted Langevin; write ebm_samples.npy and a plot."""
    import torch

    from adlkit import plotting
    from adlkit.ebm.plots import SAMPLES_TITLE

    module = load_checkpoint(checkpoint, "EBMModule", "EBM")
    out = output_dir(out or checkpoint.parent)
    X = module.sample(n, steps, generator=torch.Generator().manual_seed(seed)).numpy()
    npy, png = plotting.write_samples(X, out, "ebm_samples", title=SAMPLES_TITLE)
    typer.echo(f"wrote {n} samples to {npy} and a plot to {png}")


def train_rbm(
    hidden: int = typer.Option(100, min=1, help="Hidden units."),
    method: str = typer.Option("pcd", help="pcd (persistent contrastive divergence) | cd (CD-k from the data)."),
    k: int = typer.Option(1, min=1, help="Gibbs steps per update."),
    epochs: int = typer.Option(30, min=1),
    batch_size: int = typer.Option(10, min=1),
    lr: float = typer.Option(0.06, min=0.0),
    ais_chains: int = typer.Option(500, min=2),
    ais_temps: int = typer.Option(5000, min=1),
    seed: int = typer.Option(0),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder [default: runs/rbm-digits]."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Train an RBM on binarized 8x8 digits with CD-k or PCD (SGD); test log-likelihood by AIS.
    Writes best.pt, samples.npy/png and metrics.json."""
    if method not in ("cd", "pcd"):
        raise typer.BadParameter(f"expected pcd or cd, got {method!r}", param_hint="--method")
    if not lr > 0:
        raise typer.BadParameter("the learning rate must be > 0", param_hint="--lr")
    out = output_dir(out or Path("runs") / "rbm-digits")
    import json

    import torch

    torch.set_num_threads(1)
    from adlkit import plotting
    from adlkit.data.registry import density_split
    from adlkit.ebm.rbm_model import RBMEstimator
    from adlkit.train import NonFiniteLossError, save_checkpoint

    s = density_split("digits", seed)
    try:
        est = RBMEstimator(n_hidden=hidden, method=method, k=k, lr=lr, batch_size=batch_size, epochs=epochs,
                           random_state=seed, ais_chains=ais_chains, ais_temps=ais_temps, progress=not quiet).fit(s.train)
    except NonFiniteLossError as e:
        nonfinite_exit(e)
    metrics = {"test_ll": float(est.score(s.test)), "how": f"AIS ({ais_chains} chains, {ais_temps} temperatures)",
               "log_z": est.log_z_, "log_z_stderr": est.ais_.stderr if est.ais_ is not None else 0.0,
               "test_pseudo_ll": float(est.pseudo_likelihood(s.test).mean()), "parameters": est.n_parameters(),
               "seconds": est.fit_seconds_, "method": method, "k": k, "epochs": epochs}
    save_checkpoint(est.module_, out / "best.pt", metrics=metrics)
    files = plotting.write_samples(est.sample(100, random_state=seed), out, "samples", image_shape=(8, 8),
                                   title=f"RBM samples ({method.upper()}-{k})")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    typer.echo(f"test log-likelihood {metrics['test_ll']:.3f} nats/image ({metrics['how']}), pseudo-LL "
               f"{metrics['test_pseudo_ll']:.3f}; wrote {out}/best.pt, " + ", ".join(p.name for p in files) + ", metrics.json")


def train_score(
    data: str = typer.Option("moons", "--data", "-d", help="|".join(names("toy"))),
    hidden: str = typer.Option("128,128,128", help="Hidden widths of the score MLP."),
    sigma_max: float = typer.Option(1.0, help="Largest noise level (standardised units)."),
    sigma_min: float = typer.Option(0.01, help="Smallest noise level (standardised units)."),
    n_sigmas: int = typer.Option(10, min=2, help="Noise levels (geometric)."),
    epochs: int = typer.Option(200, min=1),
    batch_size: int = typer.Option(256, min=2),
    lr: float = typer.Option(1e-3, min=0.0),
    steps_per_level: int = typer.Option(100, min=1, help="Annealed Langevin steps per noise level."),
    step_ratio: float = typer.Option(0.2, help="Langevin step at level i: step_ratio * sigma_i^2."),
    n: int = typer.Option(2000, "-n", min=10, help="Samples drawn, and held-out points for W1."),
    seed: int = typer.Option(0),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder [default: runs/score-<data>]."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Train a noise-conditional score network (denoising score matching) on a 2-D toy; sample by
    annealed Langevin dynamics; exact W1 to held-out data next to the two-sample floor. Writes
    best.pt, samples.npy/png and metrics.json."""
    name = check_data(data, allow_digits=False)
    if not 0 < sigma_min < sigma_max:
        raise typer.BadParameter("need 0 < sigma_min < sigma_max", param_hint="--sigma-min/--sigma-max")
    if not step_ratio > 0 or not lr > 0:
        raise typer.BadParameter("the step ratio and the learning rate must be > 0", param_hint="--step-ratio/--lr")
    widths = parse_widths(hidden)
    out = output_dir(out or Path("runs") / f"score-{name}")
    import json

    import torch

    torch.set_num_threads(1)
    from adlkit import plotting
    from adlkit.data.registry import toy_part
    from adlkit.ebm.score_model import ScoreModel, wasserstein1
    from adlkit.train import NonFiniteLossError, save_checkpoint

    try:
        est = ScoreModel(hidden=widths, sigma_max=sigma_max, sigma_min=sigma_min, n_sigmas=n_sigmas, lr=lr, epochs=epochs,
                         batch_size=batch_size, random_state=seed, progress=not quiet).fit(toy_part(name, "train", 10_000, seed))
    except NonFiniteLossError as e:
        nonfinite_exit(e)
    test, val = toy_part(name, "test", n, seed), toy_part(name, "val", n, seed)
    S = est.sample(n, random_state=seed, steps_per_level=steps_per_level, step_ratio=step_ratio)
    metrics = {"data": name, "w1": wasserstein1(S, test), "w1_floor": wasserstein1(val, test), "n": n,
               "seconds": est.fit_seconds_, "steps_per_level": steps_per_level, "step_ratio": step_ratio}
    metrics["ratio"] = metrics["w1"] / metrics["w1_floor"]
    save_checkpoint(est.module_, out / "best.pt", metrics=metrics)
    files = plotting.write_samples(S, out, "samples", data=test, title=f"score model samples ({name})")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    typer.echo(f"W1 {metrics['w1']:.4f} to {n} held-out points; floor (held-out vs held-out) {metrics['w1_floor']:.4f} "
               f"(ratio {metrics['ratio']:.2f}); wrote {out}/best.pt, " + ", ".join(p.name for p in files) + ", metrics.json")


def register(groups: dict) -> None:
    groups["train"].command("ebm")(train_ebm)
    groups["train"].command("rbm")(train_rbm)
    groups["train"].command("score")(train_score)
    groups["sample"].command("ebm")(sample_ebm)
