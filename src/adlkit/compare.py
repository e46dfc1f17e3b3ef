r"""One comparison of held-out log-likelihoods across model families, on the same split.

2-D toys (standardised coordinates, :func:`adlkit.data.registry.density_split`): RealNVP (exact
:math:`\log p`), the VAE (importance-sampled :math:`\log p`, IWAE bound with k samples: a lower
bound that is tight as k grows) and the EBM (:math:`-E(x) - \log Z` with :math:`Z` by grid
quadrature, cross-checked by AIS).

Binarized digits (pixel > 8, 64 binary pixels): every likelihood model of the course, one
:class:`DigitsEntry` each in :data:`DIGITS_ENTRIES` (plus the families of :data:`PENDING` once
their package has ``evaluate_digits``): the per-pixel Bernoulli model (exact
:math:`\log P(x)`; MAP with a Beta(2, 2) prior, i.e. add-one smoothing, because some pixels
never fire in training and the MLE would give held-out images :math:`-\infty`), FVSBN, MADE and
PixelCNN (exact, :mod:`adlkit.autoregressive`), the MLP VAE (IWAE) and RealNVP on dequantised
binary images :math:`u = (x + U[0,1)^{64})/2` (marked: measured in its own space), whose
:math:`\mathbb E_u[\log p_u(u)] - 64\log 2` is a lower bound on :math:`\log P(x)` (Theis et
al., 2016) and is what is reported (one dequantisation draw per image).

Conversions: nats per example :math:`\ell`; bits per dimension :math:`-\ell / (D \ln 2)`
(D = 2 for toys, 64 for digits). Higher :math:`\ell` is better, lower bits/dim is better.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from adlkit.plotting import save, subplots

SETTINGS = {
    # (full, quick) budgets in optimiser steps
    "flow_steps": (3000, 300),
    "vae_steps": (5000, 400),
    "ebm_steps": (3000, 300),
    "digits_vae_steps": (6000, 400),
    "digits_flow_steps": (4000, 300),
}


def _row(model: str, ll: np.ndarray, dim: int, how: str, seconds: float, **extra: Any) -> dict[str, Any]:
    m = float(np.mean(ll))
    se = float(np.std(ll, ddof=1) / math.sqrt(len(ll)))
    return {"model": model, "loglik_nats": m, "stderr_nats": se, "bits_per_dim": -m / (dim * math.log(2)),
            "estimator": how, "train_seconds": seconds, **extra}


def format_table(rows: list[dict[str, Any]], data: str, notes: tuple[str, ...] | list[str] = ()) -> str:
    """A plain-text table of the rows of :func:`compare` (digits: with parameters and training
    time, the rows measured in their own space marked ``*``; ``notes`` under it)."""
    if data == "digits":
        return _format_digits(rows, notes)
    dim = 2
    space = f"{data}, standardised coordinates, log p(x) in nats per point"
    lines = [f"held-out log-likelihood on {space}; bits/dim = -loglik / ({dim} ln 2); +- is the standard error over held-out examples",
             f"{'model':<28}{'loglik (nats)':>16}{'+-':>8}{'bits/dim':>10}{'steps':>8}  estimator"]
    for r in rows:
        lines.append(f"{r['model']:<28}{r['loglik_nats']:>16.4f}{r['stderr_nats']:>8.4f}{r['bits_per_dim']:>10.4f}"
                     f"{r.get('steps', ''):>8}  {r['estimator']}")
    return "\n".join(lines)


def _format_digits(rows: list[dict[str, Any]], notes) -> str:
    lines = ["held-out log-likelihood on binarized digits (64 pixels, test split of density_split('digits')): "
             "log P(x) in nats per image, higher is better; bits/dim = -loglik / (64 ln 2); +- is the standard "
             "error over test images; parameters: trainable ones (the masked models: unmasked weights and biases)",
             f"{'model':<38}{'nats/image':>12}{'+-':>7}{'bits/dim':>10}{'parameters':>12}{'train s':>9}  estimator"]
    for r in rows:
        name = r["model"] + (" *" if r.get("own_space") else "")
        lines.append(f"{name:<38}{r['loglik_nats']:>12.3f}{r['stderr_nats']:>7.3f}{r['bits_per_dim']:>10.4f}"
                     f"{r['parameters']:>12,}{r['train_seconds']:>9.1f}  {r['estimator']}")
    for r in rows:
        if r.get("own_space"):
            lines.append(f"* {r['model']}: measured in its own space ({r.get('space', 'continuous')}; "
                         f"{r.get('loglik_own_space', float('nan')):.3f} nats there)")
    lines += [f"- {n}" for n in notes]
    return "\n".join(lines)


def compare(data: str = "moons", seed: int = 0, quick: bool = False, n_importance: int = 5000,
            out: str | Path = "runs/compare", progress: bool = True,
            log: Callable[[str], Any] = print, steps_scale: float = 1.0) -> tuple[list[dict[str, Any]], Path]:
    """Train the models of the comparison on ``data`` and score them on the held-out split.

    Returns ``(rows, figure_path)``; each row has ``model``, ``loglik_nats`` (mean over the
    held-out examples), ``stderr_nats`` (its standard error over examples), ``bits_per_dim``,
    ``estimator``, ``train_seconds``. ``steps_scale`` multiplies every training budget of
    :data:`SETTINGS` (the budgets used are in each row's ``steps``).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if not steps_scale > 0:
        raise ValueError(f"steps_scale must be > 0, got {steps_scale}")
    b = {k: max(1, int(round(v[1 if quick else 0] * steps_scale))) for k, v in SETTINGS.items()}
    if data == "digits":
        return _compare_digits(seed, quick, b, n_importance, out, progress, log)
    return _compare_toy(data, seed, b, n_importance, out, progress, log)


def _vae_row(label: str, X, X_val, X_test, seed: int, n_importance: int, digits: int, **settings):
    """Fit ``VAE(**settings)``; its row: the IWAE log-likelihood of the test rows (k =
    ``n_importance``) with the mean one-sample ELBO over 10 draws beside it."""
    from adlkit.vae import VAE

    t = time.perf_counter()
    vae = VAE(random_state=seed, n_importance=n_importance, **settings).fit(X, X_val)
    secs = time.perf_counter() - t
    ll = vae.score_samples(X_test)
    elbo = float(np.mean([vae.elbo(X_test, random_state=seed + r).mean() for r in range(10)]))
    return vae, _row(label, ll, X.shape[1], f"IWAE k={n_importance} (ELBO {elbo:.{digits}f})", secs, elbo_nats=elbo,
                     steps=vae.result_.steps)


def _compare_toy(name, seed, b, n_importance, out, progress, log):
    import torch

    from adlkit.data.registry import density_split
    from adlkit.ebm import EBM
    from adlkit.flows import RealNVP

    X, X_val, X_test = density_split(name, seed)
    rows = []
    log(f"[1/3] RealNVP on {name} ({b['flow_steps']} steps) ...")
    t = time.perf_counter()
    flow = RealNVP(n_couplings=8, hidden=(64, 64), epochs=10_000, max_steps=b["flow_steps"], patience=None,
                   batch_size=256, random_state=seed, progress=progress).fit(X, X_val)
    rows.append(_row("RealNVP (8 couplings)", flow.score_samples(X_test), 2, "exact", time.perf_counter() - t,
                     steps=flow.result_.steps))
    log(f"[2/3] VAE on {name} ({b['vae_steps']} steps) ...")
    # KL warm-up over the first 30 epochs (1,170 steps): without it the VAE settles in a
    # near-collapsed optimum on the toys (moons: -2.27 nats instead of -1.74 at 3,000 steps).
    vae, row = _vae_row("VAE (latent 2, KL warm-up)", X, X_val, X_test, seed, n_importance, 4, latent_dim=2,
                        hidden=(128, 128), likelihood="gaussian", epochs=10_000, max_steps=b["vae_steps"],
                        patience=None, batch_size=256, warmup_epochs=30, progress=progress)
    rows.append(row)
    log(f"[3/3] EBM on {name} ({b['ebm_steps']} steps of persistent CD) ...")
    t = time.perf_counter()
    ebm = EBM(method="cd", epochs=10_000, max_steps=b["ebm_steps"], patience=None, step_size=1e-2,
              random_state=seed, progress=progress).fit(X, X_val)
    secs = time.perf_counter() - t
    r = ebm.module_.log_z_ais(n_chains=1000 if not b["ebm_steps"] < 1000 else 300,
                              n_temps=1000 if not b["ebm_steps"] < 1000 else 200,
                              generator=torch.Generator().manual_seed(seed))
    rows.append(_row("EBM (CD, Langevin)", ebm.score_samples(X_test), 2,
                     f"Z by quadrature (log Z {ebm.log_z_:.4f}; AIS {r.log_z:.4f} +- {r.stderr:.4f})", secs,
                     log_z_quadrature=ebm.log_z_, log_z_ais=r.log_z, log_z_ais_stderr=r.stderr, steps=ebm.result_.steps))
    fig = _density_figure(name, X_test, [("RealNVP", flow.score_samples), ("VAE (IWAE k=200)",
                          lambda G: vae.score_samples(G, k=200)), ("EBM", ebm.score_samples)], rows,
                          out / f"compare-{name}.png")
    return rows, fig


@dataclass(frozen=True)
class DigitsEntry:
    """One row of the digits table: ``evaluate(seed, quick, **options) -> dict`` in the shape of
    the families' ``evaluate_digits`` (``model``, ``test_ll`` nats per image, ``how``,
    ``parameters``, ``seconds``, ``samples`` (n, 64) in [0, 1]; optional ``test_ll_per_image``,
    ``steps``, ``space``). ``own_space``: the number is measured in the model's own space (the
    dequantized flow), marked in the table."""

    key: str
    evaluate: Callable[..., dict[str, Any]]
    own_space: bool = False
    options: tuple[str, ...] = ()  # the compare() settings it takes: "n_importance", "budgets", "progress"


def _bernoulli_digits(seed: int = 0, quick: bool = False) -> dict[str, Any]:
    from adlkit.data.registry import density_split
    from adlkit.mle import Bernoulli

    X, _, X_test = density_split("digits", seed)
    t = time.perf_counter()
    bern = Bernoulli(per_pixel=True, prior=(2.0, 2.0)).fit(X.astype(np.int64))
    secs = time.perf_counter() - t
    ll = bern.score_samples(X_test.astype(np.int64))
    return {"model": "Bernoulli per pixel", "test_ll": float(ll.mean()), "test_ll_per_image": ll,
            "how": "exact (add-one MAP)", "parameters": X.shape[1], "seconds": secs,
            "samples": bern.sample(16, random_state=seed).reshape(16, 64).astype(float)}


def _n_params(module) -> int:
    return int(sum(p.numel() for p in module.parameters() if p.requires_grad))


def _vae_digits(seed: int = 0, quick: bool = False, n_importance: int = 5000, budgets: dict | None = None,
                progress: bool = False) -> dict[str, Any]:
    from adlkit.data.registry import density_split

    steps = (budgets or {}).get("digits_vae_steps", SETTINGS["digits_vae_steps"][1 if quick else 0])
    X, X_val, X_test = density_split("digits", seed)
    vae, row = _vae_row("VAE (MLP, latent 16)", X, X_val, X_test, seed, n_importance, 3, latent_dim=16,
                        hidden=(256, 256), likelihood="bernoulli", epochs=100_000, max_steps=steps,
                        patience=30, batch_size=128, image_shape=(8, 8), progress=progress)
    return {"model": row["model"], "test_ll": row["loglik_nats"], "stderr": row["stderr_nats"],
            "how": row["estimator"], "parameters": _n_params(vae.module_),
            "seconds": row["train_seconds"], "steps": row["steps"],
            "samples": vae.sample(16, random_state=seed, mean=True)}


def _flow_digits(seed: int = 0, quick: bool = False, budgets: dict | None = None, progress: bool = False) -> dict[str, Any]:
    import torch

    from adlkit.data.registry import density_split
    from adlkit.flows import RealNVP

    steps = (budgets or {}).get("digits_flow_steps", SETTINGS["digits_flow_steps"][1 if quick else 0])
    X, X_val, X_test = density_split("digits", seed)

    def deq(x):
        return (x + torch.rand(x.shape, dtype=x.dtype)) / 2

    rng = np.random.default_rng(seed + 7)
    U_val = (X_val + rng.uniform(size=X_val.shape)) / 2
    U_test = (X_test + rng.uniform(size=X_test.shape)) / 2
    t = time.perf_counter()
    flow = RealNVP(n_couplings=8, hidden=(256, 256), mask="checkerboard", image_shape=(8, 8), logit_alpha=0.05,
                   actnorm=True, epochs=100_000, max_steps=steps, patience=40, batch_size=128,
                   random_state=seed, progress=progress).fit(X, U_val, transform=deq)
    secs = time.perf_counter() - t
    own = flow.score_samples(U_test)
    ll = own - 64 * math.log(2)
    return {"model": "RealNVP (dequantized)", "test_ll": float(ll.mean()), "test_ll_per_image": ll,
            "how": "lower bound E[log p(u)] - 64 log 2", "parameters": _n_params(flow.module_), "seconds": secs,
            "steps": flow.result_.steps, "loglik_own_space": float(own.mean()),
            "space": "u = (x + U[0,1)^64)/2 on [0, 1)^64; its density, less 64 log 2 (the bins' volume), bounds log P(x)",
            "samples": np.clip(2 * flow.sample(16, random_state=seed), 0, 2) / 2}


def _autoregressive(kind: str) -> Callable[..., dict[str, Any]]:
    def run(seed: int = 0, quick: bool = False, progress: bool = False) -> dict[str, Any]:
        from adlkit.autoregressive.pipeline import evaluate

        r = evaluate(kind, seed, quick, progress=progress)
        r.pop("estimator", None)
        return r

    run.__name__ = f"evaluate_digits_{kind}"
    return run


#: every likelihood model of the course on the binarized digits, in table order
DIGITS_ENTRIES: tuple[DigitsEntry, ...] = (
    DigitsEntry("bernoulli", _bernoulli_digits),
    DigitsEntry("fvsbn", _autoregressive("fvsbn"), options=("progress",)),
    DigitsEntry("made", _autoregressive("made"), options=("progress",)),
    DigitsEntry("pixelcnn", _autoregressive("pixelcnn"), options=("progress",)),
    DigitsEntry("vae", _vae_digits, options=("n_importance", "budgets", "progress")),
    DigitsEntry("realnvp", _flow_digits, own_space=True, options=("budgets", "progress")),
)

#: rows other families provide through ``<package>.evaluate_digits(seed, quick)``; included when
#: the package has that function, else the table says the family is not built yet
PENDING: tuple[tuple[str, str, str], ...] = (
    ("conv_vae", "adlkit.vae.conv", "the convolutional VAE (IWAE)"),
    ("rbm", "adlkit.ebm.rbm_model", "the RBM (AIS)"),
    ("diffusion", "adlkit.diffusion.model", "the diffusion model (variational bound)"),
)


def digits_entries() -> tuple[list[DigitsEntry], list[str]]:
    """The entries of the table, and a line for each pending family that is not built yet."""
    import importlib

    entries, missing = list(DIGITS_ENTRIES), []
    for key, module, label in PENDING:
        try:
            fn = getattr(importlib.import_module(module), "evaluate_digits", None)
        except ModuleNotFoundError as e:
            if e.name is None or not module.startswith(e.name):
                raise  # the package exists but one of its own imports is missing: say so
            fn = None
        if callable(fn):
            entries.append(DigitsEntry(key, fn))
        else:
            missing.append(f"{label}: not built yet ({module}.evaluate_digits does not exist), left out")
    return entries, missing


def _compare_digits(seed, quick, b, n_importance, out, progress, log):
    from adlkit.data.registry import density_split

    entries, missing = digits_entries()
    rows, samples = [], []
    opts = {"n_importance": n_importance, "budgets": b, "progress": progress}
    for i, e in enumerate(entries, start=1):
        log(f"[{i}/{len(entries)}] {e.key} on binarized digits ...")
        r = e.evaluate(seed, quick, **{k: opts[k] for k in e.options})
        m = float(r["test_ll"])
        if "test_ll_per_image" in r:
            ll = np.asarray(r["test_ll_per_image"], dtype=float)
            se = float(np.std(ll, ddof=1) / math.sqrt(len(ll)))
        else:
            se = float(r.get("stderr", float("nan")))
        row = {"model": r["model"], "loglik_nats": m, "stderr_nats": se, "bits_per_dim": -m / (64 * math.log(2)),
               "estimator": r["how"], "train_seconds": float(r["seconds"]), "parameters": int(r["parameters"]),
               "own_space": e.own_space, "key": e.key}
        row.update({k: r[k] for k in ("steps", "loglik_own_space", "space") if k in r})
        rows.append(row)
        samples.append(np.asarray(r["samples"], dtype=float))
    X_test = list(density_split("digits", seed))[2]
    return rows, _digits_figure(X_test[:16], rows, samples, out / "compare-digits.png")


def _density_figure(name, X, models, rows, path, res: int = 120) -> Path:
    lo, hi = np.percentile(X, 0.5, 0), np.percentile(X, 99.5, 0)
    pad = 0.15 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], res), np.linspace(lo[1], hi[1], res))
    G = np.stack([gx.ravel(), gy.ravel()], 1)
    fig, axes = subplots(1, len(models) + 1, figsize=(4 * (len(models) + 1), 4.2))
    axes[0].scatter(X[:3000, 0], X[:3000, 1], s=1, alpha=0.4)
    axes[0].set_xlim(lo[0], hi[0])
    axes[0].set_ylim(lo[1], hi[1])
    axes[0].set_title(f"{name}: held-out data")
    for ax, (title, f), row in zip(axes[1:], models, rows):
        d = np.exp(f(G)).reshape(res, res)
        ax.imshow(d, origin="lower", extent=(lo[0], hi[0], lo[1], hi[1]), cmap="magma", aspect="auto")
        ax.set_title(f"{title}\nheld-out {row['loglik_nats']:.3f} nats")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    return save(fig, path, dpi=110)


