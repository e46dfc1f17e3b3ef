"""The convolutional VAE (adlkit.vae.conv, built by adlkit.networks.build) against the MLP VAE on
binarized digits: test IWAE (k = 5000) per seed, same split, same step budget and early stopping.

    python bench/conv_vae_digits.py [--seeds 0 1 2] [--quick] [--steps N] [--k K]

The MLP VAE uses the settings of the digits likelihood table's VAE row (latent 16, hidden
(256, 256), 6000 steps, patience 30, batch 128)."""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch


def mlp_row(seed: int, quick: bool, steps: int | None = None, k: int | None = None) -> dict:
    from adlkit.data.registry import density_split
    from adlkit.vae import VAE
    from adlkit.vae.conv import DIGITS_IMPORTANCE, DIGITS_STEPS

    s = density_split("digits", seed=seed)
    k = DIGITS_IMPORTANCE[1 if quick else 0] if k is None else k
    steps = DIGITS_STEPS[1 if quick else 0] if steps is None else steps
    vae = VAE(latent_dim=16, hidden=(256, 256), likelihood="bernoulli", epochs=100_000, max_steps=steps, patience=30, batch_size=128, image_shape=(8, 8),
              random_state=seed, n_importance=k)
    t = time.perf_counter()
    vae.fit(s.train, s.val)
    secs = time.perf_counter() - t
    return {"model": "MLP VAE (latent 16)", "test_ll": float(np.mean(vae.score_samples(s.test))),
            "how": f"IWAE k={k}", "parameters": sum(p.numel() for p in vae.module_.parameters()),
            "seconds": secs, "steps": int(vae.result_.steps)}


def main() -> None:
    from adlkit.vae.conv import evaluate_digits

    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--steps", type=int, default=None, help="step budget of both (default 6000; 400 with --quick)")
    ap.add_argument("--k", type=int, default=None, help="importance samples (default 5000; 200 with --quick)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    for seed in a.seeds:
        for row in (evaluate_digits(seed, a.quick, a.steps, a.k), mlp_row(seed, a.quick, a.steps, a.k)):
            print(f"seed {seed}  {row['model']:<22} test IWAE {row['test_ll']:9.3f} nats/image ({row['how']}), "
                  f"{row['parameters']} parameters, {row['steps']} steps, {row['seconds']:.0f} s", flush=True)


if __name__ == "__main__":
    main()
