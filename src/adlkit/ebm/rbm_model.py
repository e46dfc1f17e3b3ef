r"""The trainable RBM: contrastive divergence (CD-k) and persistent CD, the pseudo-likelihood, and
annealed importance sampling of its partition function (Salakhutdinov and Murray, 2008).

Training. For a batch of data v, the gradient of the mean log-likelihood is
:math:`-\langle\nabla F(v)\rangle_{data} + \langle\nabla F(v)\rangle_{model}`; the model term is
replaced by the end points of k block-Gibbs steps started at the data (``"cd"``) or at
persistent chains kept between updates (``"pcd"``, Tieleman, 2008; their state is the hidden
units, as in scikit-learn). The step minimises
:math:`\overline{F(v_{data})} - \overline{F(v_{neg})}` (negatives held fixed) with plain SGD:
exactly scikit-learn's BernoulliRBM update when k = 1, method ``"pcd"``.

AIS. Base model A: W = 0, visible biases :math:`b_A` (the data's log-odds), hidden biases 0, so
:math:`Z_A = 2^{n_h}\prod_i(1 + e^{b_{A,i}})`. Intermediate models
:math:`\log f_\beta(v) = ((1-\beta)b_A + \beta b)^\top v + \sum_j \operatorname{softplus}(\beta(c + W^\top v)_j)`,
moved by one Gibbs sweep at each :math:`\beta`; :math:`\log Z \approx \log Z_A + \log\frac1M\sum_m w_m`.
Checked against the exact enumeration of :mod:`adlkit.ebm.rbm` on a small model.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn.functional import softplus

from adlkit.ebm._rbm_kernel import contrastive_updates
from adlkit.ebm.ais import AISResult, sigmoid_schedule
from adlkit.ebm.rbm import RBM
from adlkit.train.estimator import DensityEstimator, as_rows, torch_generator

METHODS = ("cd", "pcd")


@dataclass
class RBMConfig:
    n_visible: int
    n_hidden: int = 100
    method: str = "pcd"
    k: int = 1
    lr: float = 0.06
    n_chains: int = 10
    init_std: float = 0.01
    batch_size: int | None = None  # rows per update; None: each batch of the loop is one update

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        if self.k < 1 or self.n_chains < 1 or self.n_hidden < 1 or not self.lr > 0:
            raise ValueError("need k >= 1, n_chains >= 1, n_hidden >= 1 and lr > 0")
        if self.batch_size is not None and self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")


def pseudo_log_likelihood(rbm: RBM, v: Tensor) -> Tensor:
    r"""Per row: :math:`\sum_i \log p(v_i \mid v_{-i})`, every unit flipped in turn (exact, not
    scikit-learn's one random unit times n_v): :math:`\log p(v_i\mid v_{-i}) = -\operatorname{softplus}(F(v) - F(v^{(i)}))`."""
    with torch.no_grad():
        F = rbm.free_energy(v)
        total = torch.zeros_like(F)
        for i in range(v.shape[1]):
            flipped = v.clone()
            flipped[:, i] = 1 - flipped[:, i]
            total += -softplus(F - rbm.free_energy(flipped))
    return total


@torch.no_grad()
def ais_rbm_log_partition(rbm: RBM, base_visible_bias: Tensor | None = None, n_chains: int = 500,
                          n_temps: int = 3000, generator: torch.Generator | None = None) -> AISResult:
    """AIS estimate of log Z of ``rbm`` (see the module docstring)."""
    W, b, c = rbm.W.detach().double(), rbm.b.detach().double(), rbm.c.detach().double()
    nv, nh = W.shape
    bA = torch.zeros(nv, dtype=torch.float64) if base_visible_bias is None else base_visible_bias.double()
    betas = sigmoid_schedule(n_temps)

    def log_f(v: Tensor, beta: float) -> Tensor:
        return v @ ((1 - beta) * bA + beta * b) + softplus(beta * (c + v @ W)).sum(-1)

    v = torch.bernoulli(torch.sigmoid(bA).expand(n_chains, nv), generator=generator)
    logw = torch.zeros(n_chains, dtype=torch.float64)
    for t in range(1, n_temps + 1):
        b0, b1 = float(betas[t - 1]), float(betas[t])
        logw += log_f(v, b1) - log_f(v, b0)
        h = torch.bernoulli(torch.sigmoid(b1 * (c + v @ W)), generator=generator)
        v = torch.bernoulli(torch.sigmoid((1 - b1) * bA + b1 * (b + h @ W.T)), generator=generator)
    log_za = nh * math.log(2.0) + float(softplus(bA).sum())
    log_z = log_za + float(torch.logsumexp(logw, 0)) - math.log(n_chains)
    w = torch.exp(logw - logw.max())
    return AISResult(log_z, float(w.std() / (w.mean() * math.sqrt(n_chains))), logw, 1.0,
                     float(w.sum() ** 2 / (w * w).sum()))


def gibbs_chain(rbm: RBM, v_pos: Tensor, h: Tensor, u: Tensor, persistent: bool) -> tuple[Tensor, Tensor]:
    """The k block-Gibbs steps of a CD-k / PCD-k update with the given uniforms ``u``
    (k, M, n_v + n_h), in the layout of :mod:`adlkit.ebm._rbm_kernel`: returns ``(v_neg, h)``,
    the chains' visible end points and (PCD) their new hidden states. ``h`` (M, n_h): PCD's
    persistent hidden states (ignored by CD, which starts from ``v_pos``)."""
    nv, k = rbm.n_visible, u.shape[0]
    if not persistent:
        h = (u[0, :, nv:] < rbm.p_h_given_v(v_pos)).to(v_pos.dtype)
    v = v_pos
    for t in range(k):
        v = (u[t, :, :nv] < rbm.p_v_given_h(h)).to(v_pos.dtype)
        if persistent or t < k - 1:
            h = (u[t if persistent else t + 1, :, nv:] < rbm.p_h_given_v(v)).to(v_pos.dtype)
    return v, h


def draw_uniforms(*shape: int) -> np.ndarray:
    """Uniforms in [0, 1) of ``shape`` (float64): a PCG64 stream seeded by one draw from the global
    torch generator (so the loop's seeding and checkpoints fix them; PCG64 fills an array about
    twice as fast as ``torch.rand``)."""
    seed = int(torch.randint(0, 2**62, (1,)))
    return np.random.default_rng(seed).random(shape)


class RBMModule(nn.Module):
    """The RBM as a model of :func:`adlkit.train.fit`: SGD on the CD / PCD objective.

    PCD's persistent state is the chains' hidden units (``chains``, n_chains x n_h, zeros at the
    start), as in scikit-learn's BernoulliRBM: a step samples v | h, then h | v. A batch of the
    loop is cut into updates of ``batch_size`` rows (all of it when None; see
    :class:`MinibatchBlocks`). In one CPU process with float64 weights the updates are the numba
    kernel of :mod:`adlkit.ebm._rbm_kernel`; otherwise (several processes, which average
    gradients) :func:`contrastive_step`, the same update through autograd. Both take the batch's
    uniforms from one :func:`draw_uniforms`, so either path gives the same updates.
    ``train_step`` reports the mean objective of its updates as ``loss``.
    """

    def __init__(self, n_visible: int, **arguments: Any):
        super().__init__()
        self.config = c = RBMConfig(n_visible=n_visible, **arguments)
        self.rbm = RBM(c.n_visible, c.n_hidden, c.init_std, dtype=torch.float64)
        self.register_buffer("chains", torch.zeros(c.n_chains, c.n_hidden, dtype=torch.float64))

    def get_config(self) -> dict[str, Any]:
        return asdict(self.config)

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"sgd": torch.optim.SGD(self.rbm.parameters(), lr=self.config.lr)}

    def _uses_kernel(self, ctx) -> bool:
        W = self.rbm.W
        return getattr(ctx, "world_size", 1) == 1 and W.dtype == torch.float64 and W.device.type == "cpu"

    def train_step(self, batch: Tensor, ctx) -> dict[str, float]:
        c = self.config
        persistent = c.method == "pcd"
        B = batch.shape[0] if c.batch_size is None else c.batch_size
        n_updates = -(-batch.shape[0] // B)
        M = c.n_chains if persistent else B
        u = draw_uniforms(n_updates, c.k, M, c.n_visible + c.n_hidden)
        opt = ctx.optimizers["sgd"]
        lr = float(opt.param_groups[0]["lr"])
        if self._uses_kernel(ctx):
            h = self.chains if persistent else torch.empty(M, c.n_hidden, dtype=torch.float64)
            W, b, hb = (p.detach().numpy() for p in (self.rbm.W, self.rbm.b, self.rbm.c))
            loss = contrastive_updates(W, b, hb, batch.detach().numpy(), B, h.numpy(), u, lr, persistent)
        else:
            u = torch.from_numpy(u)
            loss = 0.0
            for s in range(n_updates):
                v = batch[s * B:(s + 1) * B]
                m = M if persistent else v.shape[0]
                loss += float(contrastive_step(self.rbm, opt, v, self.chains, u[s, :, :m],
                                               persistent, ctx.backward)) / n_updates
        return {"loss": float(loss)}

    def eval_loss(self, batch: Tensor) -> float:
        """Negative pseudo-log-likelihood per example (nats; lower is better)."""
        return float(-pseudo_log_likelihood(self.rbm, batch).mean())


def contrastive_step(rbm: RBM, opt: torch.optim.Optimizer, v_pos: Tensor, chains: Tensor, u: Tensor,
                     persistent: bool, backward=None) -> Tensor:
    r"""One CD-k / PCD-k update through autograd: the Gibbs steps of :func:`gibbs_chain`, then
    one step of ``opt`` on :math:`\overline{F(v_{pos})} - \overline{F(v_{neg})}` (``backward``:
    how to back-propagate, by default ``loss.backward()``). PCD's ``chains`` (hidden states) are
    updated in place. Returns the objective before the update."""
    with torch.no_grad():
        v_neg, h = gibbs_chain(rbm, v_pos, chains, u, persistent)
        if persistent:
            chains.copy_(h)
    opt.zero_grad(set_to_none=True)
    loss = rbm.free_energy(v_pos).mean() - rbm.free_energy(v_neg).mean()
    (backward or torch.Tensor.backward)(loss)
    opt.step()
    return loss.detach()


class MinibatchBlocks:
    """A batch source of :func:`adlkit.train.fit`: minibatches of ``batch_size`` rows handed over
    ``per_step`` consecutive ones at a time, so that one ``train_step`` makes ``per_step``
    updates in one kernel call. ``shuffle``: the minibatches of
    :class:`~adlkit.train.batches.TensorBatches` (a fresh permutation per epoch, the remainder
    left out; the same data order); otherwise the rows in their given order every epoch, the last
    minibatch shorter (scikit-learn's BernoulliRBM order). An evaluation pass
    (``generator=None``) is the rows in order. One process only."""

    def __init__(self, data: Tensor, batch_size: int, per_step: int, shuffle: bool = True):
        if batch_size < 1 or per_step < 1:
            raise ValueError(f"batch_size and per_step must be >= 1, got {batch_size} and {per_step}")
        self.data, self.batch_size, self.per_step, self.shuffle = data, batch_size, per_step, shuffle

    def __len__(self) -> int:
        n, B = self.data.shape[0], self.batch_size
        return -(-(n // B if self.shuffle else -(-n // B)) // self.per_step)

    def epoch(self, generator: torch.Generator | None, rank: int = 0, world: int = 1):
        if world > 1:
            raise ValueError("MinibatchBlocks is for one process; under torchrun pass the tensor")
        n, B, step = self.data.shape[0], self.batch_size, self.batch_size * self.per_step
        if generator is None or not self.shuffle:
            for i in range(0, n, step):
                yield self.data[i : i + step]
            return
        perm = torch.randperm(n, generator=generator)[: n - n % B]
        for i in range(0, perm.shape[0], step):
            yield self.data[perm[i : i + step]]


class RBMEstimator(DensityEstimator):
    """A Bernoulli RBM density model, a scikit-learn estimator.

    ``fit(X, X_val=None)`` trains with :func:`adlkit.train.fit`, then estimates log Z by AIS
    (or exactly when n_visible <= 20). ``score_samples(X)``: log p(v) = -F(v) - log Z in nats;
    ``pseudo_likelihood(X)``; ``sample(n)`` by block Gibbs sampling. Each step of the training
    loop makes ``updates_per_step`` minibatch updates (:class:`MinibatchBlocks`; the same data
    order as one update per step); ``max_steps`` counts those steps. ``shuffle=False`` visits the
    rows in their given order every epoch, as scikit-learn's BernoulliRBM does.
    """

    def __init__(self, n_hidden: int = 100, method: str = "pcd", k: int = 1, lr: float = 0.06, batch_size: int = 10,
                 epochs: int = 20, patience: int | None = None, max_steps: int | None = None, random_state: int = 0,
                 ais_chains: int = 500, ais_temps: int = 3000, progress: bool = False, updates_per_step: int = 50,
                 shuffle: bool = True):
        self.n_hidden = n_hidden
        self.method = method
        self.k = k
        self.lr = lr
        self.batch_size = batch_size
        self.epochs = epochs
        self.patience = patience
        self.max_steps = max_steps
        self.random_state = random_state
        self.ais_chains = ais_chains
        self.ais_temps = ais_temps
        self.progress = progress
        self.updates_per_step = updates_per_step
        self.shuffle = shuffle

    def fit(self, X: Any, X_val: Any = None) -> RBMEstimator:
        from adlkit.train import TrainConfig, fit

        Xt = as_rows(X, torch.float64, binary=True)
        Xv = None if X_val is None else as_rows(X_val, torch.float64, Xt.shape[1], binary=True)
        B = min(self.batch_size, Xt.shape[0])
        torch.manual_seed(self.random_state)
        module = RBMModule(Xt.shape[1], n_hidden=self.n_hidden, method=self.method, k=self.k, lr=self.lr,
                           n_chains=B, batch_size=B)
        cfg = TrainConfig(epochs=self.epochs, batch_size=B, seed=self.random_state, patience=self.patience,
                          max_steps=self.max_steps, progress=self.progress, restore_best=Xv is not None)
        t0, c0 = time.perf_counter(), time.process_time()
        self.result_ = fit(module, MinibatchBlocks(Xt, B, self.updates_per_step, self.shuffle), Xv, cfg)
        self.fit_seconds_ = time.perf_counter() - t0  # the training loop only: wall and CPU seconds
        self.fit_cpu_seconds_ = time.process_time() - c0
        self.module_ = module.eval()
        self.n_features_in_ = Xt.shape[1]
        p = Xt.mean(0).clamp(1e-3, 1 - 1e-3)
        self.base_bias_ = torch.log(p / (1 - p))
        self.estimate_log_z()
        return self

    def estimate_log_z(self) -> float:
        self._check_fitted()
        rbm = self.module_.rbm
        if self.n_features_in_ <= 20:
            self.log_z_, self.log_z_method_, self.ais_ = rbm.log_partition_exact(), "exact", None
        else:
            self.ais_ = ais_rbm_log_partition(rbm, self.base_bias_, self.ais_chains, self.ais_temps,
                                              torch_generator(self.random_state))
            self.log_z_, self.log_z_method_ = self.ais_.log_z, "ais"
        return self.log_z_

    def score_samples(self, X: Any) -> np.ndarray:
        self._check_fitted()
        Xt = as_rows(X, torch.float64, self.n_features_in_, binary=True)
        with torch.no_grad():
            return (-self.module_.rbm.free_energy(Xt) - self.log_z_).numpy()

    def pseudo_likelihood(self, X: Any) -> np.ndarray:
        self._check_fitted()
        Xt = as_rows(X, torch.float64, self.n_features_in_, binary=True)
        return pseudo_log_likelihood(self.module_.rbm, Xt).numpy()

    def sample(self, n_samples: int = 1, random_state: int | None = None, n_steps: int = 1000) -> np.ndarray:
        self._check_fitted()
        g = torch_generator(self.random_state if random_state is None else random_state)
        rbm = self.module_.rbm
        with torch.no_grad():
            v = torch.bernoulli(torch.full((n_samples, self.n_features_in_), 0.5, dtype=torch.float64), generator=g)
            v = rbm.gibbs(v, n_steps - 1, generator=g)
            h = torch.bernoulli(rbm.p_h_given_v(v), generator=g)
            return rbm.p_v_given_h(h).numpy()  # the last step's means, in [0, 1]

    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.module_.rbm.parameters())


def evaluate_digits(seed: int = 0, quick: bool = False) -> dict[str, Any]:
    """The RBM's row of the digits likelihood table (binarized 8x8 digits, ``density_split``)."""
    from adlkit.data.registry import density_split

    s = density_split("digits", seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small matrices: one thread is fastest, and the machine is shared
    try:
        return _evaluate_digits(s, seed, quick)
    finally:
        torch.set_num_threads(threads)


def _evaluate_digits(s: Any, seed: int, quick: bool) -> dict[str, Any]:
    est = RBMEstimator(n_hidden=64 if quick else 100, epochs=5 if quick else 30, random_state=seed,
                       ais_chains=200 if quick else 500, ais_temps=500 if quick else 5000)
    est.fit(s.train)
    ll = est.score_samples(s.test)
    # per image: each AIS log-likelihood shares the one estimate of log Z, so the table's
    # standard error is over the test images only, not over the log Z estimate
    return {"model": f"RBM ({est.n_hidden} hidden, PCD-1)", "test_ll": float(ll.mean()), "test_ll_per_image": np.asarray(ll),
            "how": f"AIS ({est.ais_chains} chains, {est.ais_temps} temperatures)", "parameters": est.n_parameters(),
            "seconds": est.fit_seconds_, "samples": est.sample(64, random_state=seed)}