def _digits_figure(X, rows, samples, path) -> Path:
    """Held-out images and 16 samples of every model, each panel titled with its score."""
    panels = [("held-out data", np.asarray(X)[:16], "")]
    panels += [(r["model"], s[:16], f"{r['loglik_nats']:.2f} nats, {r['bits_per_dim']:.3f} bits/dim"
                + (" *" if r.get("own_space") else "")) for r, s in zip(rows, samples)]
    cols = min(4, len(panels))
    nrows = -(-len(panels) // cols)
    fig, axes = subplots(nrows, cols, figsize=(3.2 * cols, 3.5 * nrows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, (title, imgs, sub) in zip(axes.ravel(), panels):
        imgs = np.clip(np.asarray(imgs, dtype=float), 0, 1)
        if imgs.shape[0] < 16:
            imgs = np.concatenate([imgs, np.zeros((16 - imgs.shape[0], 64))])
        padded = np.pad(imgs.reshape(16, 8, 8), ((0, 0), (1, 1), (1, 1)))  # a blank pixel around each image
        tile = padded.reshape(4, 4, 10, 10).transpose(0, 2, 1, 3).reshape(40, 40)
        ax.imshow(tile, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(title + (f"\n{sub}" if sub else ""), fontsize=8)
    return save(fig, path, dpi=110)
