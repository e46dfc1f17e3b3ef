"""Diffusion: adlkit against diffusers' DDPMScheduler / DDIMScheduler, side by side.

(a) Agreement: adlkit's linear schedule (betas, alpha-bar) against diffusers' (float32) on
    T = 1000; ``add_noise`` and single steps -- DDPM with variance_type fixed_small (= our
    posterior variance) and fixed_large (= beta), at t = 1, 2, 10, 500, 999, 1000, and DDIM
    (eta 0 and 0.5, with the same given noise) over the 50 strided steps -- on random inputs, in
    float64 on the same alpha-bar values (diffusers' float32 alphas_cumprod, cast: in float32
    its step coefficients lose digits near t = 1). Max absolute differences.
(b) The same epsilon MLP (adlkit.diffusion.model.EpsMLP: 3 x 128 SiLU, 32-d sinusoidal time
    embedding; the same initial weights) trained on 8 Gaussians (standardised, 10,000 train
    points) by adlkit (``Diffusion.fit`` -> ``adlkit.train.fit``, L_simple) and by a plain
    PyTorch loop around diffusers' DDPMScheduler.add_noise (the reference), same number of
    steps, batch 256 (``--batch``), Adam lr 2e-3 decayed linearly to 0 over the run (``--lr-decay linear``, the
    default: adlkit's ``Diffusion(lr_decay="linear")``, the reference diffusers'
    ``get_scheduler("linear")``; ``none``: constant), same seed, T = 1000 linear (``--ema D``: both
    sample with an exponential moving average of the weights, adlkit's ``Diffusion(ema_decay=D)`` and
    diffusers' ``EMAModel(decay=D)``; off by default). The same arithmetic; how each
    computes it is its own: the reference is what a diffusers user writes (torch's default Adam,
    the embedding's cos/sin on every call, as diffusers' Timesteps module does); adlkit's
    module uses torch's fused Adam and looks the embedding and q(x_t | x_0)'s coefficients up in
    tables per integer t. Training steps/s (training steps only) per run, and -- the figure of
    the JSON line -- from a separate run that trains both in ONE process round-robin in blocks
    of 100 steps (the machine's load hits both alike); then the exact W1 (POT's emd2, Euclidean
    cost) between n samples and n held-out test points for DDPM-1000 (sigma_t^2 = beta_t in
    both: diffusers' fixed_large) and DDIM-10/25/50/100 (eta = ``--eta`` in both; 0 is the
    deterministic DDIM) -- adlkit's samplers for adlkit's net, diffusers'
    DDPMScheduler/DDIMScheduler.step loops for the reference's net -- next to the W1 floor (two
    independent held-out samples of size n); sampling seconds per sampler. adlkit's DDIM runs
    with every time-step spacing of ``--spacings`` (adlkit.diffusion.schedule.strided_timesteps),
    the reference's with those diffusers has (leading, trailing); the JSON line's ``w1_ddim`` is
    DDIM-50 with ``--spacing`` (the reference: that spacing where diffusers has it, else its
    default, leading; the line's ``ddim_spacing`` and ``ddim_eta`` say which).

Usage:
    python bench/diffusion_vs_diffusers.py --quick     # < 90 s; one seed; JSON last line
    python bench/diffusion_vs_diffusers.py --seeds 0 1 2 --train-steps 4000 --n 1000
"""

from __future__ import annotations

import argparse
import copy
import json
import time

import numpy as np
import torch


