"""Planar-flow variational inference: adlkit against normflows, same depth, steps, seed.

For each energy U of Rezende and Mohamed (2015) (adlkit.flows.energies, with its envelope on
U2..U4 so that exp(-U) is normalizable) and each seed, both libraries fit K planar layers
(tanh, the u-hat reparameterization: normflows' ``nf.flows.Planar`` applies it in every forward)
on a standard normal base by minimising E_q[log q + U] with Adam (the same lr, batch and
number of steps), float32, one thread:

- adlkit: ``adlkit.flows.vi.train_planar_vi`` (through ``adlkit.train.fit``; steps/s from the
  loop's training time, evaluation excluded);
- normflows: ``nf.NormalizingFlow(DiagGaussian(2, trainable=False), [Planar((2,))] * K, target)``
  and the plain loop a normflows user writes (``loss = nfm.reverse_kld(batch)``, backward, step).

The final KL(q || p) is E_q[log q + U] on 20,000 fresh samples of q plus log Z, which is found
by quadrature on a grid (adlkit.flows.energies.log_partition): a true KL in nats, >= 0.

Usage:
    python bench/planar_vs_normflows.py --energies u1 u2 u3 u4 --seeds 0 1 2 --layers 16 --steps 1000
Prints one line per run and a JSON summary last.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch


def run_adlkit(energy_name: str, layers: int, steps: int, seed: int, batch: int, lr: float) -> dict:
    from adlkit.flows.vi import evaluate_vi, train_planar_vi

    run = train_planar_vi(energy_name, layers=layers, steps=steps, seed=seed, batch_size=batch, lr=lr)
    ev = evaluate_vi(run.model, n=20_000, seed=10_000 + seed)
    return {"kl": ev["kl"], "kl_se": ev["loss_se"], "steps_per_s": run.steps / run.train_seconds}


def run_normflows(energy_name: str, layers: int, steps: int, seed: int, batch: int, lr: float) -> dict:
    import normflows as nf

    from adlkit.flows.energies import energy, log_partition
    from adlkit.flows.vi import reverse_kl

    U = energy(energy_name)

    class Target(nf.distributions.Target):
        def __init__(self):
            super().__init__()
            self.n_dims = 2
            self.max_log_prob = 0.0

        def log_prob(self, z):
            return -U(z)

    torch.manual_seed(seed)
    flows = [nf.flows.Planar((2,)) for _ in range(layers)]
    nfm = nf.NormalizingFlow(nf.distributions.DiagGaussian(2, trainable=False), flows, Target())
    opt = torch.optim.Adam(nfm.parameters(), lr=lr)
    t0 = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        loss = nfm.reverse_kld(batch)
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - t0

    def sample(n, g):
        torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=g)))
        with torch.no_grad():
            return nfm.sample(n)

    ev = reverse_kl(sample, U, n=20_000, seed=10_000 + seed, log_z=log_partition(energy_name))
    return {"kl": ev["kl"], "kl_se": ev["loss_se"], "steps_per_s": steps / seconds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--energies", nargs="+", default=["u1", "u2", "u3", "u4"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--layers", type=int, default=16)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-2)
    args = ap.parse_args()
    torch.set_num_threads(1)
    # warm-up: the first Adam step of a process imports torch._dynamo (seconds); pay it here,
    # outside both libraries' timings
    p = torch.nn.Parameter(torch.zeros(2))
    opt = torch.optim.Adam([p])
    p.sum().backward()
    opt.step()
    rows = []
    for e in args.energies:
        for seed in args.seeds:
            order = [("adlkit", run_adlkit), ("normflows", run_normflows)]
            if seed % 2:
                order.reverse()  # alternate which library runs first
            for lib, fn in order:
                r = fn(e, args.layers, args.steps, seed, args.batch, args.lr)
                rows.append({"energy": e, "seed": seed, "library": lib, **r})
                print(f"{e} seed {seed} {lib:9s} KL {r['kl']:.4f} ± {r['kl_se']:.4f} nats, {r['steps_per_s']:.0f} steps/s",
                      flush=True)
    summary = {}
    for e in args.energies:
        per = {lib: [r for r in rows if r["energy"] == e and r["library"] == lib] for lib in ("adlkit", "normflows")}
        ratios = [a["steps_per_s"] / b["steps_per_s"] for a, b in zip(per["adlkit"], per["normflows"])]
        summary[e] = {
            "kl_adlkit": [r["kl"] for r in per["adlkit"]],
            "kl_normflows": [r["kl"] for r in per["normflows"]],
            "mean_kl_adlkit": statistics.mean(r["kl"] for r in per["adlkit"]),
            "mean_kl_normflows": statistics.mean(r["kl"] for r in per["normflows"]),
            "speed_ratio_per_seed": ratios,
        }
    print(json.dumps({"settings": vars(args), "summary": summary}, indent=1))


if __name__ == "__main__":
    main()
