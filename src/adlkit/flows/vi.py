r"""Variational inference with a planar flow (Rezende and Mohamed, 2015, section 6.1).

q is K planar layers (:class:`~adlkit.flows.planar.PlanarFlow`, u-hat: always invertible) on a
standard normal base; the target is p(z) ∝ exp(-U(z)) for one of the paper's energies
(:mod:`adlkit.flows.energies`). Training minimises the reverse KL up to the constant log Z,

.. math::

    \mathcal{L}(q) = \mathbb{E}_{z_0 \sim N(0, I)}\left[\log q(z_K) + \beta_t\, U(z_K)\right]
    = \mathrm{KL}(q \,\|\, p) - \log Z \quad (\beta = 1),

with z_K = flow(z_0) and log q(z_K) = log N(z_0) - sum_k log|det J_k|, through
:func:`adlkit.train.fit`: the batches are fresh base samples (:class:`BaseSamples`). An optional
linear annealing of beta from 0.01 to 1 over ``anneal_steps`` steps follows the paper.

Example::

    model, result = train_planar_vi("u1", layers=8, steps=2000, seed=0)
    report = evaluate_vi(model)   # {"kl": true KL(q||p) in nats, "loss": ..., "log_z": ...}
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from adlkit.flows.energies import energy, log_partition
from adlkit.flows.planar import Planar, PlanarFlow


class BaseSamples:
    """A batch source of fresh standard normal base samples (``batches`` batches of ``batch_size``
    per epoch). A training epoch draws from the loop's generator (reproducible, resumable); an
    evaluation pass (``generator=None``) is the same fixed samples every time (``eval_seed``)."""

    def __init__(self, dim: int, batch_size: int, batches: int, eval_seed: int = 12345,
                 dtype: torch.dtype = torch.float32):
        self.dim, self.batch_size, self.batches = dim, batch_size, batches
        self.eval_seed, self.dtype = eval_seed, dtype

    def __len__(self) -> int:
        return self.batches

    def epoch(self, generator: torch.Generator | None, rank: int = 0, world: int = 1) -> Iterator[Tensor]:
        g = generator if generator is not None else torch.Generator().manual_seed(self.eval_seed)
        for _ in range(self.batches):
            z = torch.randn(self.batch_size, self.dim, generator=g, dtype=self.dtype)
            yield z[rank::world] if world > 1 else z


class PlanarVI(nn.Module):
    """A K-layer planar flow q fitted to exp(-U) by reverse KL (see the module docstring)."""

    def __init__(self, energy_name: str = "u1", layers: int = 16, h: str = "tanh", lr: float = 1e-2,
                 anneal_steps: int = 0, dim: int = 2):
        super().__init__()
        self.energy_name, self.n_layers, self.h, self.lr = energy_name, int(layers), h, float(lr)
        self.anneal_steps, self.dim = int(anneal_steps), int(dim)
        self.U = energy(energy_name)
        self.flow = PlanarFlow([Planar(dim, h=h, reparameterize=True) for _ in range(layers)])
        self.register_buffer("step_count", torch.zeros((), dtype=torch.long))
        self.progress_label = "E_q[log q + U] (nats)"

    def get_config(self) -> dict[str, Any]:
        return {"energy_name": self.energy_name, "layers": self.n_layers, "h": self.h, "lr": self.lr,
                "anneal_steps": self.anneal_steps, "dim": self.dim}

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"flow": torch.optim.Adam(self.flow.parameters(), lr=self.lr)}

    def beta(self) -> float:
        if self.anneal_steps <= 0:
            return 1.0
        return min(1.0, 0.01 + float(self.step_count) / self.anneal_steps)

    def loss(self, z0: Tensor, beta: float = 1.0) -> Tensor:
        """The mean over base samples of log q(z_K) + beta U(z_K)."""
        x, log_det = self.flow(z0)
        log_q = PlanarFlow.log_prob_base(z0) - log_det
        return (log_q + beta * self.U(x)).mean()

    def train_step(self, batch: Tensor, ctx) -> dict[str, float]:
        opt = ctx.optimizers["flow"]
        opt.zero_grad(set_to_none=True)
        beta = self.beta()
        loss = self.loss(batch, beta)
        ctx.backward(loss)
        opt.step()
        self.step_count += 1
        return {"loss": float(loss.detach()), "beta": beta}

    def eval_loss(self, batch: Tensor) -> float:
        return float(self.loss(batch, 1.0))

    @torch.no_grad()
    def sample(self, n: int, seed: int = 0) -> Tensor:
        g = torch.Generator().manual_seed(seed)
        z = torch.randn(n, self.dim, generator=g, dtype=next(self.parameters()).dtype)
        return self.flow(z)[0]

    @torch.no_grad()
    def log_prob(self, x: Tensor) -> Tensor:
        """log q(x) at any x (each planar layer inverted by bisection), in float64 (a copy of
        the flow; the model keeps its dtype)."""
        return copy.deepcopy(self.flow).double().log_prob(x.double())


@dataclass
class VIRun:
    model: PlanarVI
    steps: int
    train_seconds: float
    history: list[dict[str, float]]


def train_planar_vi(energy_name: str = "u1", layers: int = 16, steps: int = 5000, seed: int = 0,
                    batch_size: int = 256, lr: float = 1e-2, anneal_steps: int = 0, h: str = "tanh",
                    checkpoint_dir: str | None = None, progress: bool = False) -> VIRun:
    """Fit a planar-flow q to exp(-U) for ``steps`` Adam steps through :func:`adlkit.train.fit`."""
    from adlkit.train import TrainConfig, fit

    torch.manual_seed(seed)
    model = PlanarVI(energy_name, layers=layers, h=h, lr=lr, anneal_steps=anneal_steps)
    per_epoch = min(steps, 500)
    train = BaseSamples(2, batch_size, per_epoch)
    val = BaseSamples(2, 1024, 2)
    cfg = TrainConfig(epochs=math.ceil(steps / per_epoch), seed=seed, patience=None, max_steps=steps,
                      checkpoint_dir=checkpoint_dir, progress=progress, restore_best=False)
    t0 = time.perf_counter()
    result = fit(model, train, val, cfg)
    seconds = result.train_seconds or (time.perf_counter() - t0)
    return VIRun(model, result.steps, seconds, result.history)


@torch.no_grad()
def reverse_kl(sample_and_log_q, U, n: int = 20_000, seed: int = 1, log_z: float | None = None) -> dict[str, float]:
    """Monte Carlo E_q[log q + U] (= KL(q||p) - log Z) from n samples of q, and the true KL
    with log Z by quadrature. ``sample_and_log_q(n, generator) -> (x, log q(x))``."""
    g = torch.Generator().manual_seed(seed)
    x, log_q = sample_and_log_q(n, g)
    vals = (log_q.double() + U(x.double())).double()
    loss = float(vals.mean())
    se = float(vals.std() / math.sqrt(n))
    out = {"loss": loss, "loss_se": se}
    if log_z is not None:
        out.update(log_z=log_z, kl=loss + log_z)
    return out


def evaluate_vi(model: PlanarVI, n: int = 20_000, seed: int = 1) -> dict[str, float]:
    """The fitted q's reverse-KL estimate: ``loss`` (E_q[log q + U]), ``log_z`` and ``kl``."""
    return reverse_kl(model.flow.sample_and_log_prob, model.U, n, seed, log_partition(model.energy_name))