def agreement() -> tuple[float, float]:
    from diffusers import DDIMScheduler, DDPMScheduler

    from adlkit.diffusion.schedule import Schedule, ddim_step, ddpm_step, q_sample, strided_timesteps

    T = 1000
    ours = Schedule.linear(1e-4, 0.02, T)
    d = DDPMScheduler(num_train_timesteps=T)
    sched = max(float(np.abs(d.betas.double().numpy() - ours.betas).max()),
                float(np.abs(d.alphas_cumprod.double().numpy() - ours.alpha_bars[1:]).max()))

    def f64(s):
        s.alphas_cumprod = s.alphas_cumprod.double()
        s.one = torch.tensor(1.0, dtype=torch.float64)
        if hasattr(s, "final_alpha_cumprod"):
            s.final_alpha_cumprod = torch.tensor(1.0, dtype=torch.float64)
        return s, Schedule.from_alpha_bar(s.alphas_cumprod.numpy())

    g = torch.Generator().manual_seed(0)
    r = lambda: torch.randn(256, 2, generator=g, dtype=torch.float64)
    step = 0.0
    d64, s64 = f64(DDPMScheduler(num_train_timesteps=T))
    x0, eps, ts = r(), r(), torch.randint(0, T, (256,), generator=g)
    ab = torch.tensor(s64.alpha_bars[1:][ts.numpy()]).unsqueeze(1)
    sched = max(sched, float((d64.add_noise(x0, eps, ts) - q_sample(x0, eps, ab)[2]).abs().max()))
    for vt, var in (("fixed_small", "posterior"), ("fixed_large", "beta")):
        dd, s = f64(DDPMScheduler(num_train_timesteps=T, clip_sample=False, variance_type=vt))
        for t in (1, 2, 10, 500, 999, 1000):
            x, e = r(), r()
            ref = dd.step(e, t - 1, x, generator=torch.Generator().manual_seed(t))
            z = torch.randn(x.shape, generator=torch.Generator().manual_seed(t), dtype=torch.float64)
            out = ddpm_step(x, e, s.alpha_bar(t), s.alpha_bar(t - 1), s.alpha(t), z=z, variance=var, last=t == 1)
            step = max(step, float((out[0] - ref.pred_original_sample).abs().max()), float((out[3] - ref.prev_sample).abs().max()))
    for eta in (0.0, 0.5):
        dd, s = f64(DDIMScheduler(num_train_timesteps=T, clip_sample=False))
        dd.set_timesteps(50)
        ts = strided_timesteps(T, 50)
        for i, t in enumerate(ts):
            x, e, z = r(), r(), r()
            ref = dd.step(e, t - 1, x, eta=eta, variance_noise=z)
            out = ddim_step(x, s.alpha_bar(t), s.alpha_bar(ts[i + 1] if i + 1 < len(ts) else 0), eps_pred=e, eta=eta, z=z)
            step = max(step, float((out[0] - ref.pred_original_sample).abs().max()), float((out[3] - ref.prev_sample).abs().max()))
    return sched, step


def w1(a: np.ndarray, b: np.ndarray) -> float:
    import ot

    return float(ot.emd2(np.full(len(a), 1 / len(a)), np.full(len(b), 1 / len(b)), ot.dist(a, b, metric="euclidean"),
                         numItermax=10_000_000))


def train_reference(net: torch.nn.Module, X: torch.Tensor, steps: int, batch: int, lr: float, seed: int,
                    lr_decay: str = "linear", ema: float | None = None) -> tuple[float, torch.nn.Module]:
    """The plain loop a diffusers user writes (with ``lr_decay="linear"``: diffusers'
    ``get_scheduler("linear")``, lr (1 - k / steps) at update k; with ``ema``: diffusers'
    ``EMAModel(decay=ema)`` stepped after every update, copied into a network to sample with).
    Returns the training seconds and the network to sample with (``net`` itself without ``ema``)."""
    import torch.nn.functional as F
    from diffusers import DDPMScheduler
    from diffusers.optimization import get_scheduler
    from diffusers.training_utils import EMAModel

    sched = DDPMScheduler(num_train_timesteps=1000)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    decay = get_scheduler("linear", opt, num_warmup_steps=0, num_training_steps=steps) if lr_decay == "linear" else None
    average = None if ema is None else EMAModel(net.parameters(), decay=ema)
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    done, t0 = 0, time.perf_counter()
    while done < steps:
        perm = torch.randperm(len(X), generator=g)
        for i in range(0, len(X) - batch + 1, batch):
            x0 = X[perm[i:i + batch]]
            noise = torch.randn_like(x0)
            t = torch.randint(0, 1000, (batch,))
            loss = F.mse_loss(net(sched.add_noise(x0, noise, t), t + 1), noise)  # the net reads 1-based steps
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if decay is not None:
                decay.step()
            if average is not None:
                average.step(net.parameters())
            done += 1
            if done == steps:
                break
    seconds = time.perf_counter() - t0
    if average is None:
        return seconds, net
    sampler = copy.deepcopy(net)
    average.copy_to(sampler.parameters())
    return seconds, sampler


