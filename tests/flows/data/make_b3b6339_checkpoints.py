"""How the old-format checkpoint fixtures were written (kept for provenance; not a test).

Run with the code of commit b3b6339 (before RealNVPConfig/VAEConfig, with ActNorm's
``initialized`` buffer) on the path:

    PYTHONPATH=<checkout of b3b6339>/src python tests/flows/data/make_b3b6339_checkpoints.py

It writes ``tests/flows/data/realnvp_b3b6339.{ckpt,json}`` and
``tests/vae/data/vae_b3b6339.{ckpt,json}``: the checkpoints and what that code computed from
them, which the load tests compare against.
"""

import json
from pathlib import Path

import torch

from adlkit.flows import RealNVPFlow
from adlkit.train import save_checkpoint
from adlkit.vae import VAEModule

here = Path(__file__).parent
vae_dir = here.parents[1] / "vae" / "data"

torch.manual_seed(0)
flow = RealNVPFlow(4, n_couplings=2, hidden=(6,), actnorm=True, standardize=True).double()
x = torch.linspace(-1.5, 1.5, 12, dtype=torch.float64).reshape(3, 4)
flow.set_standardization(torch.tensor([0.1, -0.2, 0.3, 0.0]), torch.tensor([1.5, 0.7, 1.0, 2.0]))
flow.data_init(x)
with torch.no_grad():
    for p in flow.parameters():
        p.add_(0.1 * torch.randn_like(p))
assert "layers.1.initialized" in flow.state_dict()
save_checkpoint(flow, here / "realnvp_b3b6339.ckpt")

torch.manual_seed(1)
vae = VAEModule(4, latent_dim=2, hidden=(6,), likelihood="gaussian", beta=0.5, warmup_steps=3)
with torch.no_grad():
    for p in vae.parameters():
        p.add_(0.1 * torch.randn_like(p))
vae.steps_done += 2
save_checkpoint(vae, vae_dir / "vae_b3b6339.ckpt")

z = [[0.3, -0.4]]
with torch.no_grad():
    flow_ref = {"x": x.tolist(), "log_prob": flow.log_prob(x).tolist()}
    vae_ref = {"x": x.tolist(), "encode_mu": vae.encode(x.float())[0].tolist(), "z": z,
               "decode": vae.decode(torch.tensor(z))[0].tolist(), "kl_weight": vae.kl_weight()}
(here / "realnvp_b3b6339.json").write_text(json.dumps(flow_ref, indent=1))
(vae_dir / "vae_b3b6339.json").write_text(json.dumps(vae_ref, indent=1))
