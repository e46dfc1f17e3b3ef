"""Figures of a trained EBM: the normalised density on the quadrature grid, Langevin samples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SAMPLES_TITLE = "EBM samples (MALA)"


def ebm_figures(ebm: Any, X_test: np.ndarray, out: Path, history=None, best_epoch=None, seed: int = 0,
                n_samples: int = 2000) -> list[Path]:
    """Training curve, density heat map (normalised with ``log_z_``), samples."""
    from adlkit import plotting

    out = Path(out)
    files = []
    if history:
        files.append(plotting.training_curve(history, out / "curve.png", ylabel="train: CD/DSM loss; held-out: NLL",
                                             best_epoch=best_epoch))
    if ebm.n_features_in_ == 2:
        files.append(plotting.density_2d(ebm.score_samples, out / "density.png", data=X_test,
                                         title=f"EBM density (log Z = {ebm.log_z_:.3f}, {ebm.log_z_method_})"))
    files.append(plotting.samples_figure(ebm.sample(n_samples, random_state=seed), out / "samples.png", data=X_test,
                                          title=SAMPLES_TITLE))
    return files
