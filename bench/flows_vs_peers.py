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

Quality and memory: every (library, seed) trains in its own subprocess (peak memory = that
process's peak RSS increase over the RSS before training), libraries alternating, the first
one rotating per seed. The peers train with the plain PyTorch loop a user of those libraries
writes; adlkit trains through its own ``RealNVP.fit`` and ``adlkit.train`` loop.

Throughput: the subprocess figure ("own process") moves with the machine's load, so the
table's main figure is measured in ONE process that trains all libraries round-robin in
blocks of 20 steps (rotating order), same batches, training steps only (batch indexing,
dequantization, forward, backward, optimizer step; no evaluation). ``--quick`` is that
interleaved run on moons (600 steps), which also gives each library's held-out NLL.

Also (question 1B on real images) ``--bernoulli OUT_DIR``: the independent-pixel Bernoulli model
(``adlkit.mle.Bernoulli``, per-pixel p, and one shared p for reference) fitted to the binarized
training digits (pixel > 8); held-out log-likelihood and bits/dim on the test split, and a PNG
grid of sampled digits.

Usage:
    python bench/flows_vs_peers.py --quick          # < 60 s, moons only, one process, JSON last
    python bench/flows_vs_peers.py --task all --seeds 0 1 2
    python bench/flows_vs_peers.py --bernoulli runs/bernoulli
    python bench/flows_vs_peers.py --speed-only --libs adlkit adlkit-autograd nflows   # fused vs op-by-op
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

LIBS = ["adlkit", "zuko", "nflows", "normflows"]
# adlkit with every coupling computed op by op through autograd (AffineCoupling.forward_autograd,
# ``fused = False``) instead of the fused stack (adlkit.flows.fused): an A/B, interleaved runs only.
AB_LIB = "adlkit-autograd"


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


def task_data(task: str, seed: int):
    """``(Xtr, Xval, Xte, transform, logit, hidden)`` for a task, as float32 tensors."""
    import torch

    from adlkit.flows.layers import Logit

    if task == "moons":
        from adlkit.data import registry

        s = registry.load("moons", seed, n_train=10_000, n_test=5_000, standardize=True)
        Xtr, Xte = s.train, s.test
        return (torch.tensor(Xtr, dtype=torch.float32), None, torch.tensor(Xte, dtype=torch.float32), None, None, 64)
    from adlkit.data import digits, registry

    s = registry.load("digits")
    Xtr = torch.tensor(s.train, dtype=torch.float32)
    Xval = torch.tensor(digits.dequantize(s.val, 1), dtype=torch.float32)
    Xte = torch.tensor(digits.dequantize(s.test, 2), dtype=torch.float32)
    # fresh dequantization noise each batch (global torch RNG); logit with its Jacobian
    return Xtr, Xval, Xte, digits.dequantize, Logit(0.05), 256


def make_stepper(lib: str, dim: int, hidden: int, logit, seed: int):
    """``(module, step(batch), nll(batch))`` for one library; adlkit's step is the
    ``train_step`` that ``adlkit.train.fit`` calls, the peers' the usual PyTorch step."""
    import torch

    torch.manual_seed(seed)
    if lib in ("adlkit", AB_LIB):
        from adlkit.flows import AffineCoupling, RealNVPFlow
        from adlkit.train import StepContext

        flow = RealNVPFlow(dim, n_couplings=8, hidden=(hidden, hidden), mask="alternate",
                           logit_alpha=0.05 if logit is not None else None)
        if lib == AB_LIB:
            for m in flow.layers:
                if isinstance(m, AffineCoupling):
                    m.fused = False
        ctx = StepContext(flow.configure_optimizers())
        return flow, (lambda x: flow.train_step(x, ctx)), (lambda x: -flow.log_prob(x).mean())
    module, log_prob = build_peer(lib, dim, hidden, 8)
    opt = torch.optim.Adam(module.parameters(), lr=1e-3)

    def nll(x):
        if logit is not None:
            y, ld = logit(x)
            return -(log_prob(y) + ld).mean()
        return -log_prob(x).mean()

    def step(x):
        loss = nll(x)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return module, step, nll


def interleaved(task: str, seed: int, steps: int, threads: int, libs: list[str], block: int = 20,
                evaluate: bool = True) -> dict:
    """Train every library in ONE process, round-robin in blocks of ``block`` steps (the order
    rotates each round), so that machine load hits all alike. Each library sees the same
    batch sequence. Returns per library: held-out NLL (after ``steps`` steps), steps/s over the
    whole run, and ``steps_per_s_median``: the median over blocks of each block's steps/s, which
    a burst of load on the machine (it hits one library's block) moves less."""
    import torch

    torch.set_num_threads(threads)
    Xtr, _, Xte, transform, logit, hidden = task_data(task, seed)
    dim, B, n = Xtr.shape[1], 256, Xtr.shape[0]
    run = {lib: make_stepper(lib, dim, hidden, logit, seed) for lib in libs}

    def batches():
        gen = torch.Generator().manual_seed(seed)
        while True:
            perm = torch.randperm(n, generator=gen)
            for b in range(n // B):
                yield perm[b * B : (b + 1) * B]

    streams = {lib: batches() for lib in libs}
    spent = {lib: 0.0 for lib in libs}
    rates: dict[str, list[float]] = {lib: [] for lib in libs}
    done, r = 0, 0
    while done < steps:
        k = min(block, steps - done)
        order = libs[r % len(libs):] + libs[: r % len(libs)]
        for lib in order:
            _, step, _ = run[lib]
            t0 = time.perf_counter()
            for _ in range(k):
                x = Xtr[next(streams[lib])]
                if transform is not None:
                    x = transform(x)
                step(x)
            dt = time.perf_counter() - t0
            spent[lib] += dt
            rates[lib].append(k / dt)
        done += k
        r += 1
    out = {}
    for lib in libs:
        module, _, nll = run[lib]
        res = {"steps": steps, "steps_per_s": steps / spent[lib],
               "steps_per_s_median": statistics.median(rates[lib])}
        if evaluate:
            module.eval()
            with torch.no_grad():
                res["nll"] = float(nll(Xte))
        out[lib] = res
    return out


def matmul_floor(task: str, threads: int, steps: int = 100) -> dict:
    """Time the matrix products of one training step alone (same shapes as the benchmark's
    flows: per coupling 3 forward ``addmm`` and the backward's 6 ``mm``, minus the first
    coupling's unneeded input gradient): what no library can avoid. ms per step."""
    import torch

    torch.set_num_threads(threads)
    dim, hidden, n, K = (2, 64, 256, 8) if task == "moons" else (64, 256, 256, 8)
    a, b = dim // 2, dim - dim // 2
    g = torch.Generator().manual_seed(0)
    shapes = [(hidden, a), (hidden, hidden), (2 * b, hidden)]
    W = [[torch.randn(o, i, generator=g) * 0.05 for o, i in shapes] for _ in range(K)]
    bias = [[torch.zeros(o) for o, _ in shapes] for _ in range(K)]
    x = torch.randn(n, a, generator=g)

    def step() -> None:
        saved = []
        for k in range(K):
            h = [x]
            for Wl, bl in zip(W[k], bias[k]):
                h.append(torch.addmm(bl, h[-1], Wl.t()))
            saved.append(h)
        for k in reversed(range(K)):
            h, grad = saved[k], saved[k][-1]
            for l in reversed(range(3)):
                grad.t() @ h[l]
                if l > 0 or k > 0:
                    grad = grad @ W[k][l]

    for _ in range(10):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    flops = 3 * K * n * sum(2 * o * i for o, i in shapes) - 2 * n * shapes[0][0] * shapes[0][1]
    ms = (time.perf_counter() - t0) / steps * 1e3
    return {"ms_per_step": ms, "gflop_per_step": flops / 1e9, "gflop_per_s": flops / ms / 1e6}


def worker(lib: str, task: str, seed: int, steps: int, threads: int, patience: int) -> dict:
    import torch

    torch.set_num_threads(threads)
    from adlkit.flows import RealNVP

    B, K = 256, 8
    Xtr, Xval, Xte, transform, logit, hidden = task_data(task, seed)
    dim = Xtr.shape[1]
    torch.manual_seed(seed)
    rss0 = _rss_kb()
    out: dict = {}

    if lib == "adlkit":
        est = RealNVP(
            n_couplings=K, hidden=(hidden, hidden), mask="alternate", lr=1e-3, batch_size=B,
            epochs=10**9, max_steps=steps, patience=patience if Xval is not None else None, random_state=seed,
            logit_alpha=0.05 if logit is not None else None,
        )
        est.fit(Xtr, Xval, transform=transform)
        n_steps, train_s = est.result_.steps, est.result_.train_seconds
        with torch.no_grad():
            nll = -float(est.module_.log_prob(Xte).mean())
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
        err = (p.stderr.strip().splitlines() or [f"exit status {p.returncode}"])[-1]
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


def fmt(r: dict, k: str, f: str) -> str:
    if k not in r:
        return "-"
    s = format(r[k], f)
    return s + (f" ({format(r[k + '_min'], f)} to {format(r[k + '_max'], f)})" if k + "_min" in r else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="moons only, 1 seed, 600 steps, one process (< 60 s)")
    ap.add_argument("--task", choices=["moons", "digits", "all"], default="all")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--steps", type=int, default=None, help="moons: 3000, digits: 4000 (max, early stopping)")
    ap.add_argument("--speed-steps", type=int, default=None, help="steps per library in the interleaved throughput run (moons 1500, digits 300)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads per process (default 1)")
    ap.add_argument("--patience", type=int, default=40, help="digits: early-stopping patience in epochs")
    ap.add_argument("--libs", nargs="+", default=LIBS, choices=LIBS + [AB_LIB],
                    help=f"libraries to compare; {AB_LIB} (the fused coupling's A/B) only with --quick, "
                         "--speed-only or --interleaved")
    ap.add_argument("--speed-only", action="store_true", help="only the interleaved throughput run")
    ap.add_argument("--interleaved", action="store_true",
                    help="moons only: NLL and steps/s for each seed from one interleaved process per seed")
    ap.add_argument("--floor", action="store_true",
                    help="with --speed-only: also time the step's matrix products alone (the floor every library shares)")
    ap.add_argument("--json", help="also write all raw results to this file")
    ap.add_argument("--bernoulli", metavar="OUT_DIR", help="run the Bernoulli pixel model on binarized digits instead")
    ap.add_argument("--worker", choices=LIBS, help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    a = ap.parse_args()

    if a.bernoulli:
        print(json.dumps(bernoulli_digits(a.bernoulli), indent=1))
        return
    if AB_LIB in a.libs and not (a.quick or a.speed_only or a.interleaved):
        ap.error(f"{AB_LIB} runs only in the interleaved modes (--quick, --speed-only, --interleaved)")
    if a.worker:
        print(json.dumps(worker(a.worker, a.task, a.seed, a.steps, a.threads, a.patience)))
        return
    load = os.getloadavg()
    print(f"# load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; torch threads {a.threads}", file=sys.stderr)

    if a.quick:
        steps = a.steps or 600
        res = interleaved("moons", 0, steps, a.threads, a.libs)
        print("| library | held-out NLL (nats) | steps/s (interleaved) |\n|---|---|---|")
        for lib in a.libs:
            print(f"| {lib} | {res[lib]['nll']:.3f} | {res[lib]['steps_per_s']:.0f} |")
        load = os.getloadavg()
        print(f"# load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", file=sys.stderr)
        line = {"task": "moons", "steps": steps}
        line.update({lib: {"nll": res[lib]["nll"], "steps_per_s": res[lib]["steps_per_s"]} for lib in a.libs})
        print(json.dumps(line))
        return

    if a.interleaved:
        steps = a.steps or 3000
        per_seed = {lib: [] for lib in a.libs}
        for seed in a.seeds:
            res = interleaved("moons", seed, steps, a.threads, a.libs)
            print(f"moons seed {seed} interleaved " + json.dumps(res), file=sys.stderr)
            for lib in a.libs:
                per_seed[lib].append(res[lib])
        print(f"moons, {steps} steps, seeds {a.seeds}, one interleaved process per seed")
        print("| library | held-out NLL (nats), mean (min to max) | per seed | steps/s |\n|---|---|---|---|")
        for lib in a.libs:
            r = summarize(per_seed[lib])
            each = ", ".join(f"{x['nll']:.3f}" for x in per_seed[lib])
            print(f"| {lib} | {fmt(r, 'nll', '.3f')} | {each} | {fmt(r, 'steps_per_s', '.0f')} |")
        if a.json:
            with open(a.json, "w") as f:
                json.dump({"per_seed": per_seed, "seeds": a.seeds, "argv": sys.argv}, f, indent=1)
        return

    tasks = ["moons", "digits"] if a.task == "all" else [a.task]
    report: dict = {}
    raw: dict = {}
    for task in tasks:
        steps = a.steps or (3000 if task == "moons" else 4000)
        runs: dict[str, list[dict]] = {lib: [] for lib in a.libs}
        for i, seed in enumerate([] if a.speed_only else a.seeds):
            order = a.libs[i % len(a.libs):] + a.libs[: i % len(a.libs)]  # rotate who goes first
            for lib in order:
                r = run_one(lib, task, seed, steps, a.threads, a.patience, timeout=1800)
                runs[lib].append(r)
                print(f"{task} seed {seed} {lib:9s} " + json.dumps(r), file=sys.stderr)
        speed_steps = a.speed_steps or (1500 if task == "moons" else 300)
        speed = interleaved(task, 0, speed_steps, a.threads, a.libs, evaluate=False)
        print(f"{task} interleaved throughput " + json.dumps(speed), file=sys.stderr)
        if a.floor:
            fl = matmul_floor(task, a.threads)
            ms = {lib: 1e3 / speed[lib]["steps_per_s"] for lib in a.libs}
            print(f"{task}: matrix products alone {fl['ms_per_step']:.2f} ms/step ({fl['gflop_per_step']:.3f} GFLOP, "
                  f"{fl['gflop_per_s']:.0f} GFLOP/s); the rest of each library's step: "
                  + ", ".join(f"{lib} {ms[lib] - fl['ms_per_step']:.2f} ms" for lib in a.libs))
            speed["matmul_floor"] = fl
        raw[task] = {"runs": runs, "interleaved": speed}
        summary = {lib: (summarize(rs) if rs else {}) for lib, rs in runs.items()}
        for lib in a.libs:
            summary[lib]["steps_per_s_interleaved"] = speed[lib]["steps_per_s"]
        report[task] = {"steps": steps, "speed_steps": speed_steps, **summary}
    load = os.getloadavg()
    print(f"# load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", file=sys.stderr)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"report": report, "raw": raw, "seeds": a.seeds, "argv": sys.argv}, f, indent=1)
    for task, rep in report.items():
        digits_task = task == "digits"
        print(f"\n{task}: seeds {a.seeds}; {'at most ' if digits_task else ''}{rep['steps']} steps"
              + ("; best held-out epoch kept (early stopping)" if digits_task else ""))
        head = "| library | test NLL (nats) | " + ("bits/dim | best step | " if digits_task else "")
        head += f"steps/s, interleaved ({rep['speed_steps']} steps) | steps/s, own process | peak RSS increase (MB) |"
        print(head)
        print("|---" * (head.count("|") - 1) + "|")
        for lib in a.libs:
            r = rep[lib]
            if "error" in r:
                print(f"| {lib} | error: {r['error']} |")
                continue
            cells = [fmt(r, "nll", ".3f")]
            if digits_task:
                cells += [fmt(r, "bits_per_dim", ".3f"), fmt(r, "best_step", ".0f")]
            cells += [f"{r['steps_per_s_interleaved']:.0f}", fmt(r, "steps_per_s", ".0f"), fmt(r, "peak_rss_increase_mb", ".0f")]
            print(f"| {lib} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
