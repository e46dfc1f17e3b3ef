"""Held-out likelihoods of the VAE and the EBM against the flow and the Bernoulli pixel model.

Tasks:

- ``digits``: binarized scikit-learn digits (pixel > 8; train/val/test 70/15/15 of
  :mod:`adlkit.data.digits`). The VAE (latent 16, MLP 256-256, Bernoulli decoder, Adam 1e-3,
  batch 128, early stopping on the validation negative ELBO) for each seed: test ELBO (mean of
  10 one-sample estimates) and importance-sampled log-likelihood (IWAE bound, k = 5000). The
  reference is the per-pixel Bernoulli model (``adlkit.mle.Bernoulli``, MAP with a Beta(2, 2)
  prior = add-one smoothing; the MLE gives -inf on test images, some pixels never fire in
  training) on the same test images. Peer figure (DATA.md, pythae 0.1.2, latent 16): held-out
  ELBO about -18.5, IWAE(k=1000) about -17.35 nats per image (their split is not ours).
- ``toys``: :func:`adlkit.compare.compare` on each toy: RealNVP, the VAE (IWAE) and the EBM
  (persistent CD, Z by quadrature) on the same standardised held-out split, and AIS against
  quadrature for the EBM's log Z.

Usage:
    python bench/likelihoods.py --quick                       # smoke run, a few minutes
    python bench/likelihoods.py digits --seeds 0 1 2 --steps 6000
    python bench/likelihoods.py toys --data moons 8gaussians checkerboard

Prints one JSON object per run and a Markdown table at the end (``--out FILE`` also writes it).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import subprocess
import sys
import time
from pathlib import Path


def machine() -> str:
    try:
        cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = next((l.split(":", 1)[1].strip() for l in cpu.splitlines() if l.startswith("Model name")), "?")
    except OSError:
        model = platform.processor() or "?"
    try:
        load = open("/proc/loadavg").read().split()[:3]
    except OSError:
        load = ["?"]
    return f"{model}; load average {' '.join(load)}"


def run_digits(seeds, steps, k, threads, log):
    import numpy as np
    import torch

    torch.set_num_threads(threads)
    from adlkit.data.registry import density_split
    from adlkit.mle import Bernoulli
    from adlkit.vae import VAE

    X, X_val, X_test = density_split("digits")
    bern = Bernoulli(per_pixel=True, prior=(2.0, 2.0)).fit(X.astype(np.int64))
    b_ll = bern.score_samples(X_test.astype(np.int64))
    out = {"bernoulli": {"loglik": float(b_ll.mean()), "stderr": float(b_ll.std(ddof=1) / math.sqrt(len(b_ll)))},
           "vae": []}
    log(json.dumps({"task": "digits", "model": "bernoulli", **out["bernoulli"]}))
    for s in seeds:
        t = time.perf_counter()
        vae = VAE(latent_dim=16, hidden=(256, 256), likelihood="bernoulli", epochs=100_000, max_steps=steps,
                  patience=30, batch_size=128, random_state=s, n_importance=k, image_shape=(8, 8)).fit(X, X_val)
        secs = time.perf_counter() - t
        t = time.perf_counter()
        ll = vae.score_samples(X_test)
        iw_secs = time.perf_counter() - t
        elbo = float(np.mean([vae.elbo(X_test, random_state=s + r).mean() for r in range(10)]))
        r = {"task": "digits", "model": "vae", "seed": s, "steps": vae.result_.steps, "stopped": vae.result_.stopped,
             "best_epoch": vae.result_.best_epoch, "train_seconds": secs, "iwae_seconds": iw_secs, "elbo": elbo,
             "iwae": float(ll.mean()), "iwae_stderr": float(ll.std(ddof=1) / math.sqrt(len(ll))), "k": k}
        out["vae"].append(r)
        log(json.dumps(r))
    return out


def run_toys(names, quick, k, threads, log, steps_scale=1.0):
    import torch

    torch.set_num_threads(threads)
    from adlkit.compare import compare

    res = {}
    for name in names:
        t = time.perf_counter()
        rows, fig = compare(name, seed=0, quick=quick, n_importance=k, out=Path("runs") / f"bench-{name}",
                            progress=False, log=log, steps_scale=steps_scale)
        res[name] = rows
        log(json.dumps({"task": name, "rows": rows, "seconds": time.perf_counter() - t, "figure": str(fig)}))
    return res


def table(digits, toys) -> str:
    lines = []
    if digits:
        import numpy as np

        v = digits["vae"]
        iw = np.array([r["iwae"] for r in v])
        el = np.array([r["elbo"] for r in v])
        b = digits["bernoulli"]
        lines += ["| binarized digits (test, 270 images) | log-likelihood, nats/image | bits/dim |",
                  "|---|---|---|",
                  f"| Bernoulli per pixel (Beta(2,2) MAP), exact | {b['loglik']:.2f} +- {b['stderr']:.2f} (s.e. over images) "
                  f"| {-b['loglik'] / (64 * math.log(2)):.4f} |",
                  f"| VAE latent 16, IWAE k={v[0]['k']}, seeds {', '.join(str(r['seed']) for r in v)} | "
                  f"{iw.mean():.2f} (min {iw.min():.2f}, max {iw.max():.2f}; per seed {', '.join(f'{x:.2f}' for x in iw)}) "
                  f"| {-iw.mean() / (64 * math.log(2)):.4f} |",
                  f"| VAE latent 16, ELBO | {el.mean():.2f} (min {el.min():.2f}, max {el.max():.2f}) "
                  f"| {-el.mean() / (64 * math.log(2)):.4f} |", ""]
    for name, rows in (toys or {}).items():
        lines += [f"| {name} (standardised, 5,000 held-out points) | log-likelihood, nats/point | bits/dim | estimator |",
                  "|---|---|---|---|"]
        for r in rows:
            lines.append(f"| {r['model']} ({r.get('steps', '?')} steps, {r['train_seconds']:.0f} s) | {r['loglik_nats']:.4f} "
                         f"+- {r['stderr_nats']:.4f} | {r['bits_per_dim']:.4f} | {r['estimator']} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("task", nargs="?", choices=["digits", "toys", "all"], default="all")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--steps", type=int, default=6000, help="digits VAE: maximum optimiser steps per seed")
    ap.add_argument("--data", nargs="+", default=["moons", "8gaussians", "checkerboard"])
    ap.add_argument("-k", type=int, default=5000, help="importance samples")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps-scale", type=float, default=1.0, help="toys: multiply the training budgets of adlkit.compare")
    ap.add_argument("--quick", action="store_true", help="tiny budgets: a smoke run, numbers meaningless")
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()
    if a.quick:
        a.seeds, a.steps, a.k, a.data = a.seeds[:1], 100, 100, a.data[:1]
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {machine()}; torch threads {a.threads}", flush=True)
    digits = run_digits(a.seeds, a.steps, a.k, a.threads, lambda m: print(m, flush=True)) if a.task in ("digits", "all") else None
    toys = run_toys(a.data, a.quick, a.k, a.threads, lambda m: print(m, flush=True), a.steps_scale) if a.task in ("toys", "all") else None
    md = table(digits, toys)
    print(md)
    if a.out:
        a.out.write_text(md + "\n")
    print(f"# finished {time.strftime('%H:%M UTC', time.gmtime())}; {machine()}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
