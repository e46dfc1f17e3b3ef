"""Train an EBM on a registered 2-D toy, estimate Z two ways and report: what ``adlkit train
ebm`` runs, callable from benches and notebooks.

:func:`train_and_evaluate` fits :class:`adlkit.ebm.EBM` on the toy's fixed train split (early
stopping on its validation split), computes log Z by grid quadrature (and at twice the grid, a
check of the discretisation) and optionally by annealed importance sampling (an independent
check), scores the test split, and writes ``metrics.json`` and the figures of
:func:`adlkit.ebm.plots.ebm_figures` to ``out_dir`` (with the loop's ``best.pt``/``last.pt``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from adlkit.ebm.model import EBM
from adlkit.train.report import RunReport

#: what each training method minimises, in words (mean over the batch)
LOSS_IN_WORDS = {
    "cd": "mean E(data) - mean E(Langevin negatives) + alpha * energy^2",
    "dsm": "1/2 |eps - sigma grad E(x + sigma eps)|^2 summed over dims",
}


class EBMReport(RunReport):
    """What :func:`train_and_evaluate` did: ``model`` is the fitted :class:`EBM`."""


def train_and_evaluate(data: str = "moons", seed: int = 0, out_dir: str | Path | None = None, ais: bool = True,
                       plot_samples: int = 2000, log: Callable[[str], Any] | None = None,
                       **hyperparameters: Any) -> EBMReport:
    """Fit ``EBM(random_state=seed, checkpoint_dir=out_dir, **hyperparameters)`` on toy ``data``
    (the registry's density split for ``seed``), then log Z by quadrature and, with ``ais``, by
    AIS (1,000 chains, 1,000 temperatures), and the test log-likelihood in nats (standardised
    coordinates) and bits per dimension. ``log`` receives a line before training, before AIS and
    at the end. Raises :class:`adlkit.train.NonFiniteLossError` if training diverges."""
    from adlkit.data.registry import density_split, get

    if get(data).kind != "toy":
        raise ValueError(f"the EBM pipeline is for the 2-D toys; {data!r} is {get(data).kind}")
    say = log or (lambda _line: None)
    X, X_val, X_test = density_split(data, seed)
    out = Path(out_dir) if out_dir is not None else None
    ebm = EBM(random_state=seed, checkpoint_dir=None if out is None else str(out), **hyperparameters)
    where = f"; output in {out}/" if out is not None else ""
    say(f"training EBM ({ebm.method}) on {data}: {X.shape[0]} train / {X_val.shape[0]} val / {X_test.shape[0]} test; "
        f"loss = mean over batch of [{LOSS_IN_WORDS[ebm.method]}]; held-out loss = NLL with Z by quadrature{where}")
    ebm.fit(X, X_val)
    res = ebm.result_
    metrics: dict[str, Any] = {
        "data": data, "method": ebm.method, "seed": seed, **res.summary(),
        "log_z_quadrature": ebm.log_z_, "log_z_quadrature_2x": ebm.module_.log_z_quadrature(2 * ebm.quad_points)}
    if ais:
        say("estimating log Z by annealed importance sampling ...")
        r = ebm.module_.log_z_ais(n_chains=1000, n_temps=1000, generator=torch.Generator().manual_seed(seed))
        metrics.update(log_z_ais=r.log_z, log_z_ais_stderr=r.stderr, log_z_ais_ess=r.ess)
        say(f"{r}; quadrature {ebm.log_z_:.4f}; difference {r.log_z - ebm.log_z_:+.4f}")
    ll = ebm.score_samples(X_test)
    metrics["test_loglik_nats"] = float(ll.mean())
    metrics["test_loglik_bits_per_dim"] = float(ll.mean() / (X_test.shape[1] * math.log(2)))
    report = EBMReport(ebm, metrics, out)
    if out is not None:
        from adlkit.ebm import plots

        report.write_metrics()
        report.files += plots.ebm_figures(ebm, X_test, out, history=res.history, best_epoch=res.best_epoch, seed=seed,
                                          n_samples=plot_samples)
    say(f"done: {res.steps} steps ({res.stopped}, best epoch {res.best_epoch}); test log-likelihood "
        f"{ll.mean():.4f} nats (standardised space, Z by quadrature)")
    return report
