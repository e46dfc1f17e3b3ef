"""adlkit's RBM against scikit-learn's BernoulliRBM on binarized 8x8 digits, same settings.

Both: n_hidden 100, PCD with one Gibbs step (persistent hidden states, as sklearn), plain SGD,
learning rate 0.06, batch 10, the same number of epochs (20; 3 with --quick), on
``density_split("digits")``'s binarized training split (1,258 images). Data order: sklearn visits
the rows in their given order, the same batches every epoch (the last one 8 rows); so does adlkit
by default here (``--order sklearn``: ``RBMEstimator(shuffle=False)``). ``--order shuffled``
gives adlkit its loop's default instead: a fresh permutation each epoch, the 8 rows of the
remainder left out. Both models are then measured by the SAME code on the test split:

- ``sk_pseudo_ll``: scikit-learn's ``score_samples`` definition (n_v times the log-probability of
  one unit, chosen at random, given the others), computed by a BernoulliRBM holding the model's
  weights with ``random_state=seed``, so both models are scored on the same flipped units;
- ``pseudo_ll``: its expectation over the unit, exactly (every unit flipped in turn,
  :func:`adlkit.ebm.rbm_model.pseudo_log_likelihood`);
- ``ais_ll``: the AIS log-likelihood (:func:`adlkit.ebm.rbm_model.ais_rbm_log_partition`).

Training time, wall-clock and CPU (``time.process_time``) seconds: sklearn's ``fit``; adlkit's
training loop inside ``RBMEstimator.fit`` (``fit_seconds_``, ``fit_cpu_seconds_``: everything
but the input check and the log Z estimate after training, here skipped with ``ais_temps=1``).
adlkit and sklearn alternate over the seeds, one torch thread, after one warm-up fit of each
(numba's compiled kernel is loaded from its cache on the first call).

    python bench/rbm_vs_sklearn.py --quick
    python bench/rbm_vs_sklearn.py --seeds 3
    python bench/rbm_vs_sklearn.py --seeds 3 --order shuffled
    python bench/rbm_vs_sklearn.py --seeds 3 --states 10   # + 10 random states per split, PL only

``--states N``: the final pseudo-likelihood varies from run to run by several tenths of a nat
(random draws; even the same draws diverge over 2,500 updates by rounding), so three runs decide
little; this trains both libraries N more times on each split (``random_state`` 1000 s + r) and
reports the mean and standard error of both pseudo-likelihoods (no AIS, no timing).

The last line printed is one JSON object with every run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import numpy as np
import torch
from sklearn.neural_network import BernoulliRBM

from adlkit.data.registry import density_split
from adlkit.ebm.rbm import RBM
from adlkit.ebm.rbm_model import RBMEstimator, ais_rbm_log_partition, pseudo_log_likelihood


def _as_sklearn(rbm: RBM, seed: int) -> BernoulliRBM:
    """A fitted-looking BernoulliRBM with ``rbm``'s weights (for its ``score_samples``)."""
    sk = BernoulliRBM(n_components=rbm.n_hidden, random_state=seed)
    sk.components_ = rbm.W.detach().numpy().T.copy()
    sk.intercept_visible_ = rbm.b.detach().numpy().copy()
    sk.intercept_hidden_ = rbm.c.detach().numpy().copy()
    sk.n_features_in_ = rbm.n_visible
    return sk


def _measure(rbm: RBM, X_test: np.ndarray, base_bias: torch.Tensor, seed: int, chains: int, temps: int) -> dict:
    v = torch.as_tensor(X_test, dtype=torch.float64)
    pl = float(pseudo_log_likelihood(rbm, v).mean())
    sk_pl = float(_as_sklearn(rbm, seed).score_samples(X_test).mean())
    ais = ais_rbm_log_partition(rbm, base_bias, chains, temps, torch.Generator().manual_seed(seed))
    with torch.no_grad():
        ll = float((-rbm.free_energy(v)).mean()) - ais.log_z
    return {"sk_pseudo_ll": sk_pl, "pseudo_ll": pl, "ais_ll": ll, "ais_stderr": ais.stderr}


def _fit(who: str, X: np.ndarray, epochs: int, seed: int, shuffle: bool) -> tuple[RBM, float, float]:
    """Train one model; returns (its weights as an adlkit RBM, wall s, CPU s)."""
    if who == "adlkit":
        est = RBMEstimator(n_hidden=100, method="pcd", k=1, lr=0.06, batch_size=10, epochs=epochs,
                           random_state=seed, ais_temps=1, shuffle=shuffle).fit(X)
        return est.module_.rbm, est.fit_seconds_, est.fit_cpu_seconds_
    t0, c0 = time.perf_counter(), time.process_time()
    sk = BernoulliRBM(n_components=100, learning_rate=0.06, batch_size=10, n_iter=epochs, random_state=seed).fit(X)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rbm = RBM(X.shape[1], 100, dtype=torch.float64)
    with torch.no_grad():
        rbm.W.copy_(torch.as_tensor(sk.components_.T))
        rbm.b.copy_(torch.as_tensor(sk.intercept_visible_))
        rbm.c.copy_(torch.as_tensor(sk.intercept_hidden_))
    return rbm, wall, cpu


