r"""Questions 4C and 3A measured: critics trained with weight clipping vs a gradient penalty.

Setting (as in Figure 1 of Gulrajani et al. 2017): the generator is held fixed at
"real data plus Gaussian noise" -- real points are the 8-Gaussians target, fake points are
real points plus N(0, sigma^2 I) noise, sigma = 1 -- and two critics with the same
architecture and initial weights are trained against it:

- **clipping** (WGAN): RMSprop 5e-5, every weight clamped to [-c, c], c = 0.01;
- **gradient penalty** (WGAN-GP): Adam 1e-4, betas (0.5, 0.9), lambda = 10.

Measured on held-out points afterwards, for each critic:

- the per-sample gradient norms :math:`\|\nabla_{\hat x} f(\hat x)\|_2` on interpolates
  :math:`\hat x` between real and fake points (quantiles and a histogram): a 1-Lipschitz
  critic that is optimal has norm 1 there;
- the share of weights at the clipping bounds (within 0.1 % of +-c);
- Lipschitz bounds from :mod:`adlkit.lipschitz`: the spectral-norm product (an upper bound)
  and the largest gradient norm seen on samples (a lower bound);
- the Wasserstein estimate :math:`\hat W = \mathbb{E} f(real) - \mathbb{E} f(fake)` against the
  exact W1 of the two held-out samples (POT): a 1-Lipschitz critic cannot exceed W1, and a good
  one comes close; a K-Lipschitz critic estimates at most K * W1.
"""

from __future__ import annotations

import json
import math
import platform
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch

from adlkit.gan import losses as L
from adlkit.gan.models import Critic
from adlkit.gan.penalty import clip_weights, input_gradient_norms, interpolate, share_at_bounds


def _quantiles(v: np.ndarray) -> dict[str, float]:
    q = np.quantile(v, [0.05, 0.25, 0.5, 0.75, 0.95])
    return {"mean": float(v.mean()), "std": float(v.std()), "min": float(v.min()), "q05": float(q[0]),
            "q25": float(q[1]), "median": float(q[2]), "q75": float(q[3]), "q95": float(q[4]),
            "max": float(v.max())}


def histogram(v: np.ndarray, bins: Sequence[float]) -> list[int]:
    return np.histogram(v, bins=np.asarray(bins))[0].tolist()


NORM_BINS = [0.0, 0.01, 0.1, 0.5, 0.8, 0.9, 1.1, 1.2, 2.0, 10.0, math.inf]


def measure(critic: Critic, real: torch.Tensor, fake: torch.Tensor, clip: float | None, w1: float) -> dict:
    """Gradient norms on interpolates, weights at bounds, Lipschitz bounds, W estimate."""
    from adlkit.lipschitz import gradient_norm_lower_bound, spectral_norm_bound

    norms = input_gradient_norms(critic, interpolate(real, fake)).detach().numpy()
    with torch.no_grad():
        w_hat = float(L.wasserstein_estimate(critic(real), critic(fake)))
    samples = torch.cat([real, fake, interpolate(real, fake).detach()])
    out = {
        "grad_norms": _quantiles(norms),
        "grad_norm_hist": histogram(norms, NORM_BINS),
        "share_norm_0.9_1.1": float(((norms >= 0.9) & (norms <= 1.1)).mean()),
        "lipschitz_lower": gradient_norm_lower_bound(critic, samples),
        "lipschitz_upper": spectral_norm_bound(critic.mlp.net),
        "w_estimate": w_hat,
        "w_estimate_over_w1": w_hat / w1,
        "max_abs_weight": max(float(p.detach().abs().max()) for p in critic.parameters()),
    }
    if clip is not None:
        out["share_at_bounds"] = share_at_bounds(critic, clip)
    return out


