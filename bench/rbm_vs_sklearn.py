"""adlkit's RBM against scikit-learn's BernoulliRBM on binarized 8x8 digits, same settings.

Both: n_hidden 100, PCD with one Gibbs step, plain SGD, learning rate 0.06, batch 10, the same
number of epochs (20; 3 with --quick), on ``density_split("digits")``'s binarized training split.
Both models are then measured by the SAME code: adlkit's exact pseudo-log-likelihood (every unit
flipped in turn, :func:`adlkit.ebm.rbm_model.pseudo_log_likelihood`) and adlkit's AIS
log-likelihood (:func:`adlkit.ebm.rbm_model.ais_rbm_log_partition`), with sklearn's weights
loaded into an :class:`adlkit.ebm.rbm.RBM`. Training time: the wall-clock seconds of ``fit``,
adlkit and sklearn alternating over the seeds, one torch thread, after one warm-up fit of each
(torch's first optimizer step pays a one-off set-up of a few seconds).

    python bench/rbm_vs_sklearn.py --quick
    python bench/rbm_vs_sklearn.py --seeds 3

The last line printed is one JSON object with every run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np
import torch
from sklearn.neural_network import BernoulliRBM

from adlkit.data.registry import density_split
from adlkit.ebm.rbm import RBM
from adlkit.ebm.rbm_model import RBMEstimator, ais_rbm_log_partition, pseudo_log_likelihood


def _measure(rbm: RBM, X_test: np.ndarray, base_bias: torch.Tensor, seed: int, chains: int, temps: int) -> dict:
    v = torch.as_tensor(X_test, dtype=torch.float64)
    pl = float(pseudo_log_likelihood(rbm, v).mean())
    ais = ais_rbm_log_partition(rbm, base_bias, chains, temps, torch.Generator().manual_seed(seed))
    with torch.no_grad():
        ll = float((-rbm.free_energy(v)).mean()) - ais.log_z
    return {"pseudo_ll": pl, "ais_ll": ll, "ais_stderr": ais.stderr}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seeds", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(1)
    epochs = 3 if a.quick else 20
    chains, temps = (100, 500) if a.quick else (500, 5000)
    runs = []
    warm = density_split("digits", 0).train
    RBMEstimator(n_hidden=100, epochs=1, max_steps=3, ais_temps=1).fit(warm)  # first-call costs (optimizer, dispatch)
    BernoulliRBM(n_components=100, n_iter=1).fit(warm[:20])
    for seed in range(a.seeds):
        s = density_split("digits", seed)
        p = s.train.mean(0).clip(1e-3, 1 - 1e-3)
        base = torch.as_tensor(np.log(p / (1 - p)))
        order = ("adlkit", "sklearn") if seed % 2 == 0 else ("sklearn", "adlkit")
        row = {"seed": seed}
        for who in order:
            t0 = time.perf_counter()
            if who == "adlkit":
                est = RBMEstimator(n_hidden=100, method="pcd", k=1, lr=0.06, batch_size=10, epochs=epochs,
                                   random_state=seed, ais_temps=1).fit(s.train)
                secs = time.perf_counter() - t0
                rbm = est.module_.rbm
            else:
                sk = BernoulliRBM(n_components=100, learning_rate=0.06, batch_size=10, n_iter=epochs,
                                  random_state=seed).fit(s.train)
                secs = time.perf_counter() - t0
                rbm = RBM(64, 100, dtype=torch.float64)
                with torch.no_grad():
                    rbm.W.copy_(torch.as_tensor(sk.components_.T))
                    rbm.b.copy_(torch.as_tensor(sk.intercept_visible_))
                    rbm.c.copy_(torch.as_tensor(sk.intercept_hidden_))
            row[who] = {"fit_seconds": secs, **_measure(rbm, s.test, base, seed, chains, temps)}
        row["speedup"] = row["sklearn"]["fit_seconds"] / row["adlkit"]["fit_seconds"]
        runs.append(row)
        print(f"seed {seed}: " + "; ".join(
            f"{w} fit {row[w]['fit_seconds']:.2f} s, pseudo-LL {row[w]['pseudo_ll']:.3f}, AIS LL {row[w]['ais_ll']:.3f}"
            f" (+- {row[w]['ais_stderr']:.3f})" for w in ("adlkit", "sklearn")) + f"; speed ratio {row['speedup']:.2f}")
    summary = {"epochs": epochs, "ais": {"chains": chains, "temps": temps}, "runs": runs,
               "median_speedup": statistics.median(r["speedup"] for r in runs)}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