def density_grid(model: PlanarVI, box: tuple[float, float, float, float], n: int = 200):
    """(q, p) on an n x n grid of ``box`` as numpy arrays (n, n) (rows: x2, columns: x1), with
    the cell area: q through the flow's inverse, p = exp(-U)/Z with log Z by quadrature."""
    import numpy as np

    x0, x1, y0, y1 = box
    gx = torch.linspace(x0, x1, n, dtype=torch.float64)
    gy = torch.linspace(y0, y1, n, dtype=torch.float64)
    X2, X1 = torch.meshgrid(gy, gx, indexing="ij")
    pts = torch.stack([X1.reshape(-1), X2.reshape(-1)], 1)
    q = torch.exp(model.log_prob(pts)).reshape(n, n).numpy()
    with torch.no_grad():
        p = torch.exp(-model.U(pts) - log_partition(model.energy_name)).reshape(n, n).numpy()
    cell = float((gx[1] - gx[0]) * (gy[1] - gy[0]))
    return np.asarray(q), np.asarray(p), cell


def density_figure(model: PlanarVI, path, metrics: dict[str, Any] | None = None):
    """The fitted q beside the true p on the paper's box [-4, 4]^2 (one PNG)."""
    from adlkit import plotting
    from adlkit.flows.energies import BOUNDS

    q, p, _ = density_grid(model, BOUNDS, 200)
    fig, (a1, a2) = plotting.subplots(1, 2, figsize=(9, 4.4))
    for ax, dens, title in ((a1, p, f"true p ∝ exp(-{model.energy_name.upper()})"),
                            (a2, q, f"planar flow q, K = {model.n_layers}"
                             + (f" (KL {metrics['kl']:.3f} nats)" if metrics and "kl" in metrics else ""))):
        ax.imshow(dens, origin="lower", extent=BOUNDS, cmap="magma", aspect="auto")
        ax.set_title(title)
        ax.set_xlabel("$z_1$")
        ax.set_ylabel("$z_2$")
    return plotting.save(fig, path, dpi=110)


