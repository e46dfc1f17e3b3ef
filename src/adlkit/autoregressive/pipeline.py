"""The autoregressive rows of the digits likelihood table (``adlkit compare --data digits``).

Each ``evaluate_digits_*`` trains one model on ``density_split("digits", seed)`` (binarized,
pixel > 8), early-stopping on the validation split, and scores the test split exactly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

#: (full, quick) hyperparameters of each model on the 8x8 digits
SETTINGS: dict[str, dict[str, Any]] = {
    "fvsbn": {"lr": 1e-2, "weight_decay": 1e-4},
    "made": {"hidden": (500,), "lr": 1e-3, "weight_decay": 1e-4},
    "pixelcnn": {"channels": 32, "kernel": 5, "layers": 4, "lr": 2e-3, "weight_decay": 0.0},
}
LABELS = {"fvsbn": "FVSBN (logistic)", "made": "MADE (1 x 500, natural order)",
          "pixelcnn": "PixelCNN (A 5x5, 4 x B 3x3, 32 ch)"}


def _estimator(kind: str, seed: int, quick: bool, progress: bool = False):
    from adlkit.autoregressive.estimator import FVSBNEstimator, MADEEstimator, PixelCNNEstimator

    cls = {"fvsbn": FVSBNEstimator, "made": MADEEstimator, "pixelcnn": PixelCNNEstimator}[kind]
    budget = {"max_steps": 300} if quick else {"epochs": 1000, "patience": 20}
    return cls(random_state=seed, batch_size=64, progress=progress, **SETTINGS[kind], **budget)


def evaluate(kind: str, seed: int = 0, quick: bool = False, progress: bool = False, n_samples: int = 16) -> dict[str, Any]:
    """Train ``kind`` on the binarized digits; the row: ``model``, ``test_ll`` (mean exact log p
    of the test images, nats), ``how``, ``parameters`` (effective: unmasked weights and biases),
    ``seconds`` (training), ``samples`` (n_samples, 64), and ``estimator`` (the fitted model)."""
    from adlkit.data.registry import density_split

    X, X_val, X_test = density_split("digits", seed)
    est = _estimator(kind, seed, quick, progress)
    t = time.perf_counter()
    est.fit(X, X_val)
    secs = time.perf_counter() - t
    ll = est.score_samples(X_test)
    counts = est.n_parameters()
    return {"model": LABELS[kind], "test_ll": float(np.mean(ll)), "how": "exact",
            "parameters": counts["effective"], "parameters_all": counts["all"], "seconds": secs,
            "samples": est.sample(n_samples, random_state=seed), "steps": est.result_.steps, "estimator": est,
            "test_ll_per_image": ll}


def evaluate_digits_fvsbn(seed: int = 0, quick: bool = False) -> dict[str, Any]:
    """The FVSBN row (see :func:`evaluate`)."""
    return evaluate("fvsbn", seed, quick)


def evaluate_digits_made(seed: int = 0, quick: bool = False) -> dict[str, Any]:
    """The MADE row (see :func:`evaluate`)."""
    return evaluate("made", seed, quick)


def evaluate_digits_pixelcnn(seed: int = 0, quick: bool = False) -> dict[str, Any]:
    """The PixelCNN row (see :func:`evaluate`)."""
    return evaluate("pixelcnn", seed, quick)


#: every model of the family, by name, for the comparison table
EVALUATORS: dict[str, Callable[..., dict[str, Any]]] = {
    "fvsbn": evaluate_digits_fvsbn, "made": evaluate_digits_made, "pixelcnn": evaluate_digits_pixelcnn}


def evaluate_digits(seed: int = 0, quick: bool = False) -> dict[str, Any]:
    """The family's best model on the digits, MADE (the common signature of the families'
    ``evaluate_digits``; the table uses :data:`EVALUATORS` for every model)."""
    return evaluate_digits_made(seed, quick)


def train_digits(kind: str, out, seed: int = 0, progress: bool = True, log: Callable[[str], Any] = print,
                 n_samples: int = 100, **settings: Any):
    """``adlkit train fvsbn|made|pixelcnn --data digits``: fit ``kind`` (the estimator's
    hyperparameters in ``settings``, over :data:`SETTINGS`) on the binarized digits, score the test
    split exactly, and write ``best.pt`` (the module), ``samples.npy`` / ``samples.png`` (a grid
    drawn in order), ``training.png`` and ``metrics.json``; returns a :class:`RunReport`."""
    from pathlib import Path

    from adlkit.autoregressive.estimator import FVSBNEstimator, MADEEstimator, PixelCNNEstimator
    from adlkit.data.registry import density_split
    from adlkit.plotting import training_curve, write_samples
    from adlkit.train import save_checkpoint
    from adlkit.train.report import RunReport

    out = Path(out)
    cls = {"fvsbn": FVSBNEstimator, "made": MADEEstimator, "pixelcnn": PixelCNNEstimator}[kind]
    X, X_val, X_test = density_split("digits", seed)
    params = {"batch_size": 64, "epochs": 1000, "patience": 20, **SETTINGS[kind], **settings}
    log(f"{LABELS[kind] if not settings else kind} on binarized digits ({X.shape[0]} train, {X_val.shape[0]} "
        f"validation, {X_test.shape[0]} test images)")
    est = cls(random_state=seed, progress=progress, **params)
    t = time.perf_counter()
    est.fit(X, X_val)
    secs = time.perf_counter() - t
    ll = est.score_samples(X_test)
    counts = est.n_parameters()
    metrics = {"model": kind, "test_loglik_nats": float(ll.mean()),
               "test_stderr_nats": float(ll.std(ddof=1) / np.sqrt(len(ll))),
               "bits_per_dim": float(-ll.mean() / (64 * np.log(2))), "parameters_effective": counts["effective"],
               "parameters_all": counts["all"], "seconds": secs, **est.result_.summary(),
               "hyperparameters": {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()}}
    run = RunReport(est, metrics, out)
    save_checkpoint(est.module_, out / "best.pt")
    run.files.append(out / "best.pt")
    run.files += write_samples(est.sample(n_samples, random_state=seed), out, "samples", image_shape=(8, 8),
                               title=f"{kind} samples (drawn pixel by pixel)")
    run.files.append(training_curve(est.result_.history, out / "training.png", best_epoch=est.result_.best_epoch))
    run.write_metrics()
    return run
