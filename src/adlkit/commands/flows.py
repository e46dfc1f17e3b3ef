"""``adlkit train flow`` and ``adlkit sample flow``: RealNVP on real data, with plots."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

import typer

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
    try:
        widths = [int(h) for h in (hidden or ("256,256" if is_digits else "64,64")).split(",") if h.strip()]
        if not widths or min(widths) < 1:
            raise ValueError
    except ValueError:
        raise typer.BadParameter(f"expected comma-separated positive integers, got {hidden!r}", param_hint="--hidden") from None
    if batch_size < 2:
        raise typer.BadParameter("must be at least 2", param_hint="--batch-size")
    X_file = _load_file(path) if path is not None else None

    import numpy as np
    import torch

    from adlkit import plotting
    from adlkit.flows import RealNVP
    from adlkit.train import NonFiniteLossError

    if threads is not None:
        torch.set_num_threads(threads)
    elif not is_digits and (X_file is None or X_file.shape[1] <= 8):
        torch.set_num_threads(1)  # small matrices: one thread is fastest
    out = out or Path("runs") / f"flow-{path.stem if path is not None else name}"
    out.mkdir(parents=True, exist_ok=True)
    common = dict(n_couplings=couplings, hidden=widths, scale_clamp=scale_clamp or None, lr=lr,
                  batch_size=batch_size, max_steps=max_steps, seed=seed, checkpoint_dir=str(out),
                  progress=not quiet, dtype="float64" if float64 else "float32")
    transform = None
    if is_digits:
        from adlkit.data import digits as dg
        from adlkit.data import registry

        s = registry.load("digits")
        X = s.train.astype(np.float64)
        X_val = dg.dequantize(s.val, random_state=1)
        X_test = dg.dequantize(s.test, random_state=2)
        transform = dg.dequantize
        est = RealNVP(mask="checkerboard", image_shape=dg.SHAPE, logit_alpha=0.05,
                      actnorm=True if actnorm is None else actnorm, epochs=epochs or 1000,
                      patience=patience or 40, **common)
    else:
        if is_toy:
            from adlkit.data import registry

            # validation (early stopping) and test are separate samples (adlkit.data.registry)
            X, X_val, X_test = registry.load(name, seed, n_train=n_train, n_val=n_train // 2, n_test=n_train // 2)
        else:
            rng = np.random.default_rng(seed)
            perm = rng.permutation(len(X_file))
            n_val = max(len(X_file) // 10, 1)
            X, X_val = X_file[perm[n_val:]], X_file[perm[:n_val]]
            X_test = None
        est = RealNVP(standardize=True, actnorm=bool(actnorm), epochs=epochs or 300, patience=patience or 20, **common)

    if os.environ.get("RANK", "0") == "0":  # under torchrun only rank 0 talks
        typer.echo(f"training RealNVP on {data}: {X.shape[0]} train / {X_val.shape[0]} held-out rows, "
                   f"{X.shape[1]} dims, {couplings} couplings, MLP {widths}; output in {out}/")
    try:
        est.fit(X, X_val, transform=transform, resume=resume)
    except NonFiniteLossError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    import torch.distributed as dist

    if dist.is_initialized():  # under torchrun: rank 0 reports and plots
        rank = dist.get_rank()
        dist.destroy_process_group()
        if rank != 0:
            return
    res = est.result_
    metrics: dict = {"data": data, "steps": res.steps, "epochs": len(res.history), "stopped": res.stopped,
                     "best_epoch": res.best_epoch, "train_seconds": res.train_seconds,
                     "steps_per_s": res.steps / max(res.train_seconds, 1e-9),
                     "held_out_nll_nats": -est.score(X_val)}
    if is_toy:  # the test split, never seen in training or model selection
        metrics["test_nll_nats"] = -est.score(X_test)
    plotting.training_curve(res.history, out / "curve.png", best_epoch=res.best_epoch)
    if is_digits:
        from adlkit.data import digits as dg

        ll = est.score_samples(X_test)
        metrics["test_nll_nats"] = float(-ll.mean())
        metrics["test_bits_per_dim"] = float(dg.bits_per_dim(ll).mean())
        samples = est.sample(100, random_state=seed)
        plotting.image_grid(np.clip(samples, 0, 1), out / "samples.png", dg.SHAPE,
                            title=f"RealNVP samples ({metrics['test_bits_per_dim']:.3f} bits/dim)")
    else:
        samples = est.sample(5000, random_state=seed)
        if X.shape[1] == 2:
            plotting.density_2d(est.score_samples, out / "density.png", data=X,
                                title=f"RealNVP density (held-out NLL {metrics['held_out_nll_nats']:.3f})")
        plotting.scatter_2d(samples[:, :2], out / "samples.png", data=X[:, :2])
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    summary = f"held-out NLL {metrics['held_out_nll_nats']:.4f} nats"
    if is_toy:
        summary += f"; test NLL {metrics['test_nll_nats']:.4f} nats (data units)"
    if is_digits:
        summary += f"; test NLL {metrics['test_nll_nats']:.2f} nats/image = {metrics['test_bits_per_dim']:.4f} bits/dim"
    typer.echo(f"done: {res.steps} steps, {res.stopped}, best epoch {res.best_epoch}; {summary}")
    typer.echo(f"wrote {out}/best.pt, last.pt, curve.png, samples.png" + ("" if is_digits else ", density.png")
               + ", metrics.json")


def sample_flow(
    checkpoint: Path = typer.Argument(..., help="A checkpoint written by `adlkit train flow` (best.pt)."),
    n: int = typer.Option(100, "-n", min=1, help="Number of samples."),
    seed: int = typer.Option(0),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default: the checkpoint's folder)."),
) -> None:
    """Draw N samples from a trained flow; write samples.npy and a plot."""
    if not checkpoint.is_file():
        raise typer.BadParameter(f"no such file: {checkpoint}", param_hint="CHECKPOINT")
    import numpy as np

    from adlkit import plotting
    from adlkit.flows import RealNVP, RealNVPFlow
    from adlkit.train import load_model

    try:
        flow = load_model(checkpoint)
    except Exception as e:
        raise typer.BadParameter(f"cannot load {checkpoint}: {e}", param_hint="CHECKPOINT") from None
    if not isinstance(flow, RealNVPFlow):
        raise typer.BadParameter(f"{checkpoint} holds a {type(flow).__name__}, not a flow", param_hint="CHECKPOINT")
    est = RealNVP.from_flow(flow)
    X = est.sample(n, random_state=seed)
    out = out or checkpoint.parent
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "flow_samples.npy", X)
    shape = flow.get_config()["image_shape"]
    if shape is not None:
        plotting.image_grid(np.clip(X[:100], 0, 1), out / "flow_samples.png", shape)
    else:
        plotting.scatter_2d(X[:, :2], out / "flow_samples.png")
    typer.echo(f"wrote {n} samples to {out}/flow_samples.npy and a plot to {out}/flow_samples.png")


def register(groups: dict) -> None:
    groups["train"].command("flow")(train_flow)
    groups["sample"].command("flow")(sample_flow)