def train_planar(energy_name: str, out, layers: int = 16, steps: int = 5000, seed: int = 0,
                 batch_size: int = 256, lr: float = 1e-2, anneal_steps: int = 0, progress: bool = True,
                 log=print):
    """Fit a planar-flow q to exp(-U) and write ``best.pt``/``last.pt`` (the loop's checkpoints),
    ``planar_density.png`` (q beside p), ``curve.png`` and ``metrics.json`` (the reverse-KL
    estimate E_q[log q + U], log Z by quadrature, the true KL(q||p) in nats, steps/s) to ``out``."""
    from adlkit import plotting
    from adlkit.core.paths import prepare_output_dir
    from adlkit.train.report import RunReport

    out = prepare_output_dir(out)
    log(f"fitting a {layers}-layer planar flow to exp(-{energy_name.upper()}) by reverse KL: {steps} steps of "
        f"{batch_size} base samples; output in {out}/")
    run = train_planar_vi(energy_name, layers=layers, steps=steps, seed=seed, batch_size=batch_size, lr=lr,
                          anneal_steps=anneal_steps, checkpoint_dir=str(out), progress=progress)
    ev = evaluate_vi(run.model)
    torch.manual_seed(seed)  # the same initial flow as the run's (fit seeds the same way)
    ev0 = evaluate_vi(PlanarVI(energy_name, layers=layers))
    metrics = {"energy": energy_name, "layers": layers, "steps": run.steps, "seed": seed, "batch_size": batch_size,
               "lr": lr, "anneal_steps": anneal_steps, "kl_nats": ev["kl"], "loss": ev["loss"],
               "loss_se": ev["loss_se"], "log_z": ev["log_z"], "kl_at_init_nats": ev0["kl"],
               "train_seconds": run.train_seconds, "steps_per_s": run.steps / max(run.train_seconds, 1e-9)}
    report = RunReport(run, metrics, out, RunReport.checkpoints_in(out))
    report.files.append(density_figure(run.model, out / "planar_density.png", {"kl": ev["kl"]}))
    report.files.append(plotting.training_curve(run.history, out / "curve.png", ylabel="E_q[log q + U] (nats)"))
    report.write_metrics()
    return report
