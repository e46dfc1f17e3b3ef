"""Conditioner networks for coupling layers."""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from adlkit.networks import mlp


class MLPConditioner(nn.Module):
    """One MLP that outputs both the log-scale ``s`` and the shift ``t`` of a coupling.

    Maps (N, in_features) to ``(s, t)``, each (N, out_features). ``net`` is
    :func:`adlkit.networks.mlp` with ReLU hidden layers; its last layer starts at zero so that
    every coupling starts as the identity map.
    """

    def __init__(self, in_features: int, out_features: int, hidden: Sequence[int] = (64, 64)):
        super().__init__()
        self.net = mlp([in_features, *hidden, 2 * out_features], zero_last=True)
        self.out_features = out_features
        self.n_layers = len(hidden) + 1

    def flat_params(self) -> list[Tensor]:
        """``[W_1, b_1, ..., W_L, b_L]`` of the linear layers, in order (for the fused coupling)."""
        ps = []
        for m in self.net:
            if isinstance(m, nn.Linear):
                d = m._parameters  # what m.weight / m.bias look up, without nn.Module.__getattr__
                ps += (d["weight"], d["bias"])
        return ps

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        h = self.net(x)
        return h[:, : self.out_features], h[:, self.out_features :]
