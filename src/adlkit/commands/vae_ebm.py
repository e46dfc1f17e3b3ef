"""``adlkit train vae|ebm``, ``adlkit sample vae|ebm`` and ``adlkit compare``.

Data: the 2-D toys (standardised, :func:`adlkit.data.toys.load`: train seed ``seed``, held-out
seed ``seed + 1_000_003``; early stopping on a third sample, seed ``seed + 2_000_006``) or the
binarized digits (pixel > 8; train / val / test splits of :mod:`adlkit.data.digits`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

TOY_NAMES = ("moons", "circles", "8gaussians", "25gaussians", "checkerboard", "spirals", "swissroll")
VAL_SEED_OFFSET = 2_000_006


def _check_data(data: str, allow_digits: bool = True) -> str:
    name = data.lower()
    ok = TOY_NAMES + (("digits",) if allow_digits else ())
    if name not in ok:
        raise typer.BadParameter(f"unknown data set {data!r}; choose one of {', '.join(ok)}", param_hint="--data")
    return name


def _widths(hidden: str, opt: str = "--hidden") -> list[int]:
    try:
        w = [int(h) for h in hidden.split(",") if h.strip()]
        if not w or min(w) < 1:
            raise ValueError
    except ValueError:
        raise typer.BadParameter(f"expected comma-separated positive integers, got {hidden!r}", param_hint=opt) from None
    return w


def load_split(name: str, seed: int = 0, n_train: int = 10_000, n_test: int = 5_000):
    """``(train, val, test)`` float64 arrays for a toy (standardised) or binarized digits."""
    import numpy as np

    if name == "digits":
        from adlkit.data import digits as dg

        return tuple(dg.binarize(dg.load_digits(s, seed=0)[0]).astype(np.float64) for s in ("train", "val", "test"))
    from adlkit.data import toys

    X, X_test = toys.load(name, n_train, n_test, seed=seed, standardize=True)
    X_val = toys.sample(name, max(n_test // 2, 500), random_state=seed + VAL_SEED_OFFSET, standardize=True)
    return X, X_val, X_test


def _nonfinite_exit(e: Exception) -> None:
    typer.echo(f"error: {e}", err=True)
    raise typer.Exit(1)


# --------------------------------------------------------------------------------------------
def train_vae(
    data: str = typer.Option("digits", "--data", "-d", help=f"digits|{'|'.join(TOY_NAMES)}"),
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
    name = _check_data(data)
    widths = _widths(hidden)
    import numpy as np
    import torch

    torch.set_num_threads(threads)
    from adlkit.train import NonFiniteLossError
    from adlkit.vae import VAE
    from adlkit.vae import plots

    X, X_val, X_test = load_split(name, seed)
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
        _nonfinite_exit(e)
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


def train_ebm(
    data: str = typer.Option("moons", "--data", "-d", help="|".join(TOY_NAMES)),
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
    name = _check_data(data, allow_digits=False)
    if method not in ("cd", "dsm"):
        raise typer.BadParameter(f"expected cd or dsm, got {method!r}", param_hint="--method")
    if not step_size > 0 or not dsm_sigma > 0:
        raise typer.BadParameter("step size and DSM sigma must be > 0", param_hint="--step-size/--dsm-sigma")
    widths = _widths(hidden)
    import torch

    torch.set_num_threads(threads)
    from adlkit.ebm import EBM
    from adlkit.ebm import plots
    from adlkit.train import NonFiniteLossError

    X, X_val, X_test = load_split(name, seed)
    out = out or Path("runs") / f"ebm-{name}"
    out.mkdir(parents=True, exist_ok=True)
    ebm = EBM(hidden=widths, method=method, lr=lr, langevin_steps=langevin_steps, step_size=step_size,
              dsm_sigma=dsm_sigma, epochs=epochs, batch_size=batch_size, patience=patience, max_steps=max_steps,
              random_state=seed, checkpoint_dir=str(out), progress=not quiet)
    what = ("mean E(data) - mean E(Langevin negatives) + alpha * energy^2" if method == "cd"
            else "1/2 |eps - sigma grad E(x + sigma eps)|^2 summed over dims")
    typer.echo(f"training EBM ({method}) on {name}: {X.shape[0]} train / {X_val.shape[0]} val / {X_test.shape[0]} test; "
               f"loss = mean over batch of [{what}]; held-out loss = NLL with Z by quadrature; output in {out}/")
    try:
        ebm.fit(X, X_val)
    except NonFiniteLossError as e:
        _nonfinite_exit(e)
    res = ebm.result_
    metrics = {"data": name, "method": method, "seed": seed, "steps": res.steps, "epochs": len(res.history),
               "stopped": res.stopped, "best_epoch": res.best_epoch, "train_seconds": res.train_seconds,
               "log_z_quadrature": ebm.log_z_, "log_z_quadrature_2x": ebm.module_.log_z_quadrature(2 * ebm.quad_points)}
    if ais:
        typer.echo("estimating log Z by annealed importance sampling ...")
        r = ebm.module_.log_z_ais(n_chains=1000, n_temps=1000, generator=torch.Generator().manual_seed(seed))
        metrics.update(log_z_ais=r.log_z, log_z_ais_stderr=r.stderr, log_z_ais_ess=r.ess)
        typer.echo(f"{r}; quadrature {ebm.log_z_:.4f}; difference {r.log_z - ebm.log_z_:+.4f}")
    ll = ebm.score_samples(X_test)
    metrics["test_loglik_nats"] = float(ll.mean())
    metrics["test_loglik_bits_per_dim"] = float(ll.mean() / (2 * __import__("math").log(2)))
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    files = plots.ebm_figures(ebm, X_test, out, history=res.history, best_epoch=res.best_epoch, seed=seed,
                              n_samples=plot_samples)
    typer.echo(f"done: {res.steps} steps ({res.stopped}, best epoch {res.best_epoch}); test log-likelihood "
               f"{ll.mean():.4f} nats (standardised space, Z by quadrature)")
    typer.echo(f"wrote {out}/best.pt, metrics.json, " + ", ".join(p.name for p in files))


# --------------------------------------------------------------------------------------------
def _load(checkpoint: Path, cls_name: str, what: str):
    if not checkpoint.is_file():
        raise typer.BadParameter(f"no such file: {checkpoint}", param_hint="CHECKPOINT")
    from adlkit.train import load_model

    try:
        model = load_model(checkpoint)
    except Exception as e:
        raise typer.BadParameter(f"cannot load {checkpoint}: {e}", param_hint="CHECKPOINT") from None
    if type(model).__name__ != cls_name:
        raise typer.BadParameter(f"{checkpoint} holds a {type(model).__name__}, not a {what}", param_hint="CHECKPOINT")
    return model


def sample_vae(
    checkpoint: Path = typer.Argument(..., help="A checkpoint written by `adlkit train vae` (best.pt)."),
    n: int = typer.Option(100, "-n", min=1),
    mean: bool = typer.Option(False, "--mean", help="Decoder means (pixel probabilities) instead of samples."),
    seed: int = typer.Option(0),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder [default: the checkpoint's folder]."),
) -> None:
    """Draw N samples from a trained VAE; write vae_samples.npy and a plot."""
    import numpy as np

    from adlkit.vae import VAE
    from adlkit.vae import plots

    vae = VAE.from_module(_load(checkpoint, "VAEModule", "VAE"))
    X = vae.sample(n, random_state=seed, mean=mean)
    out = out or checkpoint.parent
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "vae_samples.npy", X)
    p = plots.samples_figure(X, out / "vae_samples.png", vae.module_.get_config()["image_shape"])
    typer.echo(f"wrote {n} samples to {out}/vae_samples.npy and a plot to {p}")


def sample_ebm(
    checkpoint: Path = typer.Argument(..., help="A checkpoint written by `adlkit train ebm` (best.pt)."),
    n: int = typer.Option(2000, "-n", min=1),
    steps: int = typer.Option(500, min=1, help="Metropolis-adjusted Langevin steps from uniform starts."),
    seed: int = typer.Option(0),
    out: Optional[Path] = typer.Option(None, "--out", "-o"),
) -> None:
    """Draw N samples from a trained EBM by Metropolis-adjusted Langevin; write ebm_samples.npy and a plot."""
    import numpy as np
    import torch

    from adlkit.ebm import plots

    module = _load(checkpoint, "EBMModule", "EBM")
    X = module.sample(n, steps, generator=torch.Generator().manual_seed(seed)).numpy()
    out = out or checkpoint.parent
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "ebm_samples.npy", X)
    p = plots.samples_figure(X, out / "ebm_samples.png")
    typer.echo(f"wrote {n} samples to {out}/ebm_samples.npy and a plot to {p}")


# --------------------------------------------------------------------------------------------
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
    """Held-out log-likelihood of the flow, the VAE and the EBM (toys), or of the Bernoulli
    pixel model, the VAE and the dequantised flow (digits), on the same split; prints the
    table (nats and bits/dim) and writes one figure."""
    name = _check_data(data)
    import torch

    torch.set_num_threads(threads)
    from adlkit.compare import compare, format_table

    out = out or Path("runs") / f"compare-{name}"
    out.mkdir(parents=True, exist_ok=True)
    from adlkit.train import NonFiniteLossError

    try:
        rows, fig = compare(name, seed=seed, quick=quick, n_importance=n_importance, out=out, progress=not quiet,
                            log=typer.echo, steps_scale=steps_scale)
    except NonFiniteLossError as e:
        _nonfinite_exit(e)
    typer.echo(format_table(rows, name))
    (out / "table.json").write_text(json.dumps(rows, indent=1))
    typer.echo(f"wrote {fig} and {out}/table.json")


def register(groups: dict) -> None:
    groups["train"].command("vae")(train_vae)
    groups["train"].command("ebm")(train_ebm)
    groups["sample"].command("vae")(sample_vae)
    groups["sample"].command("ebm")(sample_ebm)
    groups["app"].command("compare")(compare_cmd)
