"""Network builders shared by every model family (the one MLP builder: :func:`mlp`)."""

from adlkit.networks.mlp import ACTIVATIONS, mlp

__all__ = ["ACTIVATIONS", "mlp"]