def run(steps: int = 500, batch_size: int = 256, hidden: Sequence[int] = (256, 256, 256),
        clip: float = 0.01, gp_lambda: float = 10.0, noise: float = 1.0, n_eval: int = 1000,
        seed: int = 0, progress: bool = True) -> dict:
    """Train both critics for ``steps`` updates each and measure them (see the module docstring)."""
    from tqdm.auto import tqdm

    from adlkit.data import registry
    from adlkit.gan.metrics import wasserstein1

    t0 = time.time()
    split = registry.load("8gaussians", seed, n_train=20_000, n_val=1, n_test=n_eval)
    real_train = torch.as_tensor(split.train, dtype=torch.float32)
    real_eval = torch.as_tensor(split.test, dtype=torch.float32)
    g = torch.Generator().manual_seed(seed + 2)
    fake_eval = real_eval[torch.randperm(n_eval, generator=g)] + noise * torch.randn(n_eval, 2, generator=g)
    w1 = wasserstein1(real_eval, fake_eval)
    results: dict = {"w1_exact": w1}
    for name in ("clipping", "gradient_penalty"):
        torch.manual_seed(seed)  # same initial weights for both critics
        critic = Critic(2, hidden)
        if name == "clipping":
            clip_weights(critic, clip)  # Algorithm 1 clips from the start
            opt = torch.optim.RMSprop(critic.parameters(), lr=5e-5)
        else:
            opt = torch.optim.Adam(critic.parameters(), lr=1e-4, betas=(0.5, 0.9))
        gen = torch.Generator().manual_seed(seed + 3)
        bar = tqdm(range(steps), desc=f"critic ({name.replace('_', ' ')})", disable=not progress, leave=False)
        for _ in bar:
            real = real_train[torch.randint(0, real_train.shape[0], (batch_size,), generator=gen)]
            fake = real_train[torch.randint(0, real_train.shape[0], (batch_size,), generator=gen)] \
                + noise * torch.randn(batch_size, 2, generator=gen)
            loss = L.critic_loss(critic(real), critic(fake))
            w_hat = -float(loss.detach())
            if name == "gradient_penalty":
                loss = loss + gp_lambda * (critic.input_gradient(interpolate(real, fake).detach()).norm(dim=1) - 1).square().mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if name == "clipping":
                clip_weights(critic, clip)
            bar.set_postfix(w_estimate=f"{w_hat:.4f}")
        results[name] = measure(critic, real_eval, fake_eval, clip if name == "clipping" else None, w1)
    results["settings"] = {
        "steps": steps, "batch_size": batch_size, "hidden": list(hidden), "clip": clip, "gp_lambda": gp_lambda,
        "noise": noise, "n_eval": n_eval, "seed": seed, "target": "8gaussians",
        "fixed_generator": f"real + N(0, {noise}^2 I)",
    }
    results["provenance"] = {
        "computed_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "seconds": round(time.time() - t0, 1), "machine": platform.machine(), "processor": platform.processor(),
        "torch": torch.__version__, "threads": torch.get_num_threads(),
    }
    return results


def default_cache() -> Path:
    """Where ``adlkit explain wgan-gp`` keeps the study: ``$ADLKIT_DATA/wgan_gp_study.json``."""
    from adlkit.core.paths import data_home

    return data_home() / "wgan_gp_study.json"


def load_or_run(path: str | Path | None = None, steps: int = 500, refresh: bool = False, progress: bool = True,
                log: Callable[[str], Any] | None = None) -> tuple[dict, bool, str | None]:
    """The study for ``steps`` critic updates: read from the cache file ``path`` (None:
    :func:`default_cache`) when it holds that setting and not ``refresh``, else :func:`run` and
    cache it. Returns ``(result, from_cache, cache_error)``: ``cache_error`` says why a new result
    could not be cached (None when it was). ``log`` hears one line before a run."""
    path = Path(path) if path is not None else default_cache()
    if path.is_file() and not refresh:
        try:
            res = json.loads(path.read_text())
            if res["settings"]["steps"] == steps:
                return res, True, None
        except (OSError, ValueError, KeyError, TypeError):
            pass  # an unreadable or foreign cache: run again and overwrite it
    if log is not None:
        log(f"training two critics for {steps} steps each (8 Gaussians vs a fixed generator) ...")
    res = run(steps=steps, progress=progress)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(res, indent=1))
    except OSError as e:
        return res, False, str(e)
    return res, False, None
