"""WGAN-GP on 8 Gaussians: adlkit against a plain-PyTorch reference, side by side.

Settings of the WGAN-GP paper's toy experiment (Gulrajani et al. 2017, ``gan_toy.py``):
generator and critic are MLPs with 3 hidden layers of 512 ReLU units, noise dimension 2,
batch 256, 5 critic iterations per generator iteration, Adam lr 1e-4, betas (0.5, 0.9);
lambda = 10 (the paper's setting; the original toy script used 0.1: ``--gp-lambda 0.1``). Target: the 8-Gaussians
mixture of ``adlkit.data.toys`` (radius 2, std sqrt(0.02)), 100,000 training points.

Both implementations start from the same weights (same seed, same layer order) and see the
same real batches; they run in alternating chunks of iterations in one process, so machine load
hits both alike. Throughput counts generator iterations (each with 5 critic updates) per second
of training time. Quality: exact W1 (POT) between 2,000 generated and 2,000 held-out points
(500 with --quick; modes on 10,000 samples, 5,000 with --quick) and mode coverage (``adlkit.gan.metrics``).

    python bench/gan_toy.py --quick          # under a minute; prints a JSON line last
    python bench/gan_toy.py --iters 2000     # the full comparison
"""

from __future__ import annotations

import argparse
import json
import os
import time

import torch
from torch import nn


