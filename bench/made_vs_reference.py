"""MADE on the binarized digits: adlkit's against a plain-PyTorch MADE written as in the paper.

The reference follows Germain et al. (2015) directly: degrees m(d) = d for the inputs, hidden
unit k of every layer of degree ``k mod (D-1) + 1`` (the deterministic rule adlkit's ``cyclic``
degrees use, so both nets are the same architecture), masks built with loops from eq. 12-13,
``nn.Linear`` layers whose weight is multiplied by the mask in every forward, ReLU, Bernoulli
outputs, Adam (torch defaults) on the mean NLL, its own training loop. adlkit's is
``adlkit.autoregressive.MADE`` trained through ``adlkit.train.fit`` (no held-out split, so no
early stopping: the same number of steps).

Both start from the same seed, see batches of 64 from the same 1,258 training images and train
the same number of steps; they alternate ``--repeats`` times in one process, so machine load
hits both alike. Reported: test NLL (exact, nats per image) and training steps per second.

    python bench/made_vs_reference.py --quick      # a smoke run; prints a JSON line last
    python bench/made_vs_reference.py --steps 3000 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


# ---- the reference: MADE as in the paper, plain PyTorch -------------------------------------
def paper_masks(D: int, hidden: list[int]) -> list[torch.Tensor]:
    m_prev = list(range(1, D + 1))
    masks = []
    for H in hidden:
        m = [k % (D - 1) + 1 for k in range(H)]
        M = torch.zeros(H, len(m_prev))
        for k in range(H):
            for j in range(len(m_prev)):
                M[k, j] = 1.0 if m[k] >= m_prev[j] else 0.0
        masks.append(M)
        m_prev = m
    M = torch.zeros(D, len(m_prev))
    for d in range(D):
        for k in range(len(m_prev)):
            M[d, k] = 1.0 if d + 1 > m_prev[k] else 0.0
    masks.append(M)
    return masks


class PaperMADE(nn.Module):
    def __init__(self, D: int, hidden: list[int]):
        super().__init__()
        sizes = [D, *hidden, D]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        for i, M in enumerate(paper_masks(D, hidden)):
            self.register_buffer(f"mask{i}", M)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x
        for i, layer in enumerate(self.layers):
            h = F.linear(h, layer.weight * getattr(self, f"mask{i}"), layer.bias)
            if i < len(self.layers) - 1:
                h = torch.relu(h)
        return h

    def nll(self, x: torch.Tensor) -> torch.Tensor:
        return F.binary_cross_entropy_with_logits(self(x), x, reduction="none").sum(1)


def train_reference(X: torch.Tensor, hidden: list[int], steps: int, seed: int, lr: float, batch: int):
    torch.manual_seed(seed)
    model = PaperMADE(X.shape[1], hidden)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    n, done, t = X.shape[0], 0, time.perf_counter()
    while done < steps:
        perm = torch.randperm(n, generator=g)
        for i in range(0, n - batch + 1, batch):
            loss = model.nll(X[perm[i:i + batch]]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            done += 1
            if done == steps:
                break
    return model.eval(), time.perf_counter() - t


def train_adlkit(X: np.ndarray, hidden: list[int], steps: int, seed: int, lr: float, batch: int):
    from adlkit.autoregressive import MADE

    est = MADE(hidden=tuple(hidden), lr=lr, batch_size=batch, max_steps=steps, epochs=10 ** 6, patience=None,
               random_state=seed).fit(X)
    return est, est.result_.train_seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--hidden", type=int, nargs="+", default=[500])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="300 steps, 1 repeat")
    a = ap.parse_args()
    if a.quick:
        a.steps, a.repeats = 300, 1
    torch.set_num_threads(a.threads)
    from adlkit.data.registry import density_split

    X, _, X_test = density_split("digits", a.seed)
    Xt, Tt = torch.tensor(X, dtype=torch.float32), torch.tensor(X_test, dtype=torch.float32)
    runs = []
    for r in range(a.repeats):
        ref, ref_s = train_reference(Xt, a.hidden, a.steps, a.seed, 1e-3, 64)
        with torch.no_grad():
            ref_nll = float(ref.nll(Tt).mean())
        est, ad_s = train_adlkit(X, a.hidden, a.steps, a.seed, 1e-3, 64)
        ad_nll = float(-est.score(X_test))
        runs.append({"repeat": r, "reference_nll": ref_nll, "adlkit_nll": ad_nll,
                     "reference_steps_per_s": a.steps / ref_s, "adlkit_steps_per_s": a.steps / ad_s,
                     "speedup": ref_s / ad_s})
        print(json.dumps(runs[-1]), flush=True)
    print(json.dumps({"steps": a.steps, "hidden": a.hidden, "repeats": a.repeats,
                      "reference_nll": statistics.median(r["reference_nll"] for r in runs),
                      "adlkit_nll": statistics.median(r["adlkit_nll"] for r in runs),
                      "speedup_median": statistics.median(r["speedup"] for r in runs),
                      "speedups": [round(r["speedup"], 3) for r in runs]}))


if __name__ == "__main__":
    main()
