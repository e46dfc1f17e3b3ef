"""Normalizing flows. Direction convention: ``forward`` maps data x to latent z."""

from adlkit.flows.coupling import AffineCoupling, split_mask
from adlkit.flows.layers import ActNorm, Logit, Permutation
from adlkit.flows.nets import MLPConditioner
from adlkit.flows.realnvp import RealNVP, RealNVPConfig, RealNVPFlow

__all__ = [
    "AffineCoupling",
    "split_mask",
    "ActNorm",
    "Logit",
    "Permutation",
    "MLPConditioner",
    "RealNVP",
    "RealNVPFlow",
    "RealNVPConfig",
]