def throughput(seed: int, steps: int, block: int = 100, lr_decay: str = "linear", batch: int = 256,
               ema: float | None = None) -> tuple[float, float]:
    """Training steps/s of adlkit (``adlkit.train.fit`` on a DiffusionModule, its
    ``train_seconds``: batch fetch + train_step) and of the reference loop, measured in ONE
    process, round-robin in blocks of ``block`` steps (alternating which goes first), so that the
    machine's load hits both alike. Returns (adlkit, reference)."""
    from adlkit.data.registry import density_split
    from adlkit.diffusion.model import DiffusionModule, EpsMLP
    from adlkit.train import TrainConfig, fit

    X = torch.as_tensor(density_split("8gaussians", seed, n_train=10_000).train, dtype=torch.float32)
    torch.manual_seed(seed)
    module = DiffusionModule(2, hidden=(128, 128, 128), emb_dim=32, steps=1000, lr=2e-3,
                             lr_decay_steps=block if lr_decay == "linear" else None, ema_decay=ema).float()
    torch.manual_seed(seed)
    ref_net = EpsMLP(2, (128, 128, 128), 32)
    ours = ref = 0.0
    for k in range(max(1, steps // block)):
        for who in (("adlkit", "reference") if k % 2 == 0 else ("reference", "adlkit")):
            if who == "adlkit":
                cfg = TrainConfig(epochs=10**6, batch_size=batch, seed=seed + k, patience=None, max_steps=block, progress=False)
                ours += fit(module, X, None, cfg).train_seconds
            else:
                ref += train_reference(ref_net, X, block, batch, 2e-3, seed + k, lr_decay, ema)[0]
    n = max(1, steps // block) * block
    return n / ours, n / ref


DIFFUSERS_SPACINGS = ("leading", "trailing")


@torch.no_grad()
def sample_reference(net: torch.nn.Module, n: int, steps: int | None, seed: int, spacing: str = "leading",
                     eta: float = 0.0) -> np.ndarray:
    from diffusers import DDIMScheduler, DDPMScheduler

    g = torch.Generator().manual_seed(seed)
    if steps is None:
        s = DDPMScheduler(num_train_timesteps=1000, clip_sample=False, variance_type="fixed_large")
        s.set_timesteps(1000)
    else:
        s = DDIMScheduler(num_train_timesteps=1000, clip_sample=False, timestep_spacing=spacing)
        s.set_timesteps(steps)
    x = torch.randn(n, 2, generator=g)
    for t in s.timesteps:
        eps = net(x, torch.full((n,), int(t) + 1, dtype=torch.long))
        x = (s.step(eps, t, x, generator=g) if steps is None else s.step(eps, t, x, eta=eta, generator=g)).prev_sample
    return x.numpy().astype(np.float64)


def run(seed: int, train_steps: int, n: int, ddim_steps: tuple[int, ...], spacings: tuple[str, ...],
        eta: float = 0.0, lr_decay: str = "linear", batch: int = 256, ema: float | None = None) -> dict:
    from adlkit.data.registry import density_split
    from adlkit.diffusion.model import Diffusion, EpsMLP

    # the floor: W1 between two independent held-out samples of n points each (val and test)
    split = density_split("8gaussians", seed, n_train=10_000, n_test=n, n_val=n)
    test, other = split.test, split.val
    est = Diffusion(hidden=(128, 128, 128), emb_dim=32, steps=1000, lr=2e-3, lr_decay=lr_decay, ema_decay=ema, batch_size=batch, epochs=10**6,
                    max_steps=train_steps, patience=None, random_state=seed)
    est.fit(split.train)
    torch.manual_seed(seed)
    ref_net = EpsMLP(2, (128, 128, 128), 32)  # the same initial weights as adlkit's (same seed, same builder)
    ref_seconds, ref_net = train_reference(ref_net, torch.as_tensor(split.train, dtype=torch.float32), train_steps, batch, 2e-3,
                                           seed, lr_decay, ema)
    out = {"seed": seed, "w1_floor": w1(other, test),
           "adlkit": {"steps_per_s": train_steps / est.result_.train_seconds, "w1": {}, "seconds": {}},
           "reference": {"steps_per_s": train_steps / ref_seconds, "w1": {}, "seconds": {}}}
    jobs = [("ddpm1000", None, "leading")] + [(f"ddim{k}" + ("" if sp == "leading" else f"_{sp}"), k, sp)
                                              for sp in spacings for k in ddim_steps]
    for name, steps, sp in jobs:
        t0 = time.perf_counter()
        X = est.sample(n, steps=steps, sampler="ddpm" if steps is None else "ddim", eta=eta, random_state=seed, spacing=sp)
        out["adlkit"]["seconds"][name] = time.perf_counter() - t0
        out["adlkit"]["w1"][name] = w1(X, test)
        if sp not in DIFFUSERS_SPACINGS:
            continue
        t0 = time.perf_counter()
        X = sample_reference(ref_net, n, steps, seed, sp, eta)
        out["reference"]["seconds"][name] = time.perf_counter() - t0
        out["reference"]["w1"][name] = w1(X, test)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one seed, 2,000 training steps, n = 500, DDIM-10/50")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--train-steps", type=int, default=32000,
                    help="training steps of both libraries (32,000: DDIM's probability-flow ODE needs the "
                         "longer-trained network, bench/RESULTS.md)")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--speed-steps", type=int, default=3000, help="steps per library of the interleaved throughput run")
    ap.add_argument("--spacings", nargs="+", default=["leading", "trailing", "quadratic"],
                    help="DDIM time-step spacings to run (the reference: those diffusers has)")
    ap.add_argument("--spacing", default="quadratic", help="the spacing of the JSON line's w1_ddim")
    ap.add_argument("--eta", type=float, default=0.0, help="DDIM's eta, every DDIM run of both libraries")
    ap.add_argument("--lr-decay", default="linear", choices=["linear", "none"],
                    help="both libraries: Adam's rate decays linearly to 0 over the training steps, or stays constant")
    ap.add_argument("--batch", type=int, default=256, help="training batch size, both libraries")
    ap.add_argument("--ema", type=float, default=None,
                    help="both libraries sample with an EMA of the weights of this decay (adlkit's ema_decay, "
                         "diffusers' EMAModel); default off")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.quick:
        args.seeds, args.train_steps, args.n, ddim = [0], 2000, 500, (10, 50)
        args.speed_steps, args.spacings = 600, [args.spacing]
    else:
        ddim = (10, 25, 50, 100)
    spacings = tuple(dict.fromkeys([*args.spacings, args.spacing]))
    ref_spacing = args.spacing if args.spacing in DIFFUSERS_SPACINGS else "leading"
    if ref_spacing not in spacings:
        spacings += (ref_spacing,)
    sched, step = agreement()
    print(f"agreement with diffusers: schedule/add_noise max |diff| {sched:.3g}, DDPM/DDIM step max |diff| {step:.3g}")
    speed = throughput(args.seeds[0], args.speed_steps, lr_decay=args.lr_decay, batch=args.batch, ema=args.ema)
    print(f"interleaved training throughput ({args.speed_steps} steps each): adlkit {speed[0]:.1f} steps/s, "
          f"reference {speed[1]:.1f} steps/s, ratio {speed[0] / speed[1]:.2f}")
    runs = []
    for seed in args.seeds:
        r = run(seed, args.train_steps, args.n, ddim, spacings, args.eta, args.lr_decay, args.batch, args.ema)
        runs.append(r)
        print(json.dumps(r))
    mean = lambda f: float(np.mean([f(r) for r in runs]))
    summary = {"schedule_max_abs_diff": sched, "step_max_abs_diff": step, "w1_floor": mean(lambda r: r["w1_floor"])}
    key = lambda sp: "ddim50" + ("" if sp == "leading" else f"_{sp}")
    for i, (who, sp) in enumerate((("adlkit", args.spacing), ("reference", ref_spacing))):
        summary[who] = {"steps_per_s": speed[i],
                        "w1_ddim": mean(lambda r: r[who]["w1"][key(sp)]),
                        "w1_ddpm": mean(lambda r: r[who]["w1"]["ddpm1000"])}
    summary["ddim_spacing"] = {"adlkit": args.spacing, "reference": ref_spacing}
    summary["ddim_eta"] = args.eta
    summary["lr_decay"] = args.lr_decay
    summary["batch"], summary["ema"] = args.batch, args.ema
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
