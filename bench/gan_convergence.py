"""When does WGAN-GP cover every mode? Several seeds, the product's training path, metrics over time.

Each seed trains ``adlkit.gan.trainer.train_gan`` (what ``adlkit train gan`` runs: the shared
loop, the data set's defaults unless overridden, ``adlkit.gan.defaults``: on the mixtures
lambda 0.1, Adam 1e-3 betas (0.5, 0.9), 3x128 networks, n_critic 5, batch 256; before #15
lambda 10, Adam 1e-4 and 3x512: pass ``--gp-lambda 10 --lr 1e-4 --hidden 512,512,512`` for those) and keeps samples of one fixed noise batch every ``--every`` generator
iterations. For each snapshot: mode coverage (``adlkit.gan.metrics.mode_coverage``: a mode
counts with at least a quarter of its fair share of samples within 3 std of its centre) and
exact W1 (POT) against as many held-out points, next to the floor (W1 between two held-out
samples of that size). Seeds run in parallel worker processes, one torch thread each.

    python bench/gan_convergence.py --seeds 0 1 2 3 --iters 8000 --hidden 128,128,128
    python bench/gan_convergence.py --data 25gaussians --iters 20000 --every 2000

Prints one markdown table (per seed: the first snapshot with every mode covered, whether
coverage then held to the end, the final W1 and modes) and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def run_seed(data: str, seed: int, iters: int, every: int, n: int, overrides: dict) -> dict:
    import torch

    torch.set_num_threads(1)
    from adlkit.data import registry, toys
    from adlkit.gan import metrics as M
    from adlkit.gan.trainer import train_gan

    t0 = time.perf_counter()
    run = train_gan("wgan-gp", data, iters=iters, seed=seed, snapshot_every=every, n_snapshot=n,
                    progress=False, **overrides)
    seconds = time.perf_counter() - t0
    held = registry.toy_part(data, "test", 2 * n, seed)
    centres, std = toys.mixture_modes(data)
    trace = []
    for step, s in zip(run.snapshot_steps, run.snapshots):
        if step == 0:
            continue
        cov = M.mode_coverage(s, centres, std)
        trace.append({"step": step, "modes": cov.modes, "high_quality": round(cov.high_quality, 3),
                      "w1": round(M.wasserstein1(s, held[:n]), 4)})
    k = len(centres)
    full = [t["step"] for t in trace if t["modes"] == k]
    held_from = next((t["step"] for i, t in enumerate(trace) if all(u["modes"] == k for u in trace[i:])), None)
    return {"seed": seed, "seconds": round(seconds, 1), "n_modes": k, "first_all_modes": full[0] if full else None,
            "all_modes_from": held_from, "final": trace[-1],
            "w1_floor": round(M.wasserstein1(held[n:], held[:n]), 4), "trace": trace}


def main() -> None:
    from adlkit.data import toys

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="8gaussians", choices=list(toys.MIXTURES))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3])
    ap.add_argument("--iters", type=int, default=8000)
    ap.add_argument("--every", type=int, default=500, help="snapshot every N generator iterations")
    ap.add_argument("--n", type=int, default=1000, help="samples per snapshot (and held-out points for W1)")
    ap.add_argument("--hidden", default=None, help="hidden widths of both networks (default: the data set's, "
                    "adlkit.gan.defaults; 512,512,512 before #15)")
    ap.add_argument("--gp-lambda", type=float, default=None, help="default: the data set's (0.1 on the mixtures; 10 before #15)")
    ap.add_argument("--lr", type=float, default=None, help="default: the data set's (1e-3 on the mixtures; 1e-4 before #15)")
    ap.add_argument("--scale", type=float, default=None, help="the model's data scale (networks see x / scale; default 1)")
    ap.add_argument("--batch-size", type=int, default=None, help="real samples per critic update (default: the data set's, 256)")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    overrides: dict = {}
    if a.hidden:
        overrides["hidden"] = [int(h) for h in a.hidden.split(",")]
    if a.gp_lambda is not None:
        overrides["gp_lambda"] = a.gp_lambda
    if a.lr is not None:
        overrides["lr"] = a.lr
    if a.scale is not None:
        overrides["scale"] = a.scale
    if a.batch_size is not None:
        overrides["batch_size"] = a.batch_size
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {os.getloadavg()}; "
          f"{a.data}, {a.iters} iterations, seeds {a.seeds}, overrides {overrides}", file=sys.stderr)
    with ProcessPoolExecutor(a.workers) as pool:
        futs = [pool.submit(run_seed, a.data, s, a.iters, a.every, a.n, overrides) for s in a.seeds]
        results = [f.result() for f in futs]
    print("| seed | first snapshot with all modes | all modes from (to the end) | final modes | final high quality | "
          "final W1 (floor) | train s |\n|---|---|---|---|---|---|---|")
    for r in results:
        f = r["final"]
        print(f"| {r['seed']} | {r['first_all_modes'] or '-'} | {r['all_modes_from'] or '-'} | {f['modes']}/{r['n_modes']} | "
              f"{100 * f['high_quality']:.1f} % | {f['w1']:.3f} ({r['w1_floor']:.3f}) | {r['seconds']:.0f} |")
    for r in results:
        print(f"seed {r['seed']} trace: " + ", ".join(f"{t['step']}: {t['modes']} modes W1 {t['w1']:.2f}" for t in r["trace"]),
              file=sys.stderr)
    covered = sum(r["final"]["modes"] == r["n_modes"] for r in results)
    print(json.dumps({"task": a.data, "iters": a.iters, "overrides": overrides, "seeds": a.seeds,
                      "all_modes_at_end": covered,
                      "per_seed": [{k: r[k] for k in ("seed", "first_all_modes", "all_modes_from", "final", "w1_floor")}
                                   for r in results]}))


if __name__ == "__main__":
    main()
