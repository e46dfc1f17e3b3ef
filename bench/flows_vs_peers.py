"""RealNVP: adlkit against zuko, nflows and normflows, side by side, same architecture.

Architecture for every library: 8 affine couplings with alternating (even/odd) masks, a
standard normal base, one MLP conditioner per coupling with 2 hidden ReLU layers (64 units
for 2-D, 256 for digits), Adam lr 1e-3, batch 256, the same number of steps and the same
seed. Each library keeps its own scale parameterisation (adlkit: soft-clipped log-scale
c tanh(s/c), c = 5; zuko: soft-clipped log-scale, bound ~6.9; nflows: sigmoid(s + 2) + 1e-3;
normflows: unbounded exp(s)).

Tasks:
- moons: make_moons noise 0.05, standardized, 10,000 train / 5,000 held-out points; held-out
  NLL in nats in the standardized space after a fixed number of steps.
- digits: scikit-learn digits, 70/15/15 split, dequantized (x + U[0,1)) / 17 with fresh noise
  every batch, logit transform alpha = 0.05 (its Jacobian counted, so NLL is on the unit
  cube); held-out (validation) NLL after every epoch, the best epoch's weights are kept
  (early stopping, patience in epochs); test NLL and bits/dim of those weights.

Every (library, seed) runs in its own subprocess (peak memory = that process's peak RSS),
alternating libraries so that machine load affects all alike. Throughput counts training
steps only (no evaluation). The training loop for peers is the plain PyTorch loop a user of
those libraries writes; adlkit runs through its own ``RealNVP.fit`` and ``adlkit.train`` loop.

Also (question 1B on real images) ``--bernoulli OUT_DIR``: the independent-pixel Bernoulli model
(``adlkit.mle.Bernoulli``, per-pixel p, and one shared p for reference) fitted to the binarized
training digits (pixel > 8); held-out log-likelihood and bits/dim on the test split, and a PNG
grid of sampled digits.

Usage:
    python bench/flows_vs_peers.py --quick          # < 60 s, moons only, JSON as last line
    python bench/flows_vs_peers.py --task all --seeds 0 1 2
    python bench/flows_vs_peers.py --bernoulli runs/bernoulli
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

LIBS = ["adlkit", "zuko", "nflows", "normflows"]


# ----------------------------------------------------------------------------- worker side
def _rss_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def build_peer(lib: str, dim: int, hidden: int, n_couplings: int):
    """Returns ``(module, log_prob)``; ``log_prob(x)`` is log p(x) per row in nats."""
    import torch
    from torch import nn

    def mlp(i: int, o: int) -> nn.Sequential:
        return nn.Sequential(nn.Linear(i, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, o))

    if lib == "zuko":
        import zuko

        flow = zuko.flows.NICE(dim, transforms=n_couplings, hidden_features=(hidden, hidden))
        return flow, lambda x: flow().log_prob(x)
    if lib == "nflows":
        from nflows.distributions.normal import StandardNormal
        from nflows.flows.base import Flow
        from nflows.transforms.base import CompositeTransform
        from nflows.transforms.coupling import AffineCouplingTransform

        class Net(nn.Module):
            def __init__(self, i: int, o: int):
                super().__init__()
                self.net = mlp(i, o)

            def forward(self, x, context=None):
                return self.net(x)

        transforms = []
        for k in range(n_couplings):
            mask = torch.tensor([1 if (j + k) % 2 else -1 for j in range(dim)])
            transforms.append(AffineCouplingTransform(mask, Net))
        flow = Flow(CompositeTransform(transforms), StandardNormal([dim]))
        return flow, flow.log_prob
    if lib == "normflows":
        import normflows as nf

        flows = []
        for k in range(n_couplings):
            net = nf.nets.MLP([dim // 2, hidden, hidden, dim], init_zeros=True)
            split = "checkerboard" if k % 2 == 0 else "checkerboard_inv"
            flows.append(nf.flows.AffineCouplingBlock(net, split_mode=split))
        flow = nf.NormalizingFlow(nf.distributions.DiagGaussian(dim, trainable=False), flows)
        return flow, flow.log_prob
    raise ValueError(lib)


def worker(lib: str, task: str, seed: int, steps: int, threads: int, patience: int) -> dict:
    import numpy as np
    import torch

    torch.set_num_threads(threads)
    from adlkit.flows import RealNVP
    from adlkit.flows.layers import Logit

    hidden = 64 if task == "moons" else 256
    B, K = 256, 8
    if task == "moons":
        from adlkit.data import toys

        Xtr, Xte = toys.load("moons", 10_000, 5_000, seed=seed)
        Xtr, Xte = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(Xte, dtype=torch.float32)
        Xval, transform, logit = None, None, None
    else:
        from adlkit.data import digits

        tr = digits.load_digits("train")[0]
        Xtr = torch.tensor(tr, dtype=torch.float32)
        Xval = torch.tensor(digits.dequantize(digits.load_digits("val")[0], 1), dtype=torch.float32)
        Xte = torch.tensor(digits.dequantize(digits.load_digits("test")[0], 2), dtype=torch.float32)
        transform = digits.dequantize  # fresh noise each batch (global torch RNG)
        logit = Logit(0.05)
    dim = Xtr.shape[1]
    torch.manual_seed(seed)
    rss0 = _rss_kb()
    out: dict = {}

    if lib == "adlkit":
        est = RealNVP(
            n_couplings=K, hidden=(hidden, hidden), mask="alternate", lr=1e-3, batch_size=B,
            epochs=10**9, max_steps=steps, patience=patience if Xval is not None else None, seed=seed,
            logit_alpha=0.05 if logit is not None else None,
        )
        est.fit(Xtr, Xval, transform=transform)
        n_steps, train_s = est.result_.steps, est.result_.train_seconds
        with torch.no_grad():
            nll = -float(est.flow_.log_prob(Xte).mean())
        if Xval is not None:
            out["best_step"] = est.result_.history[est.result_.best_epoch - 1]["step"]
    else:
        flow, log_prob = build_peer(lib, dim, hidden, K)

        def nll_of(x):
            if logit is not None:
                y, ld = logit(x)
                return -(log_prob(y) + ld).mean()
            return -log_prob(x).mean()

        opt = torch.optim.Adam(flow.parameters(), lr=1e-3)
        gen = torch.Generator().manual_seed(seed)
        n = Xtr.shape[0]
        per_epoch = n // B
        best, best_state, best_step, bad, n_steps, train_s = float("inf"), None, 0, 0, 0, 0.0
        while n_steps < steps:
            perm = torch.randperm(n, generator=gen)
            for b in range(per_epoch):
                t0 = time.perf_counter()
                x = Xtr[perm[b * B : (b + 1) * B]]
                if transform is not None:
                    x = transform(x)
                loss = nll_of(x)
                opt.zero_grad()
                loss.backward()
                opt.step()
                train_s += time.perf_counter() - t0
                n_steps += 1
                if n_steps >= steps:
                    break
            if Xval is not None:
                flow.eval()
                with torch.no_grad():
                    v = float(nll_of(Xval))
                flow.train()
                if v < best:
                    best, best_step, bad = v, n_steps, 0
                    best_state = {k: t.clone() for k, t in flow.state_dict().items()}
                else:
                    bad += 1
                    if bad >= patience:
                        break
        if best_state is not None:
            flow.load_state_dict(best_state)
            out["best_step"] = best_step
        flow.eval()
        with torch.no_grad():
            nll = float(nll_of(Xte))
    import resource

    out.update(
        nll=nll, steps=n_steps, steps_per_s=n_steps / train_s,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        peak_rss_increase_mb=(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024,
    )
    if task == "digits":
        from adlkit.data.digits import bits_per_dim

        out["bits_per_dim"] = float(bits_per_dim(-nll))
    return out


def bernoulli_digits(out_dir: str) -> dict:
    """Per-pixel (and shared-p) Bernoulli MLE on binarized digits; test log-likelihood (nats
    per image) and bits/dim over the 64 binary pixels; writes a grid of samples."""
    import math
    from pathlib import Path

    import numpy as np

    from adlkit import plotting
    from adlkit.data import digits
    from adlkit.mle import Bernoulli

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tr = digits.binarize(digits.load_digits("train")[0]).reshape(-1, 8, 8)
    te = digits.binarize(digits.load_digits("test")[0]).reshape(-1, 8, 8)
    report = {}
    for name, model in [("per_pixel", Bernoulli(per_pixel=True)), ("per_pixel_map_beta_2_2_laplace", Bernoulli(per_pixel=True, prior=(2.0, 2.0))),
                        ("shared_p", Bernoulli(per_pixel=False))]:
        model.fit(tr)
        ll = model.score_samples(te)
        n_inf = int((~np.isfinite(ll)).sum())
        finite = ll[np.isfinite(ll)]
        report[name] = {
            "test_ll_nats": float(ll.mean()), "test_images": int(len(ll)), "test_images_with_ll_-inf": n_inf,
            "test_ll_nats_finite_only": float(finite.mean()),
            "bits_per_dim": float(-ll.mean() / (64 * math.log(2))),
            "train_ll_nats": float(model.score(tr)),
        }
    model = Bernoulli(per_pixel=True, prior=(2.0, 2.0)).fit(tr)
    plotting.image_grid(model.sample(100, random_state=0).reshape(100, 64), out / "bernoulli_samples.png",
                        title="per-pixel Bernoulli samples (binarized digits)")
    plotting.image_grid(model.p_.reshape(1, 64), out / "bernoulli_p.png", ncols=1, title="p per pixel")
    return report


# ----------------------------------------------------------------------------- driver side
def run_one(lib: str, task: str, seed: int, steps: int, threads: int, patience: int, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--worker", lib, "--task", task, "--seed", str(seed),
           "--steps", str(steps), "--threads", str(threads), "--patience", str(patience)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if p.returncode != 0 or not lines:
        err = (p.stderr.strip().splitlines() or ["exit status %d" % p.returncode])[-1]
        return {"error": err[:300]}
    return json.loads(lines[-1])


def summarize(runs: list[dict]) -> dict:
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return {"error": runs[0]["error"]}
    keys = [k for k in ok[0] if isinstance(ok[0][k], (int, float))]
    out: dict = {}
    for k in keys:
        vals = [r[k] for r in ok]
        out[k] = sum(vals) / len(vals)
        if len(vals) > 1:
            out[k + "_min"], out[k + "_max"] = min(vals), max(vals)
    out["seeds"] = len(ok)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="moons only, 1 seed, 600 steps (< 60 s)")
    ap.add_argument("--task", choices=["moons", "digits", "all"], default="all")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--steps", type=int, default=None, help="moons: 3000, digits: 4000 (quick: 600)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads per process (default 1)")
    ap.add_argument("--patience", type=int, default=40, help="digits: early-stopping patience in epochs")
    ap.add_argument("--libs", nargs="+", default=LIBS, choices=LIBS)
    ap.add_argument("--json", help="also write all raw results to this file")
    ap.add_argument("--bernoulli", metavar="OUT_DIR", help="run the Bernoulli pixel model on binarized digits instead")
    ap.add_argument("--worker", choices=LIBS, help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    a = ap.parse_args()

    if a.bernoulli:
        print(json.dumps(bernoulli_digits(a.bernoulli), indent=1))
        return
    if a.worker:
        print(json.dumps(worker(a.worker, a.task, a.seed, a.steps, a.threads, a.patience)))
        return

    tasks = ["moons"] if a.quick or a.task == "moons" else (["digits"] if a.task == "digits" else ["moons", "digits"])
    seeds = [0] if a.quick else a.seeds
    load = os.getloadavg()
    print(f"# load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; threads per process {a.threads}", file=sys.stderr)
    report: dict = {}
    raw: dict = {}
    for task in tasks:
        steps = a.steps or (600 if a.quick else (3000 if task == "moons" else 4000))
        runs: dict[str, list[dict]] = {lib: [] for lib in a.libs}
        for i, seed in enumerate(seeds):
            order = a.libs[i % len(a.libs):] + a.libs[: i % len(a.libs)]  # rotate who goes first
            for lib in order:
                r = run_one(lib, task, seed, steps, a.threads, a.patience, timeout=40 if a.quick else 900)
                runs[lib].append(r)
                print(f"{task} seed {seed} {lib:9s} " + json.dumps(r), file=sys.stderr)
        raw[task] = runs
        report[task] = {"steps": steps, **{lib: summarize(rs) for lib, rs in runs.items()}}
    load = os.getloadavg()
    print(f"# load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", file=sys.stderr)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"report": report, "raw": raw, "seeds": seeds}, f, indent=1)
    for task, rep in report.items():
        metric = "nll" if task == "moons" else "bits_per_dim"
        print(f"\n{task}: {rep['steps']} steps max, seeds {seeds}")
        print(f"| library | held-out NLL (nats) | {'bits/dim | ' if task == 'digits' else ''}steps/s | peak RSS (MB) |")
        print("|---|---|---|---|" + ("---|" if task == "digits" else ""))
        for lib in a.libs:
            r = rep[lib]
            if "error" in r:
                print(f"| {lib} | error: {r['error']} |")
                continue

            def rng(k, fmt):
                s = format(r[k], fmt)
                return s + (f" ({format(r[k + '_min'], fmt)} to {format(r[k + '_max'], fmt)})" if k + "_min" in r else "")

            cells = [rng("nll", ".3f")] + ([rng("bits_per_dim", ".3f")] if task == "digits" else [])
            cells += [rng("steps_per_s", ".0f"), f"{r['peak_rss_mb']:.0f}"]
            print(f"| {lib} | " + " | ".join(cells) + " |")
        del metric
    if a.quick:
        m = report["moons"]
        line = {"task": "moons", "steps": m["steps"]}
        for lib in a.libs:
            r = m[lib]
            line[lib] = r if "error" in r else {"nll": r["nll"], "steps_per_s": r["steps_per_s"], "peak_rss_mb": r["peak_rss_mb"]}
        print(json.dumps(line))


if __name__ == "__main__":
    main()
