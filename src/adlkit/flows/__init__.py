"""Normalizing flows. Direction convention: ``forward`` maps data x to latent z."""

from adlkit.flows.coupling import AffineCoupling, split_mask

__all__ = ["AffineCoupling", "split_mask"]