# ---- the reference: straightforward WGAN-GP in plain PyTorch -------------------------------
def mlp(i: int, o: int, h: int = 512) -> nn.Sequential:
    return nn.Sequential(nn.Linear(i, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(),
                         nn.Linear(h, h), nn.ReLU(), nn.Linear(h, o))


class Reference:
    def __init__(self, gp_lambda: float = 10.0) -> None:
        self.gp_lambda = gp_lambda
        self.G, self.D = mlp(2, 2), mlp(2, 1)
        self.optG = torch.optim.Adam(self.G.parameters(), lr=1e-4, betas=(0.5, 0.9))
        self.optD = torch.optim.Adam(self.D.parameters(), lr=1e-4, betas=(0.5, 0.9))

    def iteration(self, batch: torch.Tensor) -> None:
        for real in batch.chunk(5):
            fake = self.G(torch.randn(real.shape[0], 2)).detach()
            d_real, d_fake = self.D(real).mean(), self.D(fake).mean()
            alpha = torch.rand(real.shape[0], 1)
            interp = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
            d_interp = self.D(interp)
            grads = torch.autograd.grad(d_interp, interp, grad_outputs=torch.ones_like(d_interp),
                                        create_graph=True)[0]
            gp = self.gp_lambda * ((grads.norm(2, dim=1) - 1) ** 2).mean()
            loss = d_fake - d_real + gp
            self.optD.zero_grad()
            loss.backward()
            self.optD.step()
        g_loss = -self.D(self.G(torch.randn(batch.shape[0] // 5, 2))).mean()
        self.optG.zero_grad()
        g_loss.backward()
        self.optG.step()

    @torch.no_grad()
    def sample(self, n: int) -> torch.Tensor:
        return self.G(torch.randn(n, 2))


# ---- adlkit ----------------------------------------------------------------------------------
class Adlkit:
    def __init__(self, gp_lambda: float = 10.0) -> None:
        from adlkit.gan.models import GANModule

        self.model = GANModule("wgan-gp", data_shape=[2], latent_dim=2, hidden=[512, 512, 512], gp_lambda=gp_lambda)

    def iteration(self, batch: torch.Tensor) -> None:
        self.model.train_step(batch)

    def sample(self, n: int) -> torch.Tensor:
        return self.model.sample(n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iters", type=int, default=2000, help="generator iterations per implementation")
    ap.add_argument("--quick", action="store_true", help="a time budget of 15 s of training (chunks of 2 iterations), 500-point W1")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--chunk", type=int, default=5, help="iterations per alternation")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--gp-lambda", type=float, default=10.0,
                    help="penalty weight for both implementations (10: the paper; 0.1: its toy script)")
    ap.add_argument("--eval-every", type=int, default=0,
                    help="also print W1 (1,000 points) and modes every N iterations (full runs)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    from adlkit.data import registry, toys
    from adlkit.gan.metrics import mode_coverage, wasserstein1

    print(f"# {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}; torch {torch.__version__}, "
          f"{args.threads} thread(s); lambda {args.gp_lambda:g}; load average {os.getloadavg()}", flush=True)
    split = registry.load("8gaussians", args.seed, n_train=100_000, n_test=5_000)
    train, test = split.train, split.test
    train = torch.as_tensor(train, dtype=torch.float32)
    test = torch.as_tensor(test, dtype=torch.float32)
    impls = {}
    for name, cls in (("adlkit", Adlkit), ("reference", Reference)):
        torch.manual_seed(args.seed)  # same initial weights: generator first, then critic
        impls[name] = cls(args.gp_lambda)
    rng = {name: torch.Generator().manual_seed(args.seed + 1) for name in impls}
    state = {name: torch.random.get_rng_state() for name in impls}
    seconds = {name: 0.0 for name in impls}
    cpu = {name: 0.0 for name in impls}  # process CPU time: steadier than wall time on a loaded machine
    B = 5 * 256
    budget = 15.0 if args.quick else float("inf")
    iters = 0
    while iters < (10**9 if args.quick else args.iters):
        if args.quick and seconds["adlkit"] + seconds["reference"] > budget:
            break
        k = 2 if args.quick else min(args.chunk, args.iters - iters)
        for name, impl in impls.items():
            torch.random.set_rng_state(state[name])
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(k):
                idx = torch.randint(0, train.shape[0], (B,), generator=rng[name])
                impl.iteration(train[idx])
            seconds[name] += time.perf_counter() - t0
            cpu[name] += time.process_time() - c0
            state[name] = torch.random.get_rng_state()
        iters += k
        if not args.quick and iters % 100 == 0:
            line = f"{iters} iterations: " + ", ".join(f"{n} {iters / seconds[n]:.2f} it/s ({iters / cpu[n]:.2f} per CPU s)"
                                                        for n in impls)
            if args.eval_every and iters % args.eval_every == 0:
                saved = torch.random.get_rng_state()
                for name, impl in impls.items():
                    s = impl.sample(10_000)
                    line += (f" | {name} W1 {wasserstein1(s[:1000], test[:1000]):.4f}"
                             f" modes {mode_coverage(s, *toys.mixture_modes('8gaussians')).modes}")
                torch.random.set_rng_state(saved)
            print(line, flush=True)
    n_eval = 500 if args.quick else 2000
    centres, std = toys.mixture_modes("8gaussians")
    out: dict = {"task": "8gaussians", "iters": iters, "gp_lambda": args.gp_lambda}
    for name, impl in impls.items():
        torch.manual_seed(args.seed + 2)
        s = impl.sample(5_000 if args.quick else 10_000)
        cov = mode_coverage(s, centres, std)
        out[name] = {"iters_per_s": round(iters / seconds[name], 3), "iters_per_cpu_s": round(iters / cpu[name], 3),
                     "w1": round(wasserstein1(s[:n_eval], test[:n_eval]), 4),
                     "modes": cov.modes, "high_quality": round(cov.high_quality, 3)}
    out["speedup"] = round(out["adlkit"]["iters_per_s"] / out["reference"]["iters_per_s"], 3)
    out["speedup_cpu"] = round(out["adlkit"]["iters_per_cpu_s"] / out["reference"]["iters_per_cpu_s"], 3)
    out["load_average_end"] = [round(v, 2) for v in os.getloadavg()]
    out["w1_floor"] = round(wasserstein1(test[:n_eval], test[n_eval:2 * n_eval]), 4)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