def _many_states(n_splits: int, n_states: int, epochs: int, shuffle: bool) -> dict:
    """Both libraries trained with ``n_states`` random states on each split: PL means and errors."""
    out: dict = {"adlkit": {"pseudo_ll": [], "sk_pseudo_ll": []}, "sklearn": {"pseudo_ll": [], "sk_pseudo_ll": []}}
    for split in range(n_splits):
        s = density_split("digits", split)
        v = torch.as_tensor(s.test, dtype=torch.float64)
        for r in range(n_states):
            state = 1000 * split + r
            for who in ("adlkit", "sklearn"):
                rbm, _, _ = _fit(who, s.train, epochs, state, shuffle)
                out[who]["pseudo_ll"].append(float(pseudo_log_likelihood(rbm, v).mean()))
                out[who]["sk_pseudo_ll"].append(float(_as_sklearn(rbm, state).score_samples(s.test).mean()))
    for who in out:
        for k in list(out[who]):
            x = np.array(out[who][k])
            out[who][k + "_mean"], out[who][k + "_stderr"] = float(x.mean()), float(x.std(ddof=1) / np.sqrt(len(x)))
        print(f"{who}: {len(x)} runs, exact PL {out[who]['pseudo_ll_mean']:.3f} +- {out[who]['pseudo_ll_stderr']:.3f}, "
              f"sklearn-PL {out[who]['sk_pseudo_ll_mean']:.3f} +- {out[who]['sk_pseudo_ll_stderr']:.3f}", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--states", type=int, default=0, help="extra random states per split (PL only)")
    ap.add_argument("--order", choices=("sklearn", "shuffled"), default="sklearn",
                    help="adlkit's data order: sklearn's (the given order every epoch) or reshuffled")
    a = ap.parse_args()
    torch.set_num_threads(1)
    epochs = 3 if a.quick else 20
    chains, temps = (100, 500) if a.quick else (500, 5000)
    runs = []
    warm = density_split("digits", 0).train
    RBMEstimator(n_hidden=100, epochs=1, max_steps=3, ais_temps=1).fit(warm)  # first-call costs (kernel load)
    BernoulliRBM(n_components=100, n_iter=1).fit(warm[:20])
    for seed in range(a.seeds):
        s = density_split("digits", seed)
        p = s.train.mean(0).clip(1e-3, 1 - 1e-3)
        base = torch.as_tensor(np.log(p / (1 - p)))
        order = ("adlkit", "sklearn") if seed % 2 == 0 else ("sklearn", "adlkit")
        row: dict = {"seed": seed, "load_before": os.getloadavg()[0]}
        fitted = {}
        for who in order:
            rbm, wall, cpu = _fit(who, s.train, epochs, seed, a.order == "shuffled")
            fitted[who] = rbm
            row[who] = {"fit_seconds": wall, "fit_cpu_seconds": cpu}
        row["speedup"] = row["sklearn"]["fit_seconds"] / row["adlkit"]["fit_seconds"]
        row["cpu_speedup"] = row["sklearn"]["fit_cpu_seconds"] / row["adlkit"]["fit_cpu_seconds"]
        for who in order:
            row[who].update(_measure(fitted[who], s.test, base, seed, chains, temps))
        runs.append(row)
        print(f"seed {seed} (load {row['load_before']:.1f}): " + "; ".join(
            f"{w} fit {row[w]['fit_seconds']:.3f} s ({row[w]['fit_cpu_seconds']:.3f} s CPU), sklearn-PL "
            f"{row[w]['sk_pseudo_ll']:.3f}, exact PL {row[w]['pseudo_ll']:.3f}, AIS LL {row[w]['ais_ll']:.3f}"
            f" (+- {row[w]['ais_stderr']:.3f})" for w in ("adlkit", "sklearn"))
            + f"; speed ratio {row['speedup']:.2f} wall, {row['cpu_speedup']:.2f} CPU", flush=True)
    states = _many_states(a.seeds, a.states, epochs, a.order == "shuffled") if a.states else None
    summary = {"epochs": epochs, "order": a.order, "ais": {"chains": chains, "temps": temps}, "runs": runs,
               "states": states,
               "median_speedup": statistics.median(r["speedup"] for r in runs),
               "median_cpu_speedup": statistics.median(r["cpu_speedup"] for r in runs)}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
