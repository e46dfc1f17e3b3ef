"""FVSBN, MADE and PixelCNN against the per-pixel Bernoulli model on the binarized digits.

Each model trains through ``adlkit.autoregressive.pipeline.evaluate`` (the rows of
``adlkit compare --data digits``: early stopping on the validation split, patience 20) and is
scored exactly on the test split (270 images), per seed; the Bernoulli row is the table's own.

    python bench/autoregressive_digits.py --seeds 0 1 2
    python bench/autoregressive_digits.py --quick --seeds 0     # 300 steps: a smoke run
"""

from __future__ import annotations

import argparse
import json
import math

import numpy as np
import torch


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--models", nargs="+", default=["fvsbn", "made", "pixelcnn"])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    from adlkit.autoregressive.pipeline import evaluate
    from adlkit.compare import _bernoulli_digits

    res: dict[str, list[dict]] = {}
    for seed in a.seeds:
        b = _bernoulli_digits(seed)
        res.setdefault("bernoulli", []).append({"seed": seed, "test_ll": b["test_ll"], "seconds": b["seconds"],
                                                "parameters": b["parameters"]})
        for kind in a.models:
            r = evaluate(kind, seed, a.quick)
            row = {"seed": seed, "model": r["model"], "test_ll": r["test_ll"], "seconds": r["seconds"],
                   "steps": r["steps"], "parameters": r["parameters"]}
            res.setdefault(kind, []).append(row)
            print(json.dumps({"kind": kind, **row}), flush=True)
    lines = ["| model | test log-likelihood, nats/image (per seed) | mean | bits/dim | vs Bernoulli | steps | train s |",
             "|---|---|---|---|---|---|---|"]
    base = np.mean([r["test_ll"] for r in res["bernoulli"]])
    for rows in res.values():
        ll = np.array([r["test_ll"] for r in rows])
        lines.append(f"| {rows[0].get('model', 'Bernoulli per pixel')} | {', '.join(f'{v:.2f}' for v in ll)} | "
                     f"{ll.mean():.2f} | {-ll.mean() / (64 * math.log(2)):.4f} | {ll.mean() - base:+.2f} | "
                     f"{', '.join(str(r.get('steps', '-')) for r in rows)} | "
                     f"{', '.join(format(r['seconds'], '.0f') for r in rows)} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
